"""The manager's and team lead's dashboards: lead mix, speed to lead, funnel, pool shares, queue
and SLA breaches over a period, each aggregated by PostgreSQL and scoped to the viewer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from leadflow.analytics.kpi import (
    Count,
    PoolShare,
    Speed,
    StageCount,
    funnel,
    pool_shares,
    stage_order,
)
from leadflow.domain.configuration import Configuration, Pipeline
from leadflow.services.access.scoping import (
    LeadScope,
    Role,
    Viewer,
    can_see_team,
    lead_scope,
    require,
)
from leadflow.services.reporting import rollup_days
from leadflow.storage.repositories.reporting.dashboard_rollups import DashboardRollups
from leadflow.storage.repositories.reporting.dashboards import (
    MIX_DIMENSIONS,
    Counted,
    Histogram,
    LeadFilter,
)
from leadflow.storage.store import Store

DIMENSIONS = tuple(MIX_DIMENSIONS)
"""country, language, source, campaign, treatment."""


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
    rollup: rollup_days.RolledUp | None = None
    """The days read from the daily rollup (None: every figure counted live)."""
    live: dict[LeadFilter, Live] = field(default_factory=dict, compare=False, repr=False)
    """What each span counted live gave (the trend's days of those spans read them here)."""


Live = tuple[list[Counted], list[Histogram]]
"""A live span's counts (every `PERIOD_SETS` group) and speed histogram."""


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
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    filters: Filters,
    now: datetime,
    *,
    counts: bool = True,
    speed: bool = True,
) -> Dashboard:
    """Complete days of the period from the daily rollup, the hours before and after them (and
    every day the rollup has not seen) counted live; the same figures either way. An export of
    one table may leave out the period's counts or the speed percentiles it does not show."""
    where, rollups, rolled = await _reading(store, viewer, configuration, filters)
    repository = store.dashboards
    counted: list[Counted] = []
    histogram: list[Histogram] = []
    live: dict[LeadFilter, Live] = {}
    for start, end in rollup_days.live_spans(where, rolled) if counts else ():
        span = replace(where, start=start, end=end)
        found = live[span] = (
            await repository.period_counts(span, now),
            await repository.speed_histogram(span) if speed else [],
        )
        counted += found[0]
        histogram += found[1]
    if rolled is not None and counts:
        counted += await rollup_days.remembered(
            ("counts", rolled, rollup_days.scope_key(where)),
            lambda: rollups.period_counts(where, rolled.first, rolled.last),
        )
        if speed:
            histogram += await rollup_days.remembered(
                ("speed", rolled, rollup_days.scope_key(where)),
                lambda: rollups.speed_histogram(where, rolled.first, rolled.last),
            )
    groups: dict[str, list[Counted]] = defaultdict(list)
    for row in rollup_days.added(counted):
        groups[row.group].append(row)
    team_of = {agent.key: agent.team for agent in configuration.agents}
    by_agent, by_team, overall = rollup_days.speed_quantiles(histogram, team_of)
    pipelines = shown_pipelines(viewer, configuration, filters)
    agents = [_speed(r, r.keys[0], by_agent.get(r.keys[0])) for r in groups["agent"]]
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
        funnel=funnel([(r.keys[0], r.leads) for r in groups["stage"]], stage_order(pipelines)),
        pools=pool_shares([(r.keys[0], r.keys[1], r.leads) for r in groups["pool"]], pipelines),
        queue=[Waiting(*row) for row in await repository.queue(where)],
        overdue=dict(await repository.overdue(where, now)),
        rollup=rolled,
        live=live if speed else {},
    )


async def total(
    store: Store, viewer: Viewer, configuration: Configuration, filters: Filters, now: datetime
) -> Speed:
    """`dashboard(…).total` alone, read as the dashboard reads it (the previous period's
    headline figures): the totals and one histogram of every owner's speed."""
    where, rollups, rolled = await _reading(store, viewer, configuration, filters)
    repository = store.dashboards
    counted: list[Counted] = []
    histogram: list[Histogram] = []
    for start, end in rollup_days.live_spans(where, rolled):
        span = replace(where, start=start, end=end)
        counted.append(await repository.period_total(span, now))
        histogram += await repository.speed_histogram(span)
    if rolled is not None:
        counted.append(
            await rollup_days.remembered(
                ("total", rolled, rollup_days.scope_key(where)),
                lambda: rollups.period_total(where, rolled.first, rolled.last),
            )
        )
        histogram += await rollup_days.remembered(
            ("buckets", rolled, rollup_days.scope_key(where)),
            lambda: rollups.speed_histogram(where, rolled.first, rolled.last, per_owner=False),
        )
    buckets: rollup_days.Buckets = {}
    for row in histogram:
        rollup_days.add_bucket(buckets, row)
    summed = rollup_days.added(counted)
    return _speed(summed[0], None, rollup_days.median_p90(buckets) if buckets else None)


async def _reading(
    store: Store, viewer: Viewer, configuration: Configuration, filters: Filters
) -> tuple[LeadFilter, DashboardRollups, rollup_days.RolledUp | None]:
    """The leads the figures count, tuned for reports, and the days the rollup answers for."""
    where = lead_filter(viewer, configuration, filters)
    await store.dashboards.tune_for_reports()
    rollups = DashboardRollups(store.session)
    return where, rollups, rollup_days.rolled_up(await rollups.state(), where)


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
