"""One agent's availability, compiled once and answered fast.

The router asks about ~200 agents per lead, many thousands of leads a second in replays, so an
`AgentCalendar` precomputes the agent's time a week at a time (weeks of the agent's local dates,
Monday to Sunday): segments of one state, each with its finished `Availability`. A question is
then a timestamp, a bisection and a list lookup. Weeks are cached; the answers never depend on
which weeks happen to be cached or on the order of the questions.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from leadflow.calendar.holidays import Holiday, HolidayBook
from leadflow.calendar.leave import leave_spans
from leadflow.calendar.shifts import day_spans, intervals_on, overrides_by_date
from leadflow.calendar.spans import Span
from leadflow.calendar.timeline import (
    Blocks,
    OffShift,
    OnHoliday,
    OnLeave,
    OnShift,
    Segment,
    segments,
)
from leadflow.calendar.wallclock import ONE_DAY, local_date, local_midnight, zone
from leadflow.calendar.wording import describe
from leadflow.domain.configuration import Agent, Schedule, Team
from leadflow.domain.roster import Availability, Unavailability

HORIZON_DAYS = 60
"""How far ahead `next_available_at` looks; beyond it the answer is None."""

_HORIZON = timedelta(days=HORIZON_DAYS)
_HORIZON_SECONDS = _HORIZON.total_seconds()
_WEEK = 7
_MAX_CACHED_WEEKS = 64
_AVAILABLE = Availability(available=True)


@dataclass(frozen=True, slots=True)
class _Week:
    lo: float
    hi: float
    starts: list[float]
    answers: list[Availability]
    next_free: list[float]
    """Timestamp of each answer's `next_available_at`; -inf when there is none."""


_NO_WEEK = _Week(0.0, 0.0, [], [], [])


