"""Leads: insert (idempotent on source + external id), look-ups, history of a contact."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from sqlalchemy import ColumnElement, and_, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.instrumentation import manager_of_class

from leadflow.storage.database import driver
from leadflow.storage.repositories.leads.contacts import locking
from leadflow.storage.tables import Activity, Lead
from leadflow.storage.together import execute_together

WAITING = ("queued", "unassigned", "unrouted")
"""Routing statuses of a lead that has no agent: queued (nobody eligible now), unassigned (no
rule matched, or the pipeline's no-agent policy only alerts), unrouted (not routed yet)."""


def waiting_now() -> ColumnElement[bool]:
    """A lead waiting for an agent now, whatever kept it from one and however old: the one
    definition of "waiting" the dashboards, `leadflow queue` and `GET /api/v1/queue` count."""
    return and_(Lead.routing_status.in_(WAITING), Lead.closed_at.is_(None))


_COLUMNS = tuple(column.name for column in Lead.__table__.columns)
_RETURNING = ", ".join(_COLUMNS)


@functools.cache
def _insert_sql(columns: tuple[str, ...]) -> str:
    """Built once per set of columns."""
    return (
        f"INSERT INTO leads ({', '.join(columns)})"
        f" VALUES ({', '.join(f'%({column})s' for column in columns)})"
        " ON CONFLICT (source, external_id) WHERE external_id IS NOT NULL DO NOTHING"
        f" RETURNING {_RETURNING}"
    )


def _row(row: dict[str, Any] | None) -> Lead | None:
    return lead_of_row(row) if row is not None else None


def lead_of_row(row: dict[str, Any]) -> Lead:
    """A stored lead read with plain SQL (every column), as a detached Lead: read its values,
    write through the repositories (setting an attribute stores nothing).

    Built as the ORM's own loader builds a row's object, without the constructor's events per
    attribute: 6 µs instead of 160 µs here, on every lead intake answers with."""
    lead = _new_lead()
    lead.__dict__.update(row)
    return lead


configure_mappers()  # `new_instance` does not, unlike the constructor
_new_lead = manager_of_class(Lead).new_instance


class LeadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, values: Mapping[str, Any]) -> Lead | None:
        """The new lead, or None when (source, external_id) exists already."""
        columns = tuple(sorted(values))
        params = {**values, "custom": Jsonb(values["custom"])} if "custom" in values else values
        return await self._one(_insert_sql(columns), params)

    async def _one(self, sql: str, params: Any) -> Lead | None:
        connection = await driver(self.session)
        cursor = connection.cursor(row_factory=dict_row)
        await cursor.execute(sql, params)
        return _row(await cursor.fetchone())

    async def get(self, lead_id: int, *, for_update: bool = False) -> Lead | None:
        statement = select(Lead).where(Lead.id == lead_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def by_external_id(self, source: str, external_id: str) -> Lead | None:
        return await self._one(
            f"SELECT {_RETURNING} FROM leads WHERE source = %s AND external_id = %s",
            (source, external_id),
        )

    async def mark_unrouted(self, lead_id: int) -> Lead:
        """Keep a lead whose routing failed for the worker to retry; returns it as stored."""
        lead = await self._one(
            f"UPDATE leads SET routing_status = 'unrouted' WHERE id = %s RETURNING {_RETURNING}",
            (lead_id,),
        )
        assert lead is not None
        return lead

    async def close(self, lead_id: int, stage: str, at: datetime) -> None:
        """End a lead in `stage` (the caller keeps its owner's open count)."""
        await self.session.execute(
            update(Lead).where(Lead.id == lead_id).values(stage_key=stage, closed_at=at)
        )

    async def owner_of(self, lead_id: int) -> str | None:
        connection = await driver(self.session)
        cursor = await connection.execute(
            "SELECT owner_agent_key FROM leads WHERE id = %s", (lead_id,)
        )
        row = await cursor.fetchone()
        return row[0] if row else None

    async def existing_external_ids(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (source, external_id) pairs are stored already: one query for a whole batch."""
        if not keys:
            return set()
        statement = select(Lead.source, Lead.external_id).where(
            tuple_(Lead.source, Lead.external_id).in_(keys)
        )
        return {(s, e) for s, e in (await self.session.execute(statement)).all() if e}

    async def latest_of_contact(self, contact_id: int, before: datetime) -> Lead | None:
        return (await self.latest_of_contacts([(contact_id, before)])).get(contact_id)

    async def latest_of_contacts(
        self, contacts: Sequence[tuple[int, datetime]], *, locked: bool = False
    ) -> dict[int, Lead]:
        """`latest_of_contact` for several (contact, before) pairs in one statement; contacts
        without an earlier lead are left out. `locked`: the contacts are locked first
        (`contacts.locking`), in the same round trip; the read is a statement of its
        own after it, so it sees a lead whose transaction held the lock (0022)."""
        if not contacts:
            return {}
        wanted = [contact for contact, _ in contacts]
        read = (
            "SELECT latest.* FROM unnest(%s::bigint[], %s::timestamptz[]) AS c (wanted, until_at)"
            f" CROSS JOIN LATERAL (SELECT {_RETURNING} FROM leads"
            " WHERE contact_id = c.wanted AND received_at <= c.until_at"
            " ORDER BY received_at DESC, id DESC LIMIT 1) AS latest",
            (wanted, [before for _, before in contacts]),
        )
        statements = [locking(wanted), read] if locked else [read]
        *_, rows = await execute_together(self.session, statements, row_factory=dict_row)
        return {row["contact_id"]: lead_of_row(row) for row in rows}

    async def open_of_contact(self, contact_id: int) -> Lead | None:
        """The contact's latest lead still open (not won or lost), test leads aside."""
        statement = (
            select(Lead)
            .where(
                Lead.contact_id == contact_id,
                Lead.closed_at.is_(None),
                Lead.routing_status != "test",
            )
            .order_by(Lead.received_at.desc(), Lead.id.desc())
            .limit(1)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def of_contact(self, contact_id: int) -> list[Lead]:
        statement = select(Lead).where(Lead.contact_id == contact_id).order_by(Lead.received_at)
        return list((await self.session.execute(statement)).scalars())

    async def count(self) -> int:
        return (await self.session.execute(select(func.count()).select_from(Lead))).scalar_one()

    async def between(self, start: datetime, end: datetime) -> list[Lead]:
        statement = (
            select(Lead)
            .where(Lead.received_at >= start, Lead.received_at < end)
            .order_by(Lead.received_at, Lead.id)
        )
        return list((await self.session.execute(statement)).scalars())

    async def queued(self, limit: int, among: Sequence[int] | None = None) -> list[Lead]:
        """Waiting leads, highest priority and then oldest first, locked (others skip them);
        with `among`, only those of these ids still waiting (a pass's next step).

        Read with plain SQL (`lead_of_row`): the queue release reads up to 500 of them every
        minute, in the server's event loop, and as ORM objects that took 70-80 ms of CPU,
        a pause every request in flight waited out (bench notes)."""
        connection = await driver(self.session)
        cursor = connection.cursor(row_factory=dict_row)
        await cursor.execute(
            f"SELECT {_RETURNING} FROM leads"
            " WHERE routing_status = 'queued' AND closed_at IS NULL"  # closed: out of the queue
            + ("" if among is None else " AND id = ANY(%(among)s)")
            + " ORDER BY priority DESC, received_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED",
            {"limit": limit, "among": list(among or ())},
        )
        return [lead_of_row(row) for row in await cursor.fetchall()]

    async def waiting(
        self, *, everything: bool, pipelines: Sequence[str], limit: int
    ) -> tuple[int, list[Lead]]:
        """Leads waiting for an agent (`waiting_now`), in all pipelines or only `pipelines`:
        how many, and the first `limit` of them, highest priority and then oldest first."""
        scope = (
            waiting_now()
            if everything
            else and_(waiting_now(), Lead.pipeline_key.in_(sorted(pipelines)))
        )
        total = (await self.session.execute(select(func.count()).where(scope))).scalar_one()
        statement = (
            select(Lead)
            .where(scope)
            .order_by(Lead.priority.desc(), Lead.received_at, Lead.id)
            .limit(limit)
        )
        return total, list((await self.session.execute(statement)).scalars())

    async def unrouted(self, limit: int, among: Sequence[int] | None = None) -> list[Lead]:
        """Leads kept before any configuration was active (or after a routing fault), oldest
        first, locked (others skip them); with `among`, only those of these ids."""
        statement = (
            select(Lead)
            .where(Lead.routing_status == "unrouted", Lead.closed_at.is_(None))
            .order_by(Lead.received_at, Lead.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if among is not None:
            statement = statement.where(Lead.id.in_(among))
        return list((await self.session.execute(statement)).scalars())

    async def sla_breached(
        self, now: datetime, limit: int, among: Sequence[int] | None = None
    ) -> list[Lead]:
        """Assigned, open, never contacted, past their first-contact deadline, and not yet
        taken over by the team lead; locked; with `among`, only those of these ids."""
        statement = (
            select(Lead)
            .where(
                Lead.first_contact_at.is_(None),
                Lead.sla_due_at.is_not(None),
                Lead.sla_due_at <= now,
                Lead.sla_escalated_at.is_(None),
                Lead.closed_at.is_(None),
                Lead.routing_status == "assigned",
            )
            # Ties broken by id: the order decides who gets a place first, and a period replay
            # must be able to repeat it.
            .order_by(Lead.sla_due_at, Lead.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if among is not None:
            statement = statement.where(Lead.id.in_(among))
        return list((await self.session.execute(statement)).scalars())

    async def sla_due_between(self, start: datetime, end: datetime) -> list[Lead]:
        statement = select(Lead).where(
            Lead.first_contact_at.is_(None),
            Lead.sla_due_at > start,
            Lead.sla_due_at <= end,
            Lead.closed_at.is_(None),
            Lead.routing_status == "assigned",
        )
        return list((await self.session.execute(statement)).scalars())

    async def open_owners(self) -> dict[str, int]:
        """Open leads per owner."""
        statement = (
            select(Lead.owner_agent_key, func.count())
            .where(Lead.closed_at.is_(None), Lead.owner_agent_key.is_not(None))
            .group_by(Lead.owner_agent_key)
        )
        return {owner: n for owner, n in (await self.session.execute(statement)).all() if owner}

    async def open_of(self, agent: str, among: Sequence[int] | None = None) -> list[Lead]:
        """`agent`'s open leads, locked; with `among`, only those of these ids."""
        statement = (
            select(Lead)
            .where(Lead.owner_agent_key == agent, Lead.closed_at.is_(None))
            .order_by(Lead.priority.desc(), Lead.received_at, Lead.id)
            .with_for_update(skip_locked=True)
        )
        if among is not None:
            statement = statement.where(Lead.id.in_(among))
        return list((await self.session.execute(statement)).scalars())

    async def held(self, among: Sequence[int] | None = None) -> list[Lead]:
        """Leads kept by a backup for an owner on leave; locked; with `among`, only those of
        these ids."""
        statement = (
            select(Lead)
            .where(Lead.held_for_agent_key.is_not(None), Lead.closed_at.is_(None))
            .order_by(Lead.id)
            .with_for_update(skip_locked=True)
        )
        if among is not None:
            statement = statement.where(Lead.id.in_(among))
        return list((await self.session.execute(statement)).scalars())

    async def add_activity(self, values: dict[str, Any]) -> Activity:
        activity = Activity(**values)
        self.session.add(activity)
        await self.session.flush()
        return activity

    async def activities_of(self, lead_id: int) -> list[Activity]:
        statement = (
            select(Activity).where(Activity.lead_id == lead_id).order_by(Activity.occurred_at)
        )
        return list((await self.session.execute(statement)).scalars())

    async def activities_of_leads(self, lead_ids: Sequence[int], limit: int) -> list[Activity]:
        """The latest `limit` activities of these leads (a contact's timeline), newest first."""
        if not lead_ids:
            return []
        statement = (
            select(Activity)
            .where(Activity.lead_id.in_(lead_ids))
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(statement)).scalars())
