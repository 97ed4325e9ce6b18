"""Contacts and their identities (normalised phone, e-mail, WhatsApp id)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver
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


_CLAIM = """
    WITH provisional AS (SELECT nextval('contacts_id_seq') AS id),
    claimed AS (
      INSERT INTO contact_identities (kind, value, contact_id)
      SELECT key.kind, key.value, provisional.id
      FROM unnest(%(kinds)s::text[], %(values)s::text[]) AS key (kind, value), provisional
      ORDER BY key.kind, key.value
      ON CONFLICT (kind, value) DO UPDATE SET kind = excluded.kind
      RETURNING contact_id
    ),
    owners AS (SELECT array_agg(contact_id) AS ids FROM claimed),
    created AS (
      INSERT INTO contacts (id, first_name, last_name, phone_e164, email, whatsapp_id, country,
                            language)
      SELECT provisional.id, %(first_name)s, %(last_name)s, %(phone_e164)s, %(email)s,
             %(whatsapp_id)s, %(country)s, %(language)s
      FROM provisional, owners
      WHERE provisional.id = ALL(coalesce(owners.ids, ARRAY[provisional.id]))
    )
    SELECT provisional.id, owners.ids FROM provisional, owners
"""
"""Claims every identity for a provisional contact id, and writes that contact when it owns
them all (nobody had any of them): one round trip for a new person."""


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def resolve(
        self, keys: list[tuple[str, str]], details: ContactDetails
    ) -> tuple[int, bool]:
        """The contact owning any of `keys` (the oldest, if several), else a new one;
        returns (id, created).

        Every identity is claimed by one upsert statement, rows in one global order, so
        concurrent leads of one person meet in the unique index (no check-then-insert) and never
        deadlock; a claimed identity stays locked until the transaction ends.
        """
        unique = sorted(set(keys))
        connection = await driver(self.session)
        cursor = await connection.execute(
            _CLAIM,
            {
                "kinds": [kind for kind, _ in unique],
                "values": [value for _, value in unique],
                **details.__dict__,
            },
        )
        row = await cursor.fetchone()
        assert row is not None
        provisional, claimed = row
        owners = {owner for owner in claimed or () if owner is not None}
        existing = owners - {provisional}
        if not existing:
            return provisional, True
        contact_id = min(existing)
        if provisional in owners:  # new identities of a known person join that person
            await self.session.execute(
                update(ContactIdentity)
                .where(ContactIdentity.contact_id == provisional)
                .values(contact_id=contact_id)
            )
        return contact_id, False

    async def lock(self, contact_id: int) -> None:
        """Serialise leads of one contact (repeat detection must see the earlier lead)."""
        connection = await driver(self.session)
        await connection.execute("SELECT 1 FROM contacts WHERE id = %s FOR UPDATE", (contact_id,))

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
