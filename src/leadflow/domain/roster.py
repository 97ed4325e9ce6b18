"""The roster snapshot: each agent's state at the moment of a decision.

The service (live) or the replay (history) builds it; the routing engine only reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


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
    detail: str = ""
    """Human words: 'on annual leave until 29 May', 'off shift, next shift 09:00 Europe/Berlin'."""
    next_available_at: datetime | None = None

    @classmethod
    def always(cls) -> Availability:
        return cls(available=True)


@dataclass(frozen=True)
class Load:
    """New leads counted in the agent's local day, ISO week and month; open leads now."""

    day: int = 0
    week: int = 0
    month: int = 0
    open: int = 0


@dataclass(frozen=True)
class AgentSnapshot:
    key: str
    load: Load = field(default_factory=Load)
    availability: Availability = field(default_factory=Availability.always)


@dataclass(frozen=True)
class PoolState:
    """Strategy memory of one pipeline's pool (smooth weighted round robin, round robin)."""

    current: Mapping[str, int] = field(default_factory=dict)
    """Smooth-WRR current weight per agent key."""
    last: str | None = None
    """The last agent chosen, for round robin."""


class RosterView(Protocol):
    """What the engine reads; a replay answers lazily, computing only the agents it is asked."""

    def agent(self, key: str) -> AgentSnapshot: ...

    def pool(self, pipeline: str) -> PoolState: ...


@dataclass(frozen=True)
class Roster:
    """A materialised snapshot (the live service builds one per decision)."""

    agents: Mapping[str, AgentSnapshot]
    pools: Mapping[str, PoolState] = field(default_factory=dict)
    """Keyed by pipeline key."""

    def agent(self, key: str) -> AgentSnapshot:
        """Snapshot of `key`; an agent with no row yet has no load and is available."""
        return self.agents.get(key) or AgentSnapshot(key=key)

    def pool(self, pipeline: str) -> PoolState:
        return self.pools.get(pipeline) or PoolState()
