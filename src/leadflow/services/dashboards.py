"""The manager's and team lead's dashboards: lead mix, speed to lead, funnel, pool shares, queue
and SLA breaches over a period, each aggregated by PostgreSQL and scoped to the viewer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadflow.domain.configuration import Configuration, Pipeline
from leadflow.services.scoping import LeadScope, Role, Viewer, can_see_team, lead_scope, require
from leadflow.storage.repositories.dashboards import MIX_DIMENSIONS, Counted, LeadFilter
from leadflow.storage.store import Store

DIMENSIONS = tuple(MIX_DIMENSIONS)
"""country, language, source, campaign, treatment."""

FAST_SECONDS = 300
"""A lead contacted within five minutes counts as fast."""


class UnknownFilter(ValueError):
    """A filter names a team or pipeline that does not exist."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"unknown {field}: {value}")
        self.field = field
        self.value = value


@dataclass(frozen=True)
class Filters:
    """The period [start, end) and optionally one team and one pipeline."""

    start: datetime
    end: datetime
    team: str | None = None
    pipeline: str | None = None


@dataclass(frozen=True)
class Count:
    value: str | None
    leads: int


@dataclass(frozen=True)
class Speed:
    """Speed to lead and outcomes of one agent, one team (`key`) or everyone (`key` None)."""

    key: str | None
    leads: int
    contacted: int
    within_5_min: int
    median_s: float | None
    p90_s: float | None
    breaches: int
    won: int

    @property
    def contact_rate(self) -> float | None:
        return self.contacted / self.leads if self.leads else None

    @property
    def fast_share(self) -> float | None:
        """Of the leads received, the share first contacted within five minutes."""
        return self.within_5_min / self.leads if self.leads else None


@dataclass(frozen=True)
class StageCount:
    stage: str | None
    leads: int
    reached: int | None
    """Leads at this stage or a later one (None for `lost`, which ends the funnel sideways)."""


@dataclass(frozen=True)
class PoolShare:
    pipeline: str
    agent: str
    leads: int
    actual: float | None
    """This agent's share of the pool's leads in the period."""
    target: float
    """This agent's weight over the pool's total weight."""


@dataclass(frozen=True)
class Waiting:
    pipeline: str | None
    leads: int
    oldest: datetime


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    mix: dict[str, list[Count]]
    total: Speed
    teams: list[Speed]
    agents: list[Speed]
    funnel: list[StageCount]
    pools: list[PoolShare]
    queue: list[Waiting]
    overdue: dict[str | None, int]
    """Leads past their first-contact deadline now, per owner (None: no owner)."""


def can_view(viewer: Viewer) -> bool:
    """Managers and administrators see every team's figures; a team lead their teams'."""
    return viewer.role in (Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD)


def check(viewer: Viewer, configuration: Configuration, filters: Filters) -> None:
    """Raise `UnknownFilter` for a team or pipeline that does not exist, `Forbidden` for one
    the viewer may not see."""
    if filters.team is not None:
        if filters.team not in {team.key for team in configuration.teams}:
            raise UnknownFilter("team", filters.team)
        require(can_see_team(viewer, filters.team), f"team {filters.team}")
    if filters.pipeline is not None:
        pipeline = _pipeline(configuration, filters.pipeline)
        if pipeline is None:
            raise UnknownFilter("pipeline", filters.pipeline)
        require(can_see_team(viewer, pipeline.team), f"pipeline {filters.pipeline}")


def lead_filter(viewer: Viewer, configuration: Configuration, filters: Filters) -> LeadFilter:
    """The leads the figures count: the chosen team's (or all the viewer may see), in the
    period, of the chosen pipeline."""
    check(viewer, configuration, filters)
    if filters.team is not None:
        team_lead = Viewer(role=Role.TEAM_LEAD, team_keys=frozenset({filters.team}))
        scope = lead_scope(team_lead, configuration)
    else:
        scope = lead_scope(viewer, configuration)
    return _lead_filter(scope, filters)


def _lead_filter(scope: LeadScope, filters: Filters) -> LeadFilter:
    return LeadFilter(
        start=filters.start,
        end=filters.end,
        everything=scope.everything,
        agents=scope.agents,
        pipelines=scope.pipelines,
        pipeline=filters.pipeline,
    )


def _pipeline(configuration: Configuration, key: str) -> Pipeline | None:
    return next((p for p in configuration.pipelines if p.key == key), None)


def shown_pipelines(
    viewer: Viewer, configuration: Configuration, filters: Filters
) -> list[Pipeline]:
    return [
        p
        for p in configuration.pipelines
        if can_see_team(viewer, p.team)
        and filters.team in (None, p.team)
        and filters.pipeline in (None, p.key)
    ]


