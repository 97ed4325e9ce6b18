"""Data quality: open leads missing fields their stage requires, in one statement.

The statement is built from the configuration's requirements, passed as arrays (pipeline,
stage, field): each requirement reads the open leads of its (pipeline, stage) through the
`leads_board` index and keeps those whose field is NULL or blank (a lead column, or the
field's key in the custom values). When a requirement appeared is read from the version
history in the same statement: the activation of the earliest version of the unbroken run of
versions, ending at the one the requirements come from, that holds it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver
from leadflow.storage.tables import Lead
from leadflow.workflow.gaps import LEAD_COLUMNS, GapReport, GapTotal, LeadGap, Requirement


@dataclass(frozen=True)
class GapQuery:
    """Which gaps to read: the requirements of configuration `version`, the viewer's scope
    (every lead, or those owned by `agents` or in `pipelines`) and the filters."""

    version: int
    requirements: Sequence[Requirement]
    everything: bool
    agents: frozenset[str] = frozenset()
    pipelines: frozenset[str] = frozenset()
    team: str | None = None
    agent: str | None = None
    pipeline: str | None = None
    stage: str | None = None
    field: str | None = None
    limit: int | None = None
    """Leads listed at most (the totals count them all); None lists every one."""


@dataclass(frozen=True)
class NewAlert:
    topic: str
    channel: str
    recipient: str | None
    payload: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str = ""


_NO_JIT = "SET LOCAL jit = off"
"""The statement's estimates (rows of the versions' JSON) are far above its work: compiling it
took seconds, reading the gaps milliseconds."""


@functools.cache
def _field_value() -> str:
    """The required field's value as text: its lead column, or its key in the custom values."""
    known = {column.name for column in Lead.__table__.columns}
    branches = []
    for column in sorted(set(LEAD_COLUMNS.values())):
        assert column in known, column  # a fixed set of names, never the configuration's text
        branches.append(f"WHEN '{column}' THEN c.{column}::text")
    return f"CASE r.lead_column {' '.join(branches)} ELSE c.custom ->> r.field END"


@functools.cache
def _values() -> str:
    """The lead's values a requirement may read (beyond those the list shows)."""
    shown = {"first_name", "last_name"}
    columns = sorted(set(LEAD_COLUMNS.values()) - shown)
    return ", ".join([*(f"l.{column}" for column in columns), "l.custom"])


@functools.cache
def _gaps_sql() -> str:
    return f"""
WITH required AS (
    SELECT * FROM unnest(
        %(pipelines)s::text[], %(stages)s::text[], %(fields)s::text[],
        %(columns)s::text[], %(positions)s::int[]
    ) AS r(pipeline, stage, field, lead_column, position)
),
held AS MATERIALIZED (
    SELECT v.id AS version, p ->> 'key' AS pipeline, s ->> 'key' AS stage, f.field
    FROM config_versions v
    CROSS JOIN LATERAL jsonb_array_elements(v.document -> 'pipelines') p
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE jsonb_typeof(p -> 'stages') WHEN 'array' THEN p -> 'stages' END) s
    CROSS JOIN LATERAL jsonb_array_elements_text(
        CASE jsonb_typeof(s -> 'requires') WHEN 'array' THEN s -> 'requires' END) f(field)
    WHERE v.id <= %(version)s
),
lacking AS (
    -- per requirement, the latest version up to `version` without it (0: none)
    SELECT r.pipeline, r.stage, r.field, r.lead_column, r.position,
           coalesce(max(w.id) FILTER (WHERE h.version IS NULL), 0) AS version
    FROM required r
    CROSS JOIN config_versions w
    LEFT JOIN held h
      ON h.version = w.id AND h.pipeline = r.pipeline AND h.stage = r.stage AND h.field = r.field
    WHERE w.id <= %(version)s
    GROUP BY r.pipeline, r.stage, r.field, r.lead_column, r.position
),
since AS MATERIALIZED (
    SELECT k.pipeline, k.stage, k.field, k.lead_column, k.position,
           (SELECT min(v.created_at) FROM config_versions v
            WHERE v.id > k.version AND v.id <= %(version)s) AS since
    FROM lacking k
),
stages AS MATERIALIZED (
    SELECT pipeline, stage FROM since GROUP BY pipeline, stage
),
candidates AS MATERIALIZED (
    SELECT l.id, l.first_name, l.last_name, l.pipeline_key, l.stage_key, l.owner_agent_key,
           coalesce(l.stage_entered_at, l.received_at) AS entered,
           {_values()}
    FROM stages s
    JOIN leads l
      ON l.pipeline_key = s.pipeline AND l.stage_key = s.stage AND l.closed_at IS NULL
    WHERE (%(everything)s OR l.owner_agent_key = ANY(%(scope_agents)s)
           OR l.pipeline_key = ANY(%(scope_pipelines)s))
      AND (%(agent)s::text IS NULL OR l.owner_agent_key = %(agent)s)
      AND (%(pipeline)s::text IS NULL OR l.pipeline_key = %(pipeline)s)
      AND (%(stage)s::text IS NULL OR l.stage_key = %(stage)s)
),
gaps AS (
    SELECT c.id, c.first_name, c.last_name, c.pipeline_key, c.stage_key, c.owner_agent_key,
           coalesce(a.team_key, pl.team_key) AS team,
           array_agg(r.field ORDER BY r.position) AS missing,
           min(greatest(c.entered, r.since)) AS since
    FROM candidates c
    JOIN since r ON r.pipeline = c.pipeline_key AND r.stage = c.stage_key
    LEFT JOIN agents a ON a.key = c.owner_agent_key
    LEFT JOIN pipelines pl ON pl.key = c.pipeline_key
    WHERE coalesce({_field_value()}, '') !~ '[^[:space:]]'
      AND (%(team)s::text IS NULL OR coalesce(a.team_key, pl.team_key) = %(team)s)
    GROUP BY c.id, c.first_name, c.last_name, c.pipeline_key, c.stage_key, c.owner_agent_key,
             a.team_key, pl.team_key
    HAVING %(field)s::text IS NULL OR %(field)s = ANY(array_agg(r.field))
)
SELECT 'lead', id, first_name, last_name, pipeline_key, stage_key, owner_agent_key, team,
       missing, since, 1::bigint, cardinality(missing)::bigint
FROM (SELECT * FROM gaps ORDER BY since, id LIMIT %(limit)s) shown
UNION ALL
SELECT CASE WHEN grouping(owner_agent_key) = 1 THEN 'team' ELSE 'agent' END,
       NULL, NULL, NULL, NULL, NULL, owner_agent_key, team, NULL, min(since),
       count(*), sum(cardinality(missing))
FROM gaps
GROUP BY GROUPING SETS ((team), (team, owner_agent_key))
"""


