"""The roster a replay keeps for itself: loads counted from its own decisions, availability
asked lazily of a calendar function, pool states carried from one decision to the next."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadflow.domain.roster import AgentSnapshot, Availability, Load, PoolState

AvailabilityOf = Callable[[str, datetime], Availability]


@dataclass(slots=True)
class _Periods:
    """An agent's current local day, ISO week and month as UTC instants, with its counts."""

    day: tuple[datetime, datetime]
    week: tuple[datetime, datetime]
    month: tuple[datetime, datetime]
    counts: list[int]
    """New leads this day, week, month."""


class LoadBook:
    """New leads per agent-local day, ISO week and month, and open leads, as the replay assigns.

    Time only moves forward: periods roll over when a lead arrives after their end.
    """

    def __init__(self, zone_of: Callable[[str], ZoneInfo]) -> None:
        self._zone_of = zone_of
        self._periods: dict[str, _Periods] = {}
        self._open: dict[str, int] = {}
        self._closing: list[tuple[datetime, int, str]] = []
        self._loads: dict[str, Load] = {}
        self._sequence = 0

    def load(self, agent: str, at: datetime) -> Load:
        """The agent's load at `at` (UTC); the same object while nothing changed."""
        periods = self._periods.get(agent)
        if periods is not None and not periods.day[0] <= at < periods.day[1]:
            self._roll(agent, periods, at)
        cached = self._loads.get(agent)
        if cached is None:
            cached = self._count(agent)
            self._loads[agent] = cached
        return cached

    def assign(self, agent: str, at: datetime, closed_at: datetime | None) -> None:
        periods = self._periods.get(agent)
        if periods is None:
            periods = self._periods[agent] = _periods_at(at, self._zone_of(agent))
        elif not periods.day[0] <= at < periods.day[1]:
            self._roll(agent, periods, at)
        periods.counts = [count + 1 for count in periods.counts]
        self._open[agent] = self._open.get(agent, 0) + 1
        if closed_at is not None:
            self._sequence += 1
            heapq.heappush(self._closing, (closed_at.astimezone(UTC), self._sequence, agent))
        self._loads.pop(agent, None)

    def close_until(self, at: datetime) -> None:
        """Close every lead whose `closed_at` is not after `at`."""
        while self._closing and self._closing[0][0] <= at:
            _, _, agent = heapq.heappop(self._closing)
            self._open[agent] -= 1
            self._loads.pop(agent, None)

    def _roll(self, agent: str, periods: _Periods, at: datetime) -> None:
        fresh = _periods_at(at, self._zone_of(agent))
        kept = (periods.week == fresh.week, periods.month == fresh.month)
        fresh.counts = [0, periods.counts[1] if kept[0] else 0, periods.counts[2] if kept[1] else 0]
        self._periods[agent] = fresh
        self._loads.pop(agent, None)

    def _count(self, agent: str) -> Load:
        periods = self._periods.get(agent)
        day, week, month = periods.counts if periods else (0, 0, 0)
        return Load(day=day, week=week, month=month, open=self._open.get(agent, 0))


def _periods_at(at: datetime, zone: ZoneInfo) -> _Periods:
    today = at.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return _Periods(
        day=_span(today, today + timedelta(days=1), zone),
        week=_span(monday, monday + timedelta(days=7), zone),
        month=_span(first, following, zone),
        counts=[0, 0, 0],
    )


def _span(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    def instant(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

    return instant(start), instant(end)


class ReplayRoster:
    """A RosterView over the replay's own state, answering only for the agents asked about.

    Availability is cached for the current minute, so a burst of leads asks once per agent.
    """

    def __init__(
        self, loads: LoadBook, availability: AvailabilityOf, pools: Mapping[str, PoolState]
    ) -> None:
        self._loads = loads
        self._availability = availability
        self._pools = pools
        self._now = datetime.min.replace(tzinfo=UTC)
        self._minute = self._now
        self._cache: dict[str, Availability] = {}

    def at(self, now: datetime) -> None:
        """Move the roster to `now` (UTC)."""
        self._now = now
        minute = now.replace(second=0, microsecond=0)
        if minute != self._minute:
            self._minute = minute
            self._cache.clear()

    def agent(self, key: str) -> AgentSnapshot:
        availability = self._cache.get(key)
        if availability is None:
            availability = self._cache[key] = self._availability(key, self._now)
        return AgentSnapshot(key, self._loads.load(key, self._now), availability)

    def pool(self, pipeline: str) -> PoolState:
        return self._pools.get(pipeline) or PoolState()
