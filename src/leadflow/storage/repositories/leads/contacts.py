"""Contacts and their identities (normalised phone, e-mail, WhatsApp id)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from psycopg.types.json import Jsonb
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver
from leadflow.storage.tables import Contact, ContactIdentity
from leadflow.storage.together import execute_together


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
    WITH person AS MATERIALIZED (
      SELECT e.n AS position, e.value AS v, nextval('contacts_id_seq') AS provisional
      FROM jsonb_array_elements(%(people)s) WITH ORDINALITY AS e (value, n) ORDER BY e.n
    ),
    claimed AS (
      INSERT INTO contact_identities (kind, value, contact_id)
      SELECT key.kind, key.value, person.provisional
      FROM person, jsonb_to_recordset(person.v->'keys') AS key (kind text, value text)
      ORDER BY key.kind, key.value
      ON CONFLICT (kind, value) DO UPDATE SET kind = excluded.kind
      RETURNING kind, value, contact_id
    ),
    owners AS (
      SELECT person.position, person.provisional, (
        SELECT array_agg(claimed.contact_id)
        FROM jsonb_to_recordset(person.v->'keys') AS key (kind text, value text)
        JOIN claimed ON claimed.kind = key.kind AND claimed.value = key.value
      ) AS ids
      FROM person
    ),
    created AS (
      INSERT INTO contacts (id, first_name, last_name, phone_e164, email, whatsapp_id, country,
                            language)
      SELECT owners.provisional, d.first_name, d.last_name, d.phone_e164, d.email,
             d.whatsapp_id, d.country, d.language
      FROM owners JOIN person USING (position),
           jsonb_populate_record(NULL::contacts, person.v->'details') AS d
      WHERE owners.provisional = ALL(coalesce(owners.ids, ARRAY[owners.provisional]))
      ORDER BY owners.position
    )
    SELECT provisional, ids FROM owners ORDER BY position
"""
"""Claims every identity of every person of a batch for a provisional contact id each, and
writes the contact of a person who owns all their identities (nobody had any): one statement
for the batch, its identities upserted in one global order (people of one batch share none)."""


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
        """`resolve` for each person (identity keys and details) in one statement (`_CLAIM`);
        no two people of `people` share an identity (intake sets such a lead aside).

        Every identity is claimed by one upsert, rows in one global order, so concurrent
        leads of one person meet in the unique index (no check-then-insert); a claimed
        identity stays locked until the transaction ends.
        """
        if not people:
            return []
        batch = [
            {
                "keys": [{"kind": kind, "value": value} for kind, value in sorted(set(keys))],
                "details": vars(details),
            }
            for keys, details in people
        ]
        [rows] = await execute_together(self.session, [(_CLAIM, {"people": Jsonb(batch)})])
        return [await self._owner(*row) for row in rows]

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


def locking(contact_ids: Iterable[int]) -> tuple[str, tuple[list[int]]]:
    """The statement that serialises leads of one contact (repeat detection must see the
    earlier lead); several contacts in id order, so that two transactions never wait for each
    other. Sent before the read of their latest leads, in one round trip
    (`LeadRepository.latest_of_contacts`)."""
    return (
        "SELECT 1 FROM contacts WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
        (sorted(set(contact_ids)),),
    )
