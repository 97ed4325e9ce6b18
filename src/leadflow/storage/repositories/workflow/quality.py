"""Data quality: open leads missing fields their stage requires, in one statement.

The statement is built from the configuration's requirements: the open leads of each required
(pipeline, stage) are read once (`leads_board`), and per stage an expression lists the fields
a lead lacks (its column, or its key in the custom values, NULL or blank). When a requirement
appeared is read from the version history in the same statement: the activation of the
earliest version of the unbroken run of versions, ending at the one the requirements come
from, that holds it. A lead's team is its owner's, else its pipeline's (from the
configuration, so the statement joins nothing).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver
from leadflow.storage.tables import Lead
from leadflow.workflow.gaps import GapReport, GapTotal, LeadGap, Requirement


@dataclass(frozen=True)
class GapQuery:
    """Which gaps to read: the requirements of configuration `version`, the viewer's scope
    (every lead, or those owned by `agents` or in `pipelines`) and the filters."""

    version: int
    requirements: tuple[Requirement, ...]
    everything: bool
    agents: frozenset[str] = frozenset()
    pipelines: frozenset[str] = frozenset()
    agent_teams: Mapping[str, str] = field(default_factory=dict)
    """Each agent's team; a lead's team is its owner's, else its pipeline's."""
    pipeline_teams: Mapping[str, str] = field(default_factory=dict)
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

_HISTORY = """
WITH required AS (
    SELECT * FROM unnest(%(pipelines)s::text[], %(stages)s::text[], %(fields)s::text[])
        WITH ORDINALITY AS r(pipeline, stage, field, n)
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
    SELECT r.n, coalesce(max(w.id) FILTER (WHERE h.version IS NULL), 0) AS version
    FROM required r
    CROSS JOIN config_versions w
    LEFT JOIN held h
      ON h.version = w.id AND h.pipeline = r.pipeline AND h.stage = r.stage AND h.field = r.field
    WHERE w.id <= %(version)s
    GROUP BY r.n
),
since AS MATERIALIZED (
    SELECT k.n, (SELECT min(v.created_at) FROM config_versions v
                 WHERE v.id > k.version AND v.id <= %(version)s) AS since
    FROM lacking k
)"""

_TOTALS = """
SELECT 'lead', id, first_name, last_name, pipeline_key, stage_key, owner_agent_key,
       missing, since, 1::bigint, cardinality(missing)::bigint
FROM (SELECT * FROM gaps ORDER BY since, id LIMIT %(limit)s) shown
UNION ALL
SELECT 'total', NULL, NULL, NULL, min(pipeline_key), NULL, owner_agent_key, NULL, min(since),
       count(*), sum(cardinality(missing))
FROM gaps
GROUP BY owner_agent_key, CASE WHEN owner_agent_key IS NULL THEN pipeline_key END
"""


def _blank(requirement: Requirement, n: int) -> str:
    """Whether the lead lacks requirement `n`: its column, or its key in the custom values,
    is NULL or blank."""
    column = requirement.column
    if column is None:
        value = f"l.custom ->> %(field_{n})s"
    else:
        assert column in _LEAD_COLUMNS, column  # a fixed set of names, never the config's text
        value = f"l.{column}::text"
    return f"coalesce(btrim({value}, {_WHITESPACE}), '') = ''"


_WHITESPACE = r"E' \t\n\r\f\x0b'"
"""The ASCII whitespace `str.strip()` removes: text of only these is blank."""
_LEAD_COLUMNS = frozenset(column.name for column in Lead.__table__.columns)


@functools.cache
def _gaps_sql(requirements: tuple[Requirement, ...]) -> str:
    """The statement for these requirements: per required (pipeline, stage), the fields a lead
    lacks, and since when (the earliest of its missing fields' start, each read once from
    `since`), evaluated on each open lead of the stage in one pass."""
    stages: dict[tuple[str, str], list[int]] = {}
    for n, requirement in enumerate(requirements, start=1):
        stages.setdefault((requirement.pipeline, requirement.stage), []).append(n)
    missing, first, lacks, pairs = [], [], [], []
    for j, numbers in enumerate(stages.values()):
        where = f"l.pipeline_key = %(pipeline_{j})s AND l.stage_key = %(stage_{j})s"
        checks = [(n, _blank(requirements[n - 1], n)) for n in numbers]
        fields = ", ".join(f"CASE WHEN {blank} THEN %(field_{n})s END" for n, blank in checks)
        sinces = ", ".join(
            f"CASE WHEN {blank} THEN (SELECT since FROM since WHERE n = {n}) END"
            for n, blank in checks
        )
        missing.append(f"WHEN {where} THEN array_remove(ARRAY[{fields}]::text[], NULL)")
        lacks.append(f"WHEN {where} THEN {' OR '.join(blank for _, blank in checks)}")
        first.append(f"WHEN {where} THEN LEAST({sinces})")
        pairs.append(f"(%(pipeline_{j})s, %(stage_{j})s)")
    return f"""{_HISTORY},
