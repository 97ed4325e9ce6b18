"""What a period replay is given: the period's leads with their recorded history, the
configurations in force, and the moments the periodic work ran."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from leadflow.domain.configuration import Configuration
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import Availability, PoolState
from leadflow.routing.compiled import CompiledConfig


class Setup(Protocol):
    """A configuration as routing uses it (the services' compiled `Organisation`)."""

    @property
    def version(self) -> int: ...

    @property
    def configuration(self) -> Configuration: ...

    @property
    def routing(self) -> CompiledConfig: ...

    @property
    def repeat_window(self) -> timedelta: ...

    def availability(self, agent: str, now: datetime) -> Availability: ...

    def sla_due(self, pipeline_key: str | None, now: datetime) -> datetime | None: ...


class Move(StrEnum):
    """Why a lead's owner or status changed (the kinds of `assignments` rows)."""

    ARRIVAL = "initial"
    RELEASE = "queue_release"
    SLA = "sla"
    STAFF = "staff"
    MANUAL = "manual"
    AUTOMATION = "automation"


PEOPLE = frozenset({Move.MANUAL, Move.AUTOMATION})
"""Moves made by a person or an automation rule: replayed as they happened, not decided."""


@dataclass(frozen=True, slots=True)
class Step:
    """One change of a lead's owner or status: `outcome` assigned, queued or unassigned."""

    move: Move
    at: datetime
    outcome: str
    agent: str | None


@dataclass(frozen=True, slots=True)
class PastLead:
    lead: RoutableLead
    """As stored; `id` set. Its repeat flag is the one intake recorded."""
    repeat_of: int | None = None
    repeat_owner: str | None = None
    """The owner of `repeat_of` when that lead is not part of the replay (received earlier)."""
    first_contact_at: datetime | None = None
    closed_at: datetime | None = None
    steps: tuple[Step, ...] = ()
    """What really happened, in order (people's moves are replayed from here)."""
    reported: bool = True
    """False for a lead replayed only so the state is right when the period starts."""
    in_flight: InFlight | None = None
    """For a lead received before the replay starts and still moving then: its state at the
    start (it does not arrive again)."""

    @property
    def routed_at(self) -> datetime:
        """When routing first saw the lead: its first recorded move (a lead imported later
        than it was received is routed at its import), else when it was received."""
        return self.steps[0].at if self.steps else self.lead.received_at


@dataclass(frozen=True, slots=True)
class InFlight:
    """A lead received before the replay starts and still open then (waiting, or held by an
    owner until it closes), with the state its history before the start left it in: it takes
    part in the replay from the start (staff changes and people's moves reach it, its owner's
    loads count it) as if the replay had routed it."""

    status: str
    """queued or assigned."""
    owner: str | None
    pipeline: str | None
    since: datetime
    """When its first-contact clock last (re)started: its last assignment decided by routing,
    staff handover or SLA step (a person's reassignment keeps the deadline)."""
    sla_moves: int = 0
    clock_stopped: bool = False
    """The team lead has it (the SLA moved it or kept it as often as allowed): no more
    automatic moves until a new owner gets it."""
    sla_misses: int = 0
    """First-contact deadlines it missed before the start."""


@dataclass(frozen=True, slots=True)
class Carried:
    """A lead received before the replay starts and still open then, counted only in its
    owner's open leads until it closes (a lead given as `InFlight` takes part in full)."""

    lead: int
    owner: str
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    """The replay starts here (may be before the reported period, to warm the state up)."""
    end: datetime
    leads: Sequence[PastLead]
    passes: Sequence[datetime]
    """When the periodic work (queue release, SLA checks, staff changes) ran."""
    carried: Sequence[Carried] = ()
    counted: Sequence[tuple[datetime, str]] = ()
    """Assignments before `start` (when, to whom) that still count in a day, week or month."""
    pools: Mapping[str, PoolState] = field(default_factory=dict)
    """Each pool's strategy state at `start`."""
