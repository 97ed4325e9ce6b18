"""The dashboards over time: the period's figures per day (per week beyond five weeks), and the
same figures for the period before, to show the change. Each day's figures are counted exactly
as the period's (`dashboards.dashboard`): complete days from the daily rollup, the rest live
with the same queries, so the points add up to the period's totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from leadflow.analytics.kpi import Speed
from leadflow.domain.configuration import Configuration
from leadflow.services.access.scoping import Viewer
from leadflow.services.reporting import dashboards
from leadflow.services.reporting.dashboards import Filters, Live, _speed
from leadflow.services.reporting.rollup_days import (
    Buckets,
    add_bucket,
    live_spans,
    median_p90,
    midnight,
    plus,
    remembered,
    rolled_up,
    scope_key,
)
from leadflow.storage.repositories.reporting.dashboard_rollups import DashboardRollups
from leadflow.storage.repositories.reporting.dashboard_trends import DashboardTrends
from leadflow.storage.repositories.reporting.dashboards import Counted, Histogram, LeadFilter
from leadflow.storage.store import Store

WEEKLY_AFTER_DAYS = 35
"""Longer periods are drawn per week (Monday to Sunday), shorter ones per day."""


@dataclass(frozen=True)
class Point:
    """The figures of the leads received from `start` for `days` days (1 or 7; the first and
    last point may cover part of theirs), in the organisation's time zone."""

    start: date
    days: int
    speed: Speed

    @property
    def conversion(self) -> float | None:
        """Of the leads received, the share won (now)."""
        return self.speed.won / self.speed.leads if self.speed.leads else None


@dataclass
class _Day:
    counted: Counted | None = None
    buckets: Buckets | None = None

    def add(self, row: Counted) -> None:
        self.counted = row if self.counted is None else plus(self.counted, row)

    def add_histogram(self, row: Histogram) -> None:
        if self.buckets is None:
            self.buckets = {}
        add_bucket(self.buckets, row)


async def trend(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    filters: Filters,
    now: datetime,
    known: Mapping[LeadFilter, Live] | None = None,
) -> list[Point]:
    """The period's figures per day, or per week for periods over `WEEKLY_AFTER_DAYS` days; a
    day or week without leads is a point of zeros. `known`: spans the period's dashboard
    counted live already (`Dashboard.live`), not counted again."""
    where = dashboards.lead_filter(viewer, configuration, filters)
    await store.dashboards.tune_for_reports()
    state = await DashboardRollups(store.session).state()
    zone = ZoneInfo(state.zone if state else configuration.organisation.timezone)
    rolled = rolled_up(state, where)
    days: dict[date, _Day] = defaultdict(_Day)
    if rolled is not None:
        trends = DashboardTrends(store.session)
        scope = scope_key(where)
        first, last = rolled.first, rolled.last
        daily = await remembered(
            ("daily_totals", rolled, scope), lambda: trends.daily_totals(where, first, last)
        )
        for day, row in daily:
            days[day].add(row)
        speeds = await remembered(
            ("daily_speed", rolled, scope), lambda: trends.daily_speed(where, first, last)
        )
        for day, histogram in speeds:
            days[day].add_histogram(histogram)
    for start, end in live_spans(where, rolled):
        for day, live in _each_day(where, start, end, zone):
            found = (known or {}).get(live)
            if found is None:
                found = (
                    await store.dashboards.period_counts(live, now),
                    await store.dashboards.speed_histogram(live),
                )
            _add_live(days[day], found)
    weekly = (filters.end - filters.start) > timedelta(days=WEEKLY_AFTER_DAYS)
    last = (filters.end - timedelta(microseconds=1)).astimezone(zone).date()
    return _points(days, _first_day(where, zone), last, weekly)


async def previous_total(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    filters: Filters,
    now: datetime,
) -> Speed:
    """The figures of the period of the same length just before the chosen one."""
    length = filters.end - filters.start
    before = replace(filters, start=filters.start - length, end=filters.start)
    return await dashboards.total(store, viewer, configuration, before, now)


def _first_day(where: LeadFilter, zone: ZoneInfo) -> date:
    return where.start.astimezone(zone).date()


def _each_day(
    where: LeadFilter, start: datetime, end: datetime, zone: ZoneInfo
) -> list[tuple[date, LeadFilter]]:
    """[start, end) cut at each midnight in `zone`, each part with the day it belongs to."""
    parts = []
    day = start.astimezone(zone).date()
    while midnight(day, zone) < end:
        a = max(start, midnight(day, zone))
        b = min(end, midnight(day + timedelta(days=1), zone))
        if a < b:
            parts.append((day, replace(where, start=a, end=b)))
        day += timedelta(days=1)
    return parts


def _add_live(day: _Day, live: Live) -> None:
    counted, histograms = live
    for row in counted:
        if row.group == "total":
            day.add(row)
    for histogram in histograms:
        day.add_histogram(histogram)


def _points(days: dict[date, _Day], first: date, last: date, weekly: bool) -> list[Point]:
    """A point per day from `first` to `last` (or per week from `first`'s Monday)."""
    step = 7 if weekly else 1
    start = first - timedelta(days=first.weekday()) if weekly else first
    points = []
    while start <= last:
        merged = _Day()
        for offset in range(step):
            found = days.get(start + timedelta(days=offset))
            if found is None:
                continue
            if found.counted is not None:
                merged.add(found.counted)
            for bucket, (count, smallest, largest) in (found.buckets or {}).items():
                merged.add_histogram(Histogram(None, bucket, count, smallest, largest))
        points.append(Point(start, step, _figures(merged)))
        start += timedelta(days=step)
    return points


def _figures(day: _Day) -> Speed:
    counted = day.counted or Counted("total", (), 0, 0, 0, 0, 0)
    quantiles = median_p90(day.buckets) if day.buckets else None
    return _speed(counted, None, quantiles)
