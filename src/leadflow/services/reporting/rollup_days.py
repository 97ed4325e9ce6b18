"""The dashboards' summary tables read as days: which complete days a period takes from the
rollup and which spans stay live, rows of both added up, speed quantiles from their histograms,
and the per-process memory of rollup reads (cleared by each refresh's new generation)."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from leadflow.analytics.kpi import percentile
from leadflow.storage.repositories.reporting.dashboard_rollups import RollupState
from leadflow.storage.repositories.reporting.dashboards import Counted, Histogram, LeadFilter


@dataclass(frozen=True)
class RolledUp:
    """Complete days [first, last) in the rollup's time zone, as of the rollup's last refresh
    (later changes to those days' leads appear at the next refresh, within a minute)."""

    first: date
    last: date
    refreshed_at: datetime
    zone: str
    generation: str = ""
    """The rollup's generation the days were read from (`RollupState.generation`)."""

    @property
    def through(self) -> date:
        """The last day read from the rollup."""
        return self.last - timedelta(days=1)


_T = TypeVar("_T")
REMEMBERED = 256
"""Rollup reads kept per process (a few per dashboard view and period)."""
_KEPT: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


async def remembered(key: tuple[Any, ...], read: Callable[[], Awaitable[_T]]) -> _T:
    """What `read` gives for `key`, read once per rollup generation: a key holds the
    `RolledUp` (days and generation), so figures are read again after each refresh. The
    value is shared: callers must not change it."""
    if key in _KEPT:
        _KEPT.move_to_end(key)
        found: _T = _KEPT[key]
        return found
    value = await read()
    _KEPT[key] = value
    while len(_KEPT) > REMEMBERED:
        _KEPT.popitem(last=False)
    return value


def scope_key(where: LeadFilter) -> tuple[Any, ...]:
    """What a rollup read depends on besides its days (not the period's exact ends)."""
    return (where.everything, where.agents, where.pipelines, where.pipeline)


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz)


def rolled_up(state: RollupState | None, where: LeadFilter) -> RolledUp | None:
    """The complete days of [start, end) that ended by the rollup's last refresh."""
    if state is None or state.refreshed_at is None:
        return None
    tz = ZoneInfo(state.zone)
    first = where.start.astimezone(tz).date()
    if midnight(first, tz) < where.start:
        first += timedelta(days=1)
    last = min(where.end, state.refreshed_at).astimezone(tz).date()
    if first >= last:
        return None
    return RolledUp(first, last, state.refreshed_at, state.zone, state.generation)


def live_spans(where: LeadFilter, rolled: RolledUp | None) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) the rollup does not answer for."""
    if rolled is None:
        return [(where.start, where.end)]
    tz = ZoneInfo(rolled.zone)
    start, end = midnight(rolled.first, tz), midnight(rolled.last, tz)
    return [(a, b) for a, b in ((where.start, start), (end, where.end)) if a < b]


def added(rows: Iterable[Counted]) -> list[Counted]:
    """Rows of the same group and keys (from the rollup and from live spans) added up."""
    sums: dict[tuple[str, tuple[str | None, ...]], Counted] = {}
    for row in rows:
        known = sums.get((row.group, row.keys))
        sums[(row.group, row.keys)] = row if known is None else plus(known, row)
    return list(sums.values())


def plus(a: Counted, b: Counted) -> Counted:
    return Counted(
        a.group,
        a.keys,
        a.leads + b.leads,
        a.contacted + b.contacted,
        a.within_5_min + b.within_5_min,
        a.breaches + b.breaches,
        a.won + b.won,
    )


Buckets = dict[int, tuple[int, float, float]]
"""Histogram bucket → contacts, smallest and largest seconds to first contact."""


def speed_quantiles(
    rows: list[Histogram], team_of: dict[str, str]
) -> tuple[
    dict[str | None, tuple[float, float]],
    dict[str | None, tuple[float, float]],
    tuple[float, float] | None,
]:
    """Median and 90th percentile per agent, per agent's team and overall, from the histograms
    (the live spans' and the rollup's added up)."""
    agents: dict[str | None, Buckets] = defaultdict(dict)
    teams: dict[str | None, Buckets] = defaultdict(dict)
    everyone: Buckets = {}
    for row in rows:
        for buckets in (agents[row.agent], teams[team_of.get(row.agent or "")], everyone):
            add_bucket(buckets, row)
    by_agent = {key: median_p90(buckets) for key, buckets in agents.items()}
    by_team = {key: median_p90(buckets) for key, buckets in teams.items()}
    return by_agent, by_team, median_p90(everyone) if everyone else None


def add_bucket(buckets: Buckets, row: Histogram) -> None:
    known = buckets.get(row.bucket)
    if known is None:
        buckets[row.bucket] = (row.contacts, row.smallest_s, row.largest_s)
    else:
        count, smallest, largest = known
        buckets[row.bucket] = (
            count + row.contacts,
            min(smallest, row.smallest_s),
            max(largest, row.largest_s),
        )


def median_p90(buckets: Buckets) -> tuple[float, float]:
    ordered = [buckets[key] for key in sorted(buckets)]
    return percentile(ordered, 0.5), percentile(ordered, 0.9)
