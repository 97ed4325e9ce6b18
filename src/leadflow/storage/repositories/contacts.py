"""Contacts and their identities (normalised phone, e-mail, WhatsApp id)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text, update
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
        """The contact owning the first of `keys`, created when none does; (id, created).

        Each identity is claimed with one upsert, so two concurrent leads of one person meet
        in the unique index instead of both creating a contact (no check-then-insert).
        """
        new_id = (
            await self.session.execute(text("SELECT nextval('contacts_id_seq')"))
        ).scalar_one()
        contact_id: int | None = None
        for kind, value in keys:
            owner = await self._claim(kind, value, contact_id or new_id)
            contact_id = contact_id or owner
        assert contact_id is not None, "a lead always has at least one identity"
        created = contact_id == new_id
        if created:
            self.session.add(Contact(id=new_id, **details.__dict__))
            await self.session.flush()
        return contact_id, created

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
