"""The roster a replay keeps for itself: loads counted from its own decisions, availability
asked lazily of a calendar function, pool states carried from one decision to the next."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from leadflow.domain.roster import AgentSnapshot, Availability, Load, PoolState

AvailabilityOf = Callable[[str, datetime], Availability]

_MINUTE = timedelta(minutes=1)
_DAWN = datetime.min.replace(tzinfo=UTC)


class _Day(NamedTuple):
    """A local date in some zone, with the keys of its ISO week and month and its end (UTC)."""

    local: date
    monday: date
    month: tuple[int, int]
    ends: datetime


@dataclass(slots=True)
class _Ledger:
    """One agent's counts: new leads in the local day, ISO week and month; open leads."""

    day: _Day
    day_count: int = 0
    week_count: int = 0
    month_count: int = 0
    open_count: int = 0
    load: Load | None = None
    """The counts as a Load; None once they change, rebuilt when next asked."""

    def roll(self, today: _Day) -> None:
        if today.local != self.day.local:
            week = self.week_count if today.monday == self.day.monday else 0
            month = self.month_count if today.month == self.day.month else 0
            if (self.day_count, self.week_count, self.month_count) != (0, week, month):
                self.day_count, self.week_count, self.month_count = 0, week, month
                self.load = None
        self.day = today

    def current(self) -> Load:
        if self.load is None:
            counts = (self.day_count, self.week_count, self.month_count, self.open_count)
            self.load = Load(*counts)
        return self.load


class LoadBook:
    """New leads per agent-local day, ISO week and month, and open leads, as the replay assigns.

    Time only moves forward (`at`); a period's count restarts when the agent's local date
    leaves it. Local dates are computed once per time zone per day; a Load object is kept
    while its counts stay the same, so snapshots built on it can be reused.
    """

    def __init__(self, zone_of: Callable[[str], ZoneInfo]) -> None:
        self._zone_of = zone_of
        self._days: dict[ZoneInfo, _Day] = {}
        self._now = _DAWN
        self._ledgers: dict[str, _Ledger] = {}
        self._zones: dict[str, ZoneInfo] = {}
        self._closing: list[tuple[datetime, int, str]] = []
        self._sequence = 0
        self._holders: dict[int, str] = {}
        """Who holds each open lead counted by key (`hold`), so a lead closes for its owner."""
        self._held: list[tuple[datetime, int, int]] = []

    def at(self, now: datetime) -> None:
        """Move to `now` (UTC), closing the leads closed by then."""
        self._now = now
        while self._closing and self._closing[0][0] <= now:
            _, _, agent = heapq.heappop(self._closing)
            self._open(agent, -1)
        while self._held and self._held[0][0] <= now:
            _, _, lead = heapq.heappop(self._held)
            holder = self._holders.pop(lead, None)
            if holder is not None:
                self._open(holder, -1)

    def _open(self, agent: str, delta: int) -> None:
        ledger = self._ledgers[agent]
        ledger.open_count += delta
        ledger.load = None

    def ledger(self, agent: str) -> _Ledger:
        """The agent's ledger, rolled to the agent's local date now."""
        ledger = self._ledgers.get(agent)
        if ledger is None or self._now >= ledger.day.ends:
            ledger = self._ledger(agent)
        return ledger

    def assign(self, agent: str, closed_at: datetime | None) -> None:
        """Count a new lead for `agent` now, open until `closed_at` (None: open to the end)."""
        ledger = self._ledger(agent)
        ledger.day_count += 1
        ledger.week_count += 1
        ledger.month_count += 1
        ledger.open_count += 1
        ledger.load = None
        if closed_at is not None:
            self._sequence += 1
            heapq.heappush(self._closing, (closed_at.astimezone(UTC), self._sequence, agent))

    def count_new(self, agent: str) -> None:
        """Count a new lead for `agent` in its day, week and month now (every assignment)."""
        ledger = self._ledger(agent)
        ledger.day_count += 1
        ledger.week_count += 1
        ledger.month_count += 1
        ledger.load = None

    def hold(self, lead: int, agent: str | None, closed_at: datetime | None) -> None:
        """`agent` now holds the open lead `lead` (None: nobody); the previous holder lets it go.
        The lead stops counting at `closed_at` for whoever holds it then."""
        previous = self._holders.pop(lead, None)
        if previous is not None:
            self._open(previous, -1)
        if agent is None or (closed_at is not None and closed_at <= self._now):
            return
        if previous is None and closed_at is not None:
            self._sequence += 1
            heapq.heappush(self._held, (closed_at.astimezone(UTC), self._sequence, lead))
        self._ledger(agent)
        self._holders[lead] = agent
        self._open(agent, 1)

    def _ledger(self, agent: str) -> _Ledger:
        """The agent's ledger, rolled to the agent's local date now."""
        today = self._today(agent)
        ledger = self._ledgers.get(agent)
        if ledger is None:
            ledger = self._ledgers[agent] = _Ledger(today)
        else:
            ledger.roll(today)
        return ledger

    def _today(self, agent: str) -> _Day:
        zone = self._zones.get(agent)
        if zone is None:
            zone = self._zones[agent] = self._zone_of(agent)
        day = self._days.get(zone)
        if day is None or self._now >= day.ends:
            day = self._days[zone] = _day_at(self._now, zone)
        return day