def _parameters(query: GapQuery) -> dict[str, Any]:
    required = query.requirements
    return {
        "version": query.version,
        "pipelines": [r.pipeline for r in required],
        "stages": [r.stage for r in required],
        "fields": [r.field for r in required],
        "columns": [r.column for r in required],
        "positions": [r.position for r in required],
        "everything": query.everything,
        "scope_agents": sorted(query.agents),
        "scope_pipelines": sorted(query.pipelines),
        "team": query.team,
        "agent": query.agent,
        "pipeline": query.pipeline,
        "stage": query.stage,
        "field": query.field,
        "limit": query.limit,
    }


def _report(rows: list[tuple[Any, ...]]) -> GapReport:
    leads: list[LeadGap] = []
    teams: list[GapTotal] = []
    agents: list[GapTotal] = []
    for kind, lead_id, first, last, pipeline, stage, owner, team, missing, since, n, m in rows:
        if kind == "lead":
            leads.append(
                LeadGap(lead_id, first, last, pipeline, stage, owner, team, tuple(missing), since)
            )
        else:
            total = GapTotal(team, owner, int(n), int(m), since)
            (teams if kind == "team" else agents).append(total)
    leads.sort(key=lambda gap: (gap.since, gap.lead_id))
    return GapReport(leads, sorted(teams, key=_by_size), sorted(agents, key=_by_size))


def _by_size(total: GapTotal) -> tuple[int, str, str]:
    return (-total.leads, total.team or "", total.agent or "")


class QualityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def gaps(self, query: GapQuery) -> GapReport:
        """The leads with gaps (oldest first, up to `query.limit`) and the totals per team and
        per agent of all of them, in one statement."""
        if not query.requirements:
            return GapReport([], [], [])
        connection = await driver(self.session)
        await connection.execute(_NO_JIT)
        cursor = await connection.execute(_gaps_sql(), _parameters(query))
        return _report(await cursor.fetchall())

    async def explain(self, query: GapQuery) -> str:
        """EXPLAIN ANALYZE of the statement `gaps` runs (for the benchmark)."""
        connection = await driver(self.session)
        await connection.execute(_NO_JIT)
        cursor = await connection.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + _gaps_sql(), _parameters(query)
        )
        return "\n".join(row[0] for row in await cursor.fetchall())

    async def sent(self, keys: Sequence[str]) -> set[str]:
        """Which of these outbox idempotency keys were written already."""
        if not keys:
            return set()
        connection = await driver(self.session)
        cursor = await connection.execute(
            "SELECT idempotency_key FROM outbox WHERE idempotency_key = ANY(%s)", (list(keys),)
        )
        return {row[0] for row in await cursor.fetchall()}

    async def add_alerts(self, alerts: Sequence[NewAlert]) -> None:
        """Write the alerts to the outbox in one statement (a key written before is skipped)."""
        if not alerts:
            return
        connection = await driver(self.session)
        await connection.execute(
            "INSERT INTO outbox (topic, channel, recipient, payload, idempotency_key)"
            " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::jsonb[], %s::text[])"
            " ON CONFLICT ON CONSTRAINT outbox_idempotency_key DO NOTHING",
            (
                [a.topic for a in alerts],
                [a.channel for a in alerts],
                [a.recipient for a in alerts],
                [Jsonb(a.payload) for a in alerts],
                [a.idempotency_key for a in alerts],
            ),
        )
