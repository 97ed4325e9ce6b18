"""Working minutes for SLAs: time that only runs inside business hours and outside holidays.

Business hours are a `WeeklyPattern` of wall-clock intervals in a pipeline's zone; a holiday of
the `HolidayBook` closes its local date (a half day keeps its worked hours). Minutes are real
elapsed minutes, so an hour skipped or repeated by DST counts as it passed.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from leadflow.calendar.agent_calendar import HORIZON_DAYS, AgentCalendar
from leadflow.calendar.holidays import HolidayBook
from leadflow.calendar.shifts import day_spans
from leadflow.calendar.spans import Span, subtract
from leadflow.calendar.wallclock import ONE_DAY, local_date, require_aware, zone
from leadflow.domain.configuration import WeeklyPattern

MAX_CLOSED_DAYS = 366
"""`add_working_minutes` gives up after this many days in a row without working time."""


class NoWorkingTime(ValueError):
    """The business hours and holidays leave no working time to count in."""


def add_working_minutes(
    start: datetime, minutes: int, hours: WeeklyPattern, tz: str, book: HolidayBook | None = None
) -> datetime:
    """The moment `minutes` working minutes after `start` (aware; the answer is in UTC).

    Outside business hours the clock starts at the next opening. A count used up exactly at
    closing time ends at the closing time, and zero minutes is `start` itself, so that
    adding a then b equals adding a + b.
    """
    require_aware(start, "start")
    if minutes < 0:
        raise ValueError(f"minutes must not be negative, got {minutes}")
    remaining = timedelta(minutes=minutes)
    if not remaining:
        return start
    start = start.astimezone(UTC)  # aware arithmetic in a local zone would be wall-clock time
    tzinfo = zone(tz)
    for span in open_spans(local_date(start, tzinfo) - ONE_DAY, None, hours, tzinfo, book):
        if span.end <= start:
            continue
        begin = max(span.start, start)
        if span.end - begin >= remaining:
            return begin + remaining
        remaining -= span.end - begin
    raise AssertionError("open_spans without a last day never ends")


def add_shift_minutes(
    start: datetime, minutes: int, calendars: Iterable[AgentCalendar]
) -> datetime | None:
    """The moment `minutes` minutes after `start` counted only while at least one of
    `calendars` works (None when they do not work that long within HORIZON_DAYS)."""
    require_aware(start, "start")
    remaining = timedelta(minutes=minutes)
    if not remaining:
        return start
    start = start.astimezone(UTC)
    end = start + timedelta(days=HORIZON_DAYS)
    streams = [calendar.working_spans(start, end) for calendar in calendars]
    union: Span | None = None
    for span in heapq.merge(*streams, key=lambda s: s.start):
        if union is not None and span.start <= union.end:
            union = Span(union.start, max(union.end, span.end))
        else:
            if union is not None:
                remaining -= union.duration
            union = span
        if union.duration >= remaining:
            return union.start + remaining
    return None


def working_minutes_between(
    a: datetime, b: datetime, hours: WeeklyPattern, tz: str, book: HolidayBook | None = None
) -> float:
    """Working minutes from `a` to `b`; negative when `b` comes before `a`."""
    require_aware(a, "a")
    require_aware(b, "b")
    if b < a:
        return -working_minutes_between(b, a, hours, tz, book)
    tzinfo, window = zone(tz), Span(a.astimezone(UTC), b.astimezone(UTC))
    first, last = local_date(a, tzinfo) - ONE_DAY, local_date(b, tzinfo)
    total = timedelta(0)
    for span in open_spans(first, last, hours, tzinfo, book):
        if span.start >= b:
            break
        total += span.overlap(window)
    return total / timedelta(minutes=1)


def open_spans(
    first: date, last: date | None, hours: WeeklyPattern, tz: ZoneInfo, book: HolidayBook | None
) -> Iterator[Span]:
    """Working time of local dates `first` … `last` (endless when None): disjoint, in order.

    Raises NoWorkingTime after MAX_CLOSED_DAYS days in a row without any.
    """
    return _disjoint(_daily_spans(first, last, hours, tz, book))


def open_spans_on(
    day: date, hours: WeeklyPattern, tz: ZoneInfo, book: HolidayBook | None
) -> list[Span]:
    """Business hours starting on local `day`, minus holidays (including the next day's)."""
    spans = day_spans(day, hours.on(day.weekday()), tz)
    if book is None or not spans:
        return spans
    closed = [span for d in (day, day + ONE_DAY) for span in _closed_on(d, tz, book)]
    return subtract(spans, closed)


def _closed_on(day: date, tz: ZoneInfo, book: HolidayBook) -> list[Span]:
    holiday = book.holiday_on(day)
    return holiday.closed_spans(tz) if holiday is not None else []


def _daily_spans(
    first: date, last: date | None, hours: WeeklyPattern, tz: ZoneInfo, book: HolidayBook | None
) -> Iterator[Span]:
    day, closed_days = first, 0
    while last is None or day <= last:
        spans = open_spans_on(day, hours, tz, book)
        closed_days = 0 if spans else closed_days + 1
        if closed_days > MAX_CLOSED_DAYS:
            raise NoWorkingTime(f"no working time in the {MAX_CLOSED_DAYS} days before {day}")
        yield from spans
        day += ONE_DAY


def _disjoint(spans: Iterable[Span]) -> Iterator[Span]:
    """Spans sorted by start, each cut to begin where the ones before it ended.

    Unlike merging, this yields at once, so it also works on endless touching spans
    (business hours round the clock).
    """
    covered: datetime | None = None
    for span in spans:
        start = span.start if covered is None else max(span.start, covered)
        if start < span.end:
            yield Span(start, span.end)
        covered = span.end if covered is None else max(covered, span.end)
