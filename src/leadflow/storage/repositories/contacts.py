"""Contacts and their identities (normalised phone, e-mail, WhatsApp id)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import Contact, ContactIdentity


@dataclass(frozen=True)
class ContactDetails:
    first_name: str | None
    last_name: str | None
    phone_e164: str | None
    email: str | None
    whatsapp_id: str | None
    country: str | None
    language: str | None


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def resolve(
        self, keys: list[tuple[str, str]], details: ContactDetails
    ) -> tuple[int, bool]:
        """The contact owning any of `keys` (the oldest, if several), else a new one;
        returns (id, created).

        Each identity is claimed with one upsert, in one global order, so concurrent leads of
        one person meet in the unique index (no check-then-insert) and never deadlock.
        """
        provisional = (
            await self.session.execute(text("SELECT nextval('contacts_id_seq')"))
        ).scalar_one()
        owners = {await self._claim(kind, value, provisional) for kind, value in sorted(keys)}
        existing = owners - {provisional}
        if not existing:
            self.session.add(Contact(id=provisional, **details.__dict__))
            await self.session.flush()
            return provisional, True
        contact_id = min(existing)
        if provisional in owners:  # new identities of a known person join that person
            await self.session.execute(
                update(ContactIdentity)
                .where(ContactIdentity.contact_id == provisional)
                .values(contact_id=contact_id)
            )
        return contact_id, False

    async def _claim(self, kind: str, value: str, contact_id: int) -> int:
        statement = (
            insert(ContactIdentity)
            .values(kind=kind, value=value, contact_id=contact_id)
            .on_conflict_do_update(
                index_elements=["kind", "value"], set_={"kind": ContactIdentity.kind}
            )
            .returning(ContactIdentity.contact_id)
        )
        return (await self.session.execute(statement)).scalar_one()

    async def lock(self, contact_id: int) -> Contact:
        """Serialise leads of one contact (repeat detection must see the earlier lead)."""
        statement = select(Contact).where(Contact.id == contact_id).with_for_update()
        return (await self.session.execute(statement)).scalar_one()

    async def get(self, contact_id: int) -> Contact | None:
        return await self.session.get(Contact, contact_id)

    async def set_owner(self, contact_id: int, agent_key: str) -> None:
        await self.session.execute(
            update(Contact).where(Contact.id == contact_id).values(owner_agent_key=agent_key)
        )

    async def find(self, keys: list[tuple[str, str]]) -> int | None:
        """The oldest contact owning any of `keys`, without claiming anything (read only)."""
        if not keys:
            return None
        statement = select(func.min(ContactIdentity.contact_id)).where(
            tuple_(ContactIdentity.kind, ContactIdentity.value).in_(keys)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()