async def dashboard(
    store: Store, viewer: Viewer, configuration: Configuration, filters: Filters, now: datetime
) -> Dashboard:
    where = lead_filter(viewer, configuration, filters)
    repository = store.dashboards
    await repository.tune_for_reports()
    counted = await repository.period_counts(where, now)
    quantiles = await repository.speed_percentiles(where)
    by_agent = {a: (m, p) for level, _, a, m, p in quantiles if level == _AGENT}
    by_team = {t: (m, p) for level, t, _, m, p in quantiles if level == _TEAM}
    overall = next(((m, p) for level, _, _, m, p in quantiles if level == _TOTAL), None)
    groups: dict[str, list[Counted]] = defaultdict(list)
    for row in counted:
        groups[row.group].append(row)
    pipelines = shown_pipelines(viewer, configuration, filters)
    agents = [_speed(r, r.keys[0], by_agent.get(r.keys[0])) for r in groups["agent"]]
    team_of = {agent.key: agent.team for agent in configuration.agents}
    teams = [
        _speed(r, r.keys[0], by_team.get(r.keys[0]))
        for r in _add_up(groups["agent"], lambda r: team_of.get(r.keys[0] or ""))
    ]
    totals = groups["total"]
    return Dashboard(
        filters=filters,
        mix={name: _ranked_counts(groups[name]) for name in DIMENSIONS},
        total=_speed(totals[0], None, overall) if totals else _no_leads(),
        teams=_ranked(teams),
        agents=_ranked([s for s in agents if s.key is not None]),
        funnel=funnel([(r.keys[0], r.leads) for r in groups["stage"]], _stage_order(pipelines)),
        pools=pool_shares([(r.keys[0], r.keys[1], r.leads) for r in groups["pool"]], pipelines),
        queue=[Waiting(*row) for row in await repository.queue(where)],
        overdue=dict(await repository.overdue(where, now)),
    )


async def live_leads(
    store: Store, viewer: Viewer, configuration: Configuration, filters: Filters, *, limit: int
) -> list[Any]:
    """The newest leads in the filters' scope, whenever received (rows of the leads table)."""
    where = lead_filter(viewer, configuration, filters)
    return await store.dashboards.recent_leads(
        everything=where.everything,
        agents=where.agents,
        pipelines=where.pipelines,
        pipeline=where.pipeline,
        limit=limit,
    )


_TOTAL, _TEAM, _AGENT = 3, 1, 0
"""GROUPING() of (team, agent) for the total, a team's and an agent's figures."""


def _speed(row: Counted, key: str | None, quantiles: tuple[float, float] | None) -> Speed:
    median, p90 = quantiles or (None, None)
    return Speed(
        key=key,
        leads=row.leads,
        contacted=row.contacted,
        within_5_min=row.within_5_min,
        median_s=median,
        p90_s=p90,
        breaches=row.breaches,
        won=row.won,
    )


def _add_up(rows: list[Counted], team: Callable[[Counted], str | None]) -> list[Counted]:
    """Agents' counts added up per team (counts add up; percentiles do not)."""
    sums: dict[str | None, list[int]] = {}
    for row in rows:
        total = sums.setdefault(team(row), [0] * 5)
        for i, value in enumerate(
            (row.leads, row.contacted, row.within_5_min, row.breaches, row.won)
        ):
            total[i] += value
    return [Counted("team", (key,), *values) for key, values in sums.items()]


def _no_leads() -> Speed:
    return Speed(None, 0, 0, 0, None, None, 0, 0)


def _ranked(speeds: list[Speed]) -> list[Speed]:
    return sorted(speeds, key=lambda s: (-s.leads, s.key or ""))


def _ranked_counts(rows: list[Counted]) -> list[Count]:
    """Largest first; equal counts by value."""
    ordered = sorted(rows, key=lambda r: (-r.leads, r.keys[0] or ""))
    return [Count(r.keys[0], r.leads) for r in ordered]


def _stage_order(pipelines: list[Pipeline]) -> list[str]:
    order: list[str] = []
    for pipeline in pipelines:
        order.extend(stage for stage in pipeline.stages if stage not in order)
    return order


def funnel(rows: list[tuple[str | None, int]], order: list[str]) -> list[StageCount]:
    """Leads per current stage in pipeline order; `reached` adds the later stages (not `lost`)."""
    counts = dict(rows)
    known = [stage for stage in order if stage in counts or stage != "lost"]
    extra = sorted((s for s in counts if s not in order), key=lambda s: s or "")
    stages: list[str | None] = [*known, *extra]
    forward = [s for s in known if s != "lost"]
    result = []
    for stage in stages:
        reached = None
        if stage in forward:
            later = forward[forward.index(stage) :]
            reached = sum(counts.get(s, 0) for s in later)
        result.append(StageCount(stage, counts.get(stage, 0), reached))
    return result


def pool_shares(
    rows: list[tuple[str | None, str | None, int]], pipelines: list[Pipeline]
) -> list[PoolShare]:
    """Each pool member's share of the pool's owned leads against their weight's share."""
    by_pipeline: dict[str | None, dict[str | None, int]] = defaultdict(dict)
    for key, agent, count in rows:
        by_pipeline[key][agent] = count
    shares = []
    for pipeline in pipelines:
        members = pipeline.pool.members
        weights = sum(member.weight for member in members)
        owned = by_pipeline.get(pipeline.key, {})
        total = sum(owned.values())
        for member in members:
            leads = owned.get(member.agent, 0)
            shares.append(
                PoolShare(
                    pipeline=pipeline.key,
                    agent=member.agent,
                    leads=leads,
                    actual=leads / total if total else None,
                    target=member.weight / weights if weights else 0.0,
                )
            )
    return shares