class AgentCalendar:
    """The calendar of `agent` in `team`; build it with `compile_calendar`."""

    def __init__(self, agent: Agent, team: Team, book: HolidayBook) -> None:
        self.agent, self.team = agent, team
        self._schedule = agent.schedule
        self._tz = zone(agent.timezone)
        self._book = book
        self._overrides = overrides_by_date(agent.schedule) if agent.schedule else {}
        self._segments: dict[int, list[Segment]] = {}
        self._weeks: dict[int, _Week] = {}
        self._current = _NO_WEEK

    def availability(self, now: datetime, timestamps: Timestamps | None = None) -> Availability:
        """Whether the agent can take a lead at `now` (aware), why not, and from when.
        Pass `timestamps` when asking many calendars about the same `now`."""
        if self._schedule is None:
            return _AVAILABLE
        moment = _timestamp_of(now) if timestamps is None else timestamps.of(now)
        week = self._current
        if not week.lo <= moment < week.hi:
            week = self._current = self._week_at(moment)
        i = bisect_right(week.starts, moment) - 1
        if week.next_free[i] - moment > _HORIZON_SECONDS:
            return self._beyond_horizon(week.answers[i])
        return week.answers[i]

    def next_availability(self, now: datetime) -> datetime | None:
        """`now` when available, else the next moment the agent is (None past the horizon)."""
        answer = self.availability(now)
        return now if answer.available else answer.next_available_at

    def on_shift(self, now: datetime) -> bool:
        """Working at `now`: inside a shift and neither on leave nor on holiday."""
        return self.availability(now).available

    def working_spans(self, start: datetime, end: datetime) -> Iterator[Span]:
        """The agent's working time between `start` and `end` (shifts minus leave and
        holidays): disjoint spans in order, the first clipped to `start`, the last to `end`."""
        if self._schedule is None:
            yield Span(start, end)
            return
        pending: Span | None = None
        for piece in self._segments_from(start):
            if piece.start >= end:
                break
            if not isinstance(piece.state, OnShift):
                continue
            span = Span(max(piece.start, start), min(piece.end, end))
            if pending is not None and span.start <= pending.end:
                pending = Span(pending.start, max(pending.end, span.end))
                continue
            if pending is not None:
                yield pending
            pending = span
        if pending is not None:
            yield pending

    def _beyond_horizon(self, answer: Availability) -> Availability:
        detail = answer.detail
        if answer.reason is Unavailability.OFF_SHIFT:
            detail = describe(OffShift(), None, self._tz, HORIZON_DAYS)
        return replace(answer, detail=detail, next_available_at=None)

    # --- weeks of answers ---------------------------------------------------------------------

    def _week_at(self, moment: float) -> _Week:
        return self._week(self._week_index_at(datetime.fromtimestamp(moment, self._tz)))

    def _week_index_at(self, moment: datetime) -> int:
        index = _week_index(local_date(moment, self._tz))
        while True:  # more than once only when clocks jump at local midnight
            pieces = self._week_segments(index)
            if moment < pieces[0].start:
                index -= 1
            elif moment >= pieces[-1].end:
                index += 1
            else:
                return index

    def _week(self, index: int) -> _Week:
        week = self._weeks.get(index)
        if week is None:
            if len(self._weeks) >= _MAX_CACHED_WEEKS:
                self._weeks.clear()
            week = self._weeks[index] = self._answer_week(index)
        return week

    def _answer_week(self, index: int) -> _Week:
        pieces = self._week_segments(index)
        answers = [self._answer(piece) for piece in pieces]
        return _Week(
            lo=pieces[0].start.timestamp(),
            hi=pieces[-1].end.timestamp(),
            starts=[piece.start.timestamp() for piece in pieces],
            answers=answers,
            next_free=[_timestamp(answer.next_available_at) for answer in answers],
        )

    def _answer(self, piece: Segment) -> Availability:
        state = piece.state
        if isinstance(state, OnShift):
            return _AVAILABLE
        next_free = self._next_free(piece.end)
        return Availability(
            available=False,
            reason=_reason(state),
            detail=describe(state, next_free, self._tz, HORIZON_DAYS),
            next_available_at=next_free,
        )

    def _next_free(self, after: datetime) -> datetime | None:
        """The first moment from `after` on at which the agent works, within the horizon.

        Searched from the end of an unavailable segment, so at query time the horizon counts
        from a later moment than `now`; `availability` drops answers that lie beyond it.
        """
        limit = after + _HORIZON
        for piece in self._segments_from(after):
            if piece.start > limit:
                return None
            if isinstance(piece.state, OnShift):
                return max(piece.start, after)
        raise AssertionError("segments never end")

    # --- segments -----------------------------------------------------------------------------

    def _segments_from(self, moment: datetime) -> Iterator[Segment]:
        index = self._week_index_at(moment)
        while True:
            yield from (piece for piece in self._week_segments(index) if piece.end > moment)
            index += 1

    def _week_segments(self, index: int) -> list[Segment]:
        pieces = self._segments.get(index)
        if pieces is None:
            if len(self._segments) >= _MAX_CACHED_WEEKS:
                self._segments.clear()
            pieces = self._segments[index] = self._cut_week(index)
        return pieces

    def _cut_week(self, index: int) -> list[Segment]:
        first = date.fromordinal(index * _WEEK + 1)
        after = first + timedelta(days=_WEEK)
        window = Span(local_midnight(first, self._tz), local_midnight(after, self._tz))
        return segments(window, self._blocks(first - ONE_DAY, after - ONE_DAY))

    def _blocks(self, first: date, last: date) -> Blocks:
        """Shifts starting on local dates first…last, and the leave and holidays on them."""
        schedule = self._schedule
        assert schedule is not None
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return Blocks(
            shifts=[s for day in days for s in self._shifts_on(day, schedule)],
            leave=[
                (s, lv) for lv in schedule.leave for s in leave_spans(lv, self._tz, first, last)
            ],
            holidays=[(s, h) for day in days for s, h in self._holiday_spans(day)],
        )

    def _shifts_on(self, day: date, schedule: Schedule) -> list[Span]:
        return day_spans(day, intervals_on(day, schedule.weekly, self._overrides), self._tz)

    def _holiday_spans(self, day: date) -> list[tuple[Span, Holiday]]:
        holiday = self._book.holiday_on(day)
        if holiday is None:
            return []
        return [(span, holiday) for span in holiday.closed_spans(self._tz)]


def compile_calendar(agent: Agent, team: Team, book: HolidayBook | None = None) -> AgentCalendar:
    """The calendar of `agent` under `team`'s holidays; pass `book` to share one across a team."""
    return AgentCalendar(agent, team, book if book is not None else HolidayBook(team.holidays))


def _reason(state: OffShift | OnLeave | OnHoliday) -> Unavailability:
    if isinstance(state, OnLeave):
        return Unavailability.ON_LEAVE
    if isinstance(state, OnHoliday):
        return Unavailability.HOLIDAY
    return Unavailability.OFF_SHIFT


class Timestamps:
    """`now.timestamp()`, remembering the last `now` converted: the router asks ~200 agents'
    calendars about the same object, and converting costs about as much as the rest of an
    answer. Held by whoever asks many calendars about one moment (an Organisation); the
    calendars keep no clock."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[datetime, float] = (datetime.min, 0.0)

    def of(self, now: datetime) -> float:
        last = self._last  # one read: another thread may replace the pair, never half of it
        if last[0] is now:
            return last[1]
        moment = _timestamp_of(now)
        self._last = (now, moment)
        return moment


def _timestamp_of(now: datetime) -> float:
    if now.tzinfo is None:
        raise ValueError(f"now must be an aware datetime, got {now!r}")
    return now.timestamp()


def _week_index(day: date) -> int:
    """Weeks numbered from the proleptic Monday 0001-01-01."""
    return (day.toordinal() - 1) // _WEEK


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else -math.inf