gaps AS MATERIALIZED (
    SELECT * FROM (
        SELECT l.id, l.first_name, l.last_name, l.pipeline_key, l.stage_key, l.owner_agent_key,
               CASE {" ".join(missing)} END AS missing,
               greatest(coalesce(l.stage_entered_at, l.received_at),
                        CASE {" ".join(first)} END) AS since
        FROM leads l
        WHERE l.closed_at IS NULL
          AND (l.pipeline_key, l.stage_key) IN ({", ".join(pairs)})
          AND CASE {" ".join(lacks)} END
          AND (%(everything)s OR l.owner_agent_key = ANY(%(scope_agents)s)
               OR l.pipeline_key = ANY(%(scope_pipelines)s))
          AND (NOT %(by_team)s OR l.owner_agent_key = ANY(%(team_agents)s)
               OR (l.owner_agent_key IS NULL AND l.pipeline_key = ANY(%(team_pipelines)s)))
          AND (%(agent)s::text IS NULL OR l.owner_agent_key = %(agent)s)
          AND (%(pipeline)s::text IS NULL OR l.pipeline_key = %(pipeline)s)
          AND (%(stage)s::text IS NULL OR l.stage_key = %(stage)s)
    ) lead
    WHERE %(field)s::text IS NULL OR %(field)s = ANY(missing)
)
{_TOTALS}"""


def _parameters(query: GapQuery) -> dict[str, Any]:
    required = query.requirements
    values: dict[str, Any] = {
        "version": query.version,
        "pipelines": [r.pipeline for r in required],
        "stages": [r.stage for r in required],
        "fields": [r.field for r in required],
        "everything": query.everything,
        "scope_agents": sorted(query.agents),
        "scope_pipelines": sorted(query.pipelines),
        "by_team": query.team is not None,
        "team_agents": sorted(a for a, t in query.agent_teams.items() if t == query.team),
        "team_pipelines": sorted(p for p, t in query.pipeline_teams.items() if t == query.team),
        "agent": query.agent,
        "pipeline": query.pipeline,
        "stage": query.stage,
        "field": query.field,
        "limit": query.limit,
    }
    stages = dict.fromkeys((r.pipeline, r.stage) for r in required)
    for j, (pipeline, stage) in enumerate(stages):
        values[f"pipeline_{j}"], values[f"stage_{j}"] = pipeline, stage
    for n, requirement in enumerate(required, start=1):
        values[f"field_{n}"] = requirement.field
    return values


def _report(query: GapQuery, rows: list[tuple[Any, ...]]) -> GapReport:
    def team_of(owner: str | None, pipeline: str) -> str | None:
        if owner is not None:
            return query.agent_teams.get(owner)
        return query.pipeline_teams.get(pipeline)

    leads: list[LeadGap] = []
    agents: dict[tuple[str | None, str | None], GapTotal] = {}
    for kind, lead_id, first, last, pipeline, stage, owner, missing, since, n, m in rows:
        team = team_of(owner, pipeline)
        if kind == "lead":
            gap = LeadGap(lead_id, first, last, pipeline, stage, owner, team, tuple(missing), since)
            leads.append(gap)
        else:
            agents[(team, owner)] = _add(agents.get((team, owner)), team, owner, n, m, since)
    teams: dict[str | None, GapTotal] = {}
    for total in agents.values():
        teams[total.team] = _add(
            teams.get(total.team), total.team, None, total.leads, total.missing_fields,
            total.oldest,
        )  # fmt: skip
    leads.sort(key=lambda gap: (gap.since, gap.lead_id))
    return GapReport(
        leads, sorted(teams.values(), key=_by_size), sorted(agents.values(), key=_by_size)
    )


def _add(
    total: GapTotal | None, team: str | None, agent: str | None, leads: int, fields: int,
    oldest: datetime,
) -> GapTotal:  # fmt: skip
    if total is None:
        return GapTotal(team, agent, int(leads), int(fields), oldest)
    return GapTotal(
        team, agent, total.leads + leads, total.missing_fields + fields, min(total.oldest, oldest)
    )


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
        sql = _gaps_sql(tuple(query.requirements))
        cursor = await connection.execute(sql, _parameters(query))
        return _report(query, await cursor.fetchall())

    async def explain(self, query: GapQuery) -> str:
        """EXPLAIN ANALYZE of the statement `gaps` runs (for the benchmark)."""
        connection = await driver(self.session)
        await connection.execute(_NO_JIT)
        cursor = await connection.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + _gaps_sql(tuple(query.requirements)),
            _parameters(query),
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