def _day_at(now: datetime, zone: ZoneInfo) -> _Day:
    local = now.astimezone(zone).date()
    ends = datetime.combine(local + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    monday = local - timedelta(days=local.weekday())
    return _Day(local, monday, (local.year, local.month), ends)


@dataclass(slots=True)
class _Seat:
    """What the roster last answered for one agent, and until when it holds."""

    availability: Availability
    until: datetime
    ledger: _Ledger
    snapshot: AgentSnapshot

    def __init__(
        self, availability: Availability, until: datetime, ledger: _Ledger, snapshot: AgentSnapshot
    ) -> None:  # written out so that mypyc compiles it (docs/decisions/0006)
        self.availability = availability
        self.until = until
        self.ledger = ledger
        self.snapshot = snapshot


class ReplayRoster:
    """A RosterView over the replay's own state, answering only for the agents asked about.

    An availability answer is reused while it holds: an unavailable one until its
    `next_available_at` (the calendar's promise that nothing opens earlier; the reason may
    change in between, say from off shift to a holiday, but not the eligibility), an available
    one for the rest of its minute. A snapshot is reused while its availability holds and its
    agent's counts have not changed.
    """

    def __init__(
        self, loads: LoadBook, availability: AvailabilityOf, pools: Mapping[str, PoolState]
    ) -> None:
        self._loads = loads
        self._availability = availability
        self._pools = pools
        self._now = _DAWN
        self._seats: dict[str, _Seat] = {}

    def at(self, now: datetime) -> None:
        """Move the roster to `now` (UTC)."""
        self._now = now

    def agent(self, key: str) -> AgentSnapshot:
        seat = self._seats.get(key)
        if seat is not None and self._now < seat.until:
            ledger = seat.ledger
            if self._now < ledger.day.ends and ledger.load is seat.snapshot.load:
                return seat.snapshot
        return self._refresh(key, seat).snapshot

    def pool(self, pipeline: str) -> PoolState:
        return self._pools.get(pipeline) or PoolState()

    def _refresh(self, key: str, seat: _Seat | None) -> _Seat:
        if seat is None or self._now >= seat.until:
            availability = self._availability(key, self._now)
            until = self._valid_until(availability)
        else:
            availability, until = seat.availability, seat.until
        # The load is counted even for an unavailable agent: a virtual consultant's caps apply
        # whatever its calendar says.
        ledger = self._loads.ledger(key)
        load = ledger.current()
        if (
            seat is not None
            and seat.snapshot.load is load
            and seat.snapshot.availability is availability
        ):
            snapshot = seat.snapshot
        else:
            snapshot = AgentSnapshot(key, load, availability)
        seat = self._seats[key] = _Seat(availability, until, ledger, snapshot)
        return seat

    def _valid_until(self, answer: Availability) -> datetime:
        if not answer.available and answer.next_available_at is not None:
            return answer.next_available_at.astimezone(UTC)
        return self._now.replace(second=0, microsecond=0) + _MINUTE
