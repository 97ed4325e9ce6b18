"""Replays compared: with history (does the live configuration give each lead to the agent
history gave it, and where not, which move went otherwise), and with each other (what a draft
configuration would change)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from leadflow.routing.decision import Outcome
from leadflow.routing.replay.period.inputs import Move, Step
from leadflow.routing.replay.period.run import Replayed, owner_after


@dataclass(frozen=True, slots=True)
class Difference:
    """A lead the replay gave to someone other than history, and the first move that differs."""

    lead: int
    history: str | None
    replay: str | None
    move: Move
    """The kind of the first differing move: where the two paths parted."""
    at: datetime
    history_step: Step | None
    replay_step: Step | None


@dataclass(frozen=True, slots=True)
class Agreement:
    leads: int
    same: int
    differences: tuple[Difference, ...]

    @property
    def share(self) -> float:
        return self.same / self.leads if self.leads else 1.0

    def by_move(self) -> dict[str, int]:
        return dict(Counter(d.move.value for d in self.differences).most_common())


def owner_changes(steps: Sequence[Step]) -> list[Step]:
    """The moves that changed the lead's owner or status (history's "kept" rows left out)."""
    changes: list[Step] = []
    for step in steps:
        if step.outcome not in (Outcome.ASSIGNED, Outcome.QUEUED, Outcome.UNASSIGNED):
            continue
        if changes and (changes[-1].agent, changes[-1].outcome) == (step.agent, step.outcome):
            continue
        changes.append(step)
    return changes


def agreement(replayed: Replayed, history: Mapping[int, Sequence[Step]]) -> Agreement:
    """For every reported lead history knows: the same owner at the end of the period?"""
    same = 0
    differences: list[Difference] = []
    for lead in sorted(replayed.reported & history.keys()):
        ours = owner_changes(replayed.leads[lead])
        theirs = owner_changes(history[lead])
        if owner_after(ours) == owner_after(theirs):
            same += 1
            continue
        differences.append(_difference(lead, ours, theirs))
    return Agreement(same + len(differences), same, tuple(differences))


def _difference(lead: int, ours: list[Step], theirs: list[Step]) -> Difference:
    index = 0
    while index < min(len(ours), len(theirs)) and _same(ours[index], theirs[index]):
        index += 1
    mine = ours[index] if index < len(ours) else None
    past = theirs[index] if index < len(theirs) else None
    first = min((s for s in (mine, past) if s is not None), key=lambda s: s.at)
    return Difference(
        lead, owner_after(theirs), owner_after(ours), first.move, first.at, past, mine
    )


def _same(one: Step, other: Step) -> bool:
    return (one.move, one.agent, one.outcome, one.at) == (
        other.move,
        other.agent,
        other.outcome,
        other.at,
    )


@dataclass(frozen=True, slots=True)
class AgentLoad:
    agent: str
    live: int
    draft: int
    """Leads each replay gave the agent (every move counts, as caps count them)."""
    live_owned: int
    draft_owned: int
    """Leads the agent holds at the end of the period."""


@dataclass(frozen=True, slots=True)
class SlaEffect:
    live_moves: int
    draft_moves: int
    """First-contact SLA reassignments."""
    live_queued: int
    draft_queued: int
    """Leads waiting at the end of the period."""


@dataclass(frozen=True, slots=True)
class Changed:
    lead: int
    live: str | None
    draft: str | None


@dataclass(frozen=True, slots=True)
class Comparison:
    leads: int
    changed: tuple[Changed, ...]
    agents: tuple[AgentLoad, ...]
    sla: SlaEffect


def compare(live: Replayed, draft: Replayed) -> Comparison:
    """What the draft changes against the live replay, over the reported leads."""
    leads = sorted(live.reported & draft.reported)
    changed = tuple(
        Changed(lead, live.owner(lead), draft.owner(lead))
        for lead in leads
        if live.owner(lead) != draft.owner(lead)
    )
    given = [_given(r, leads) for r in (live, draft)]
    owned = [Counter(r.owner(lead) for lead in leads) for r in (live, draft)]
    names = sorted({a for c in given + owned for a in c if a is not None})
    agents = tuple(AgentLoad(a, given[0][a], given[1][a], owned[0][a], owned[1][a]) for a in names)
    sla = SlaEffect(
        _count(live, leads, Move.SLA),
        _count(draft, leads, Move.SLA),
        _waiting(live, leads),
        _waiting(draft, leads),
    )
    return Comparison(len(leads), changed, agents, sla)


def _given(replayed: Replayed, leads: Sequence[int]) -> Counter[str | None]:
    return Counter(
        step.agent
        for lead in leads
        for step in replayed.leads[lead]
        if step.outcome == Outcome.ASSIGNED
    )


def _count(replayed: Replayed, leads: Sequence[int], move: Move) -> int:
    return sum(1 for lead in leads for step in replayed.leads[lead] if step.move is move)


def _waiting(replayed: Replayed, leads: Sequence[int]) -> int:
    return sum(
        1
        for lead in leads
        if replayed.leads[lead] and replayed.leads[lead][-1].outcome == Outcome.QUEUED
    )
