"""What a period replay reads: the period's leads with their owner history, the moments the
periodic work acted, and the state (loads, pools) as the replay starts. Plain SQL: a month is
thousands of leads and assignments, read once per replay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg.rows import dict_row
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver
from leadflow.storage.repositories.leads.leads import _RETURNING, lead_of_row
from leadflow.storage.tables import Lead

PASS_KINDS = ("queue_release", "sla", "staff")
"""Assignments written by the periodic work: their times are when it ran (and acted)."""
COUNTED_BACK = timedelta(days=38)
"""How far back assignments can still count in a month or ISO week cap."""


@dataclass(frozen=True)
class OwnerChange:
    lead_id: int
    kind: str
    outcome: str
    agent: str | None
    at: datetime


@dataclass(frozen=True)
class InFlightRow:
    outcome: str
    agent: str | None
    pipeline: str | None
    at: datetime
    sla_moves: int
    sla_misses: int
    clock_at: datetime | None
    """When its first-contact clock last restarted (a person's reassignment keeps it)."""


@dataclass(frozen=True)
class StartingState:
    """Loads and pools as the start finds them (the leads open then are `in_flight`)."""

    counted: list[tuple[datetime, str]]
    pools: dict[str, dict[str, Any]]
    """Each pipeline's pool state as the last decision before the start left it."""


class PeriodHistoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, sql: str, *params: Any, **named: Any) -> list[dict[str, Any]]:
        connection = await driver(self.session)
        cursor = connection.cursor(row_factory=dict_row)
        await cursor.execute(sql, named or params)
        return list(await cursor.fetchall())

    async def leads(self, start: datetime, end: datetime) -> list[Lead]:
        """Leads received in [start, end), in arrival order (test leads left out)."""
        rows = await self._rows(
            f"SELECT {_RETURNING} FROM leads WHERE received_at >= %s AND received_at < %s"
            " AND routing_status <> 'test' ORDER BY received_at, id",
            start,
            end,
        )
        return [lead_of_row(row) for row in rows]

    async def routed_values(self, lead_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The fields each lead had when it was first routed, as its initial assignment stored
        them (leads routed before they were stored have none)."""
        rows = await self._rows(
            "SELECT lead_id, trace -> 'lead' AS routed FROM assignments"
            " WHERE lead_id = ANY(%s) AND kind = 'initial' AND trace ? 'lead'",
            list(lead_ids),
        )
        return {row["lead_id"]: row["routed"] for row in rows}

    async def in_flight(self, start: datetime) -> list[tuple[Lead, InFlightRow]]:
        """Leads received before `start` and still open then: waiting, or held by an owner
        and not closed by `start` (contacted or not); each with its last change before `start`,
        the SLA steps it had and when its first-contact clock last restarted."""
        rows = await self._rows(
            f"SELECT {_RETURNING}, last.*, steps.* FROM leads l CROSS JOIN LATERAL ("
            " SELECT outcome AS last_outcome, agent_key AS last_agent,"
            " pipeline_key AS last_pipeline, decided_at AS last_at FROM assignments a"
            " WHERE a.lead_id = l.id AND a.decided_at < %(start)s"
            " AND a.outcome IN ('assigned', 'queued', 'kept')"
            " ORDER BY a.decided_at DESC, a.id DESC LIMIT 1) last CROSS JOIN LATERAL ("
            " SELECT count(*) FILTER (WHERE s.kind = 'sla' AND s.outcome = 'assigned')"
            " AS last_sla_moves,"
            " count(*) FILTER (WHERE s.kind = 'sla' AND s.outcome IN ('assigned', 'kept'))"
            " AS last_sla_misses,"
            " max(s.decided_at) FILTER (WHERE s.outcome IN ('assigned', 'kept')"
            " AND s.kind NOT IN ('manual', 'automation')) AS last_clock_at"
            " FROM assignments s WHERE s.lead_id = l.id AND s.decided_at < %(start)s) steps"
            " WHERE l.received_at < %(start)s AND l.routing_status <> 'test' AND ("
            " last.last_outcome = 'queued' OR l.closed_at IS NULL OR l.closed_at > %(start)s)"
            " ORDER BY l.id",
            start=start,
        )
        found = []
        for row in rows:
            last = InFlightRow(
                row.pop("last_outcome"),
                row.pop("last_agent"),
                row.pop("last_pipeline"),
                row.pop("last_at"),
                row.pop("last_sla_moves"),
                row.pop("last_sla_misses"),
                row.pop("last_clock_at"),
            )
            found.append((lead_of_row(row), last))
        return found

    async def owner_changes_of(
        self, lead_ids: Sequence[int], start: datetime, end: datetime
    ) -> list[OwnerChange]:
        """The assignments in [start, end) of the leads `lead_ids` (received earlier), in
        order."""
        rows = await self._rows(
            "SELECT lead_id, kind, outcome, agent_key, decided_at FROM assignments"
            " WHERE lead_id = ANY(%(leads)s) AND decided_at >= %(start)s AND decided_at < %(end)s"
            " ORDER BY decided_at, id",
            leads=list(lead_ids),
            start=start,
            end=end,
        )
        return [OwnerChange(*row.values()) for row in rows]

    async def owner_changes(self, start: datetime, end: datetime) -> list[OwnerChange]:
        """The assignments, before `end`, of the leads received in [start, end), in order."""
        rows = await self._rows(
            "SELECT a.lead_id, a.kind, a.outcome, a.agent_key, a.decided_at FROM assignments a"
            " JOIN leads l ON l.id = a.lead_id WHERE l.received_at >= %s AND l.received_at < %s"
            " AND a.decided_at < %s ORDER BY a.decided_at, a.id",
            start,
            end,
            end,
        )
        return [OwnerChange(*row.values()) for row in rows]

    async def passes(self, start: datetime, end: datetime) -> list[datetime]:
        rows = await self._rows(
            "SELECT DISTINCT decided_at FROM assignments WHERE kind = ANY(%s)"
            " AND decided_at >= %s AND decided_at < %s ORDER BY decided_at",
            list(PASS_KINDS),
            start,
            end,
        )
        return [row["decided_at"] for row in rows]

    async def owners(self, lead_ids: Sequence[int]) -> dict[int, str | None]:
        rows = await self._rows(
            "SELECT id, owner_agent_key FROM leads WHERE id = ANY(%s)", list(lead_ids)
        )
        return {row["id"]: row["owner_agent_key"] for row in rows}

    async def starting_state(self, start: datetime) -> StartingState:
        counted = await self._rows(
            "SELECT decided_at, agent_key FROM assignments WHERE outcome = 'assigned'"
            " AND agent_key IS NOT NULL AND decided_at >= %s AND decided_at < %s",
            start - COUNTED_BACK,
            start,
        )
        pools = await self._rows(
            "SELECT DISTINCT ON (pipeline_key) pipeline_key, trace -> 'pool_state' AS state"
            " FROM assignments WHERE decided_at < %s AND pipeline_key IS NOT NULL"
            " AND trace -> 'pool_state' IS NOT NULL AND trace ->> 'pool_state' IS NOT NULL"
            " ORDER BY pipeline_key, decided_at DESC, id DESC",
            start,
        )
        return StartingState(
            [(row["decided_at"], row["agent_key"]) for row in counted],
            {row["pipeline_key"]: row["state"] for row in pools},
        )

    async def versions(self, start: datetime, end: datetime) -> list[tuple[int, datetime]]:
        """Every configuration version and when it came in force, in that order: when it was
        applied, or its first decision in [start, end) if that came earlier (a history
        recorded with a simulated clock, as the demo's and the tests' are)."""
        rows = await self._rows(
            "SELECT v.id, LEAST(v.created_at, used.first) AS since FROM config_versions v"
            " LEFT JOIN (SELECT config_version_id, min(decided_at) AS first FROM assignments"
            " WHERE decided_at >= %s AND decided_at < %s GROUP BY config_version_id) used"
            " ON used.config_version_id = v.id ORDER BY since, v.id",
            start,
            end,
        )
        return [(row["id"], row["since"]) for row in rows]
