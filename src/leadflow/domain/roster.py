"""The roster snapshot: each agent's state at the moment of a decision.

The service (live) or the replay (history) builds it; the routing engine only reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from leadflow.domain.reasons import Reason


class Unavailability(StrEnum):
    """Why an agent is not available at a moment (the calendar's answer)."""

    OFF_SHIFT = "off_shift"
    ON_LEAVE = "on_leave"
    HOLIDAY = "holiday"
    NO_SCHEDULE = "no_schedule"


@dataclass(frozen=True)
class Availability:
    available: bool
    reason: Unavailability | None = None
    detail: str | Reason = ""
    """Why, for people: 'on annual leave until 29 May', 'off shift; next shift Mon 1 Jun 09:00
    Europe/Berlin' (the calendar gives a Reason, rendered in the reader's language)."""
    next_available_at: datetime | None = None

    def __init__(
        self,
        available: bool,
        reason: Unavailability | None = None,
        detail: str | Reason = "",
        next_available_at: datetime | None = None,
    ) -> None:
        object.__setattr__(self, "available", available)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "detail", detail)
        object.__setattr__(self, "next_available_at", next_available_at)

    @classmethod
    def always(cls) -> Availability:
        return cls(available=True)


_ALWAYS = Availability(True)


@dataclass(frozen=True)
class Load:
    """New leads counted in the agent's local day, ISO week and month; open leads now."""

    day: int = 0
    week: int = 0
    month: int = 0
    open: int = 0

    def __init__(self, day: int = 0, week: int = 0, month: int = 0, open: int = 0) -> None:
        object.__setattr__(self, "day", day)
        object.__setattr__(self, "week", week)
        object.__setattr__(self, "month", month)
        object.__setattr__(self, "open", open)


@dataclass(frozen=True)
class AgentSnapshot:
    key: str
    load: Load
    availability: Availability

    def __init__(
        self, key: str, load: Load | None = None, availability: Availability | None = None
    ) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "load", Load() if load is None else load)
        object.__setattr__(self, "availability", _ALWAYS if availability is None else availability)


@dataclass(frozen=True)
class PoolState:
    """Strategy memory of one pipeline's pool (smooth weighted round robin, round robin)."""

    current: Mapping[str, int]
    """Smooth-WRR current weight per agent key."""
    last: str | None = None
    """The last agent chosen, for round robin."""

    def __init__(self, current: Mapping[str, int] | None = None, last: str | None = None) -> None:
        object.__setattr__(self, "current", {} if current is None else current)
        object.__setattr__(self, "last", last)


class RosterView(Protocol):
    """What the engine reads; a replay answers lazily, computing only the agents it is asked."""

    def agent(self, key: str) -> AgentSnapshot: ...

    def pool(self, pipeline: str) -> PoolState: ...


@dataclass(frozen=True)
class Roster:
    """A materialised snapshot (the live service builds one per decision)."""

    agents: Mapping[str, AgentSnapshot]
    pools: Mapping[str, PoolState]
    """Keyed by pipeline key."""

    def __init__(
        self, agents: Mapping[str, AgentSnapshot], pools: Mapping[str, PoolState] | None = None
    ) -> None:
        object.__setattr__(self, "agents", agents)
        object.__setattr__(self, "pools", {} if pools is None else pools)

    def agent(self, key: str) -> AgentSnapshot:
        """Snapshot of `key`; an agent with no row yet has no load and is available."""
        return self.agents.get(key) or AgentSnapshot(key=key)

    def pool(self, pipeline: str) -> PoolState:
        return self.pools.get(pipeline) or PoolState()
