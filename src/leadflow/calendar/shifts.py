"""An agent's schedule expanded into concrete shifts: UTC spans from local wall-clock intervals.

A shift belongs to the local date it starts on. An interval whose end is not after its start
crosses midnight and ends on the next local date (`22:00-06:00`; `09:00-09:00` is a full day).
A date override replaces that date's weekly intervals (no intervals: a day off); a shift that
started the evening before still runs into it. Wall times become instants with the fold=0 rules
of `wallclock`, so a 22:00-06:00 night in Europe/Berlin lasts 7 hours when clocks go forward and
9 when they go back; a shift left with no length by a DST gap is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from leadflow.calendar.spans import Span
from leadflow.calendar.wallclock import ONE_DAY, local_date, require_aware, wall_to_utc, zone
from leadflow.domain.configuration import Interval, Schedule, WeeklyPattern


def interval_span(day: date, interval: Interval, tz: ZoneInfo) -> Span | None:
    """The instants `interval` covers on local `day` in `tz`; None if DST leaves nothing."""
    end_day = day if interval.end > interval.start else day + ONE_DAY
    start = wall_to_utc(day, interval.start, tz)
    end = wall_to_utc(end_day, interval.end, tz)
    return Span(start, end) if start < end else None


def day_spans(day: date, intervals: Iterable[Interval], tz: ZoneInfo) -> list[Span]:
    """Spans of `intervals` worked on local `day`, sorted by start."""
    spans = (interval_span(day, interval, tz) for interval in intervals)
    return sorted((span for span in spans if span is not None), key=lambda s: s.start)


def overrides_by_date(schedule: Schedule) -> dict[date, list[Interval]]:
    """Override intervals per date; a later override of the same date wins."""
    return {override.date: override.intervals for override in schedule.overrides}


def intervals_on(
    day: date, weekly: WeeklyPattern, overrides: Mapping[date, list[Interval]]
) -> list[Interval]:
    """The intervals planned for local `day`: its override if any, else its weekday's."""
    planned = overrides.get(day)
    return planned if planned is not None else weekly.on(day.weekday())


def shift_spans(schedule: Schedule, tz: str, start: datetime, end: datetime) -> list[Span]:
    """Every whole shift of `schedule` (kept in zone `tz`) that overlaps `[start, end)`.

    Shifts are not cut to the window: one that began before `start` is returned from its real
    start. Sorted by start; split shifts are separate spans.
    """
    require_aware(start, "start")
    require_aware(end, "end")
    tzinfo, overrides = zone(tz), overrides_by_date(schedule)
    day, last = local_date(start, tzinfo) - ONE_DAY, local_date(end, tzinfo)
    found: list[Span] = []
    while day <= last:
        planned = intervals_on(day, schedule.weekly, overrides)
        found.extend(s for s in day_spans(day, planned, tzinfo) if s.start < end and start < s.end)
        day += ONE_DAY
    return found
