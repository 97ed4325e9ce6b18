"""An agent's leave as spans of absolute time, on the agent's local dates."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from leadflow.calendar.shifts import day_spans
from leadflow.calendar.spans import Span
from leadflow.calendar.wallclock import ONE_DAY, local_midnight
from leadflow.domain.configuration import Leave


def leave_spans(leave: Leave, tz: ZoneInfo, first: date, last: date) -> list[Span]:
    """What `leave` covers of the local dates `first` … `last` (inclusive) in `tz`.

    Full-day leave is one span from local midnight to local midnight; leave with intervals is
    those intervals on each of its dates (one crossing midnight runs into the next date).
    """
    lo, hi = max(leave.start, first), min(leave.end, last)
    if lo > hi:
        return []
    if not leave.intervals:
        return [Span(local_midnight(lo, tz), local_midnight(hi + ONE_DAY, tz))]
    spans: list[Span] = []
    day = lo
    while day <= hi:
        spans.extend(day_spans(day, leave.intervals, tz))
        day += ONE_DAY
    return spans
