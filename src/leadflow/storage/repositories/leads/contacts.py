"""Contacts and their identities (normalised phone, e-mail, WhatsApp id)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver, execute_together
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
        returns (id, created)."""
        [resolved] = await self.resolve_all([(keys, details)])
        return resolved

    async def resolve_all(
        self, people: Sequence[tuple[list[tuple[str, str]], ContactDetails]]
    ) -> list[tuple[int, bool]]:
        """`resolve` for each person (identity keys and details), the statements sent
        together (psycopg's pipeline mode: one round trip for all).

        Every identity is claimed by one upsert statement, rows in one global order, so
        concurrent leads of one person meet in the unique index (no check-then-insert); a
        claimed identity stays locked until the transaction ends.
        """
        statements = []
        for keys, details in people:
            unique = sorted(set(keys))
            kinds, values = [kind for kind, _ in unique], [value for _, value in unique]
            statements.append((_CLAIM, {"kinds": kinds, "values": values, **details.__dict__}))
        cursors = await execute_together(await driver(self.session), statements)
        resolved = []
        for cursor in cursors:
            row = await cursor.fetchone()
            assert row is not None
            resolved.append(await self._owner(*row))
        return resolved

    async def _owner(self, provisional: int, claimed: list[int] | None) -> tuple[int, bool]:
        owners = {owner for owner in claimed or () if owner is not None}
        existing = owners - {provisional}
        if not existing:
            return provisional, True
        contact_id = min(existing)
        if provisional in owners:  # new identities of a known person join that person
            connection = await driver(self.session)
            await connection.execute(
                "UPDATE contact_identities SET contact_id = %s WHERE contact_id = %s",
                (contact_id, provisional),
            )
        return contact_id, False

    async def lock(self, contact_ids: Iterable[int]) -> None:
        """Serialise leads of one contact (repeat detection must see the earlier lead); several
        contacts are locked in id order, so that two transactions never wait for each other."""
        connection = await driver(self.session)
        await connection.execute(
            "SELECT 1 FROM contacts WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            (sorted(set(contact_ids)),),
        )

    async def owner_of(self, kind: str, value: str) -> int | None:
        """The contact a normalised identity (phone E.164, e-mail, WhatsApp id) belongs to."""
        statement = select(ContactIdentity.contact_id).where(
            ContactIdentity.kind == kind, ContactIdentity.value == value
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

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
