"""A period replayed in time order: arrivals routed, the periodic work run at the moments it ran,
people's reassignments repeated, under the configuration in force at each moment. Pure: the
same period and configurations always give the same result."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from leadflow.routing.replay.period.inputs import PEOPLE, Move, PastLead, Period, Setup, Step
from leadflow.routing.replay.period.passes import run_passes
from leadflow.routing.replay.period.world import Tracked, World

# At one moment: the configuration changes first, then the periodic work runs (the demo and the
# worker tick before the leads of that minute arrive), then people's moves, then arrivals.
_PASS, _PERSON, _ARRIVAL = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Timeline:
    """The configurations in force: `setups[i]` from `since[i]` (the first also before)."""

    since: Sequence[datetime]
    setups: Sequence[Setup]

    def at(self, now: datetime) -> Setup:
        index = bisect.bisect_right(self.since, now) - 1
        return self.setups[max(index, 0)]

    @classmethod
    def only(cls, setup: Setup) -> Timeline:
        return cls((datetime.min.replace(tzinfo=UTC),), (setup,))


@dataclass(frozen=True, slots=True)
class Replayed:
    """Each lead's moves as the replay made them, and the work it took."""

    leads: dict[int, tuple[Step, ...]]
    reported: frozenset[int]
    decisions: int

    def owner(self, lead: int) -> str | None:
        return owner_after(self.leads[lead])


def owner_after(steps: Sequence[Step]) -> str | None:
    """Who holds a lead after these moves (None: nobody, queued or unassigned)."""
    return steps[-1].agent if steps else None


def replay_period(period: Period, timeline: Timeline) -> Replayed:
    world = World(timeline.at(period.start), period.pools)
    _seed(world, period, timeline)
    for at, kind, _, past in _events(period):
        world.at(at, timeline.at(at))
        if kind == _PASS:
            run_passes(world)
        elif kind == _ARRIVAL:
            assert past is not None
            _arrive(world, past)
        else:
            assert past is not None
            _person(world, past, at)
    leads = {key: tuple(t.steps) for key, t in world.leads.items()}
    reported = frozenset(key for key, t in world.leads.items() if t.past.reported)
    return Replayed(leads, reported, world.decisions)


def _seed(world: World, period: Period, timeline: Timeline) -> None:
    """The loads as the period starts: earlier leads counted in their day, week and month, and
    those still open held by their owners."""
    for at, agent in sorted(period.counted):
        world.at(at, timeline.at(at))
        world.loads.count_new(agent)
    world.at(period.start, timeline.at(period.start))
    for carried in period.carried:
        world.loads.hold(-carried.lead, carried.owner, carried.closed_at)
    for past in period.leads:
        if past.in_flight is not None:
            world.resume(Tracked(past), past.in_flight)


def _events(period: Period) -> Iterator[tuple[datetime, int, int, PastLead | None]]:
    passes = (
        (at, _PASS, 0, None) for at in sorted(period.passes) if period.start <= at < period.end
    )
    arrivals = sorted(
        (
            (past.routed_at, _ARRIVAL, past.lead.id or 0, past)
            for past in period.leads
            if past.in_flight is None
        ),
        key=lambda event: event[:3],
    )
    people = sorted(
        (step.at, _PERSON, past.lead.id or 0, past)
        for past in period.leads
        for step in past.steps
        if step.move in PEOPLE and period.start <= step.at < period.end
    )
    yield from heapq.merge(passes, people, arrivals, key=lambda event: event[:3])


def _arrive(world: World, past: PastLead) -> None:
    tracked = world.leads[past.lead.id or 0] = Tracked(past)
    world.apply(tracked, world.decide(world.subject(tracked)), Move.ARRIVAL)


def _person(world: World, past: PastLead, at: datetime) -> None:
    """A reassignment a person (or an automation rule) made: the replay repeats it."""
    tracked = world.leads.get(past.lead.id or 0)
    if tracked is None:
        return
    for step in past.steps:
        if step.at == at and step.move in PEOPLE and step.agent is not None:
            world.give(tracked, step.agent, step.move)
