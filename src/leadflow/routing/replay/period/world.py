"""The state a period replay keeps as time passes: each lead's owner and first-contact clock,
the agents' loads, the pools' strategy memory, and the configuration in force."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import Agent
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import AgentSnapshot, Availability, PoolState
from leadflow.routing.decision import Decision, Outcome
from leadflow.routing.engine import route
from leadflow.routing.replay.period.inputs import InFlight, Move, PastLead, Setup, Step
from leadflow.routing.replay.roster import LoadBook, ReplayRoster

_UTC = ZoneInfo("UTC")


@dataclass(slots=True)
class Tracked:
    """A lead as the replay has it now."""

    past: PastLead
    owner: str | None = None
    status: str = ""
    pipeline: str | None = None
    sla_due: datetime | None = None
    sla_moves: int = 0
    sla_misses: int = 0
    held_for: str | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def key(self) -> int:
        key = self.past.lead.id
        assert key is not None
        return key

    def contacted(self, now: datetime) -> bool:
        first = self.past.first_contact_at
        return first is not None and first <= now

    def closed(self, now: datetime) -> bool:
        closed = self.past.closed_at
        return closed is not None and closed <= now


class Without:
    """A roster view with one agent taken out for a stated reason (the owner who missed the
    first-contact SLA, an agent who left)."""

    def __init__(self, roster: ReplayRoster, agent: str | None, detail: str) -> None:
        self._roster = roster
        self._agent = agent
        self._detail = detail

    def agent(self, key: str) -> AgentSnapshot:
        snapshot = self._roster.agent(key)
        if key != self._agent:
            return snapshot
        return AgentSnapshot(key, snapshot.load, Availability(False, detail=self._detail))

    def pool(self, pipeline: str) -> PoolState:
        return self._roster.pool(pipeline)


class Unpooled:
    """The roster as the queue release's quick check reads it: loads, no pool memory."""

    def __init__(self, roster: ReplayRoster) -> None:
        self._roster = roster

    def agent(self, key: str) -> AgentSnapshot:
        return self._roster.agent(key)

    def pool(self, pipeline: str) -> PoolState:
        return PoolState()


class World:
    def __init__(self, first: Setup, pools: Mapping[str, PoolState]) -> None:
        self.setup = first
        self.now = datetime.min.replace(tzinfo=UTC)
        self.loads = LoadBook(self._zone_of)
        self.pools: dict[str, PoolState] = dict(pools)
        self.roster = ReplayRoster(self.loads, self._availability, self.pools)
        self.leads: dict[int, Tracked] = {}
        self.decisions = 0
        # Indexes, so a pass reads only the leads it may act on.
        self.waiting: set[int] = set()
        self.clocks: set[int] = set()
        """Assigned leads whose first-contact clock runs."""
        self.owned: dict[str, set[int]] = {}
        self.held: set[int] = set()
        self._agents = {agent.key: agent for agent in first.configuration.agents}

    def agent(self, key: str) -> Agent | None:
        return self._agents.get(key)

    def _zone_of(self, agent: str) -> ZoneInfo:
        known = self.setup.routing.agents.get(agent)
        return _UTC if known is None else known.zone

    def _availability(self, agent: str, now: datetime) -> Availability:
        return self.setup.availability(agent, now)

    def at(self, now: datetime, setup: Setup) -> None:
        """Move to `now`, under `setup` (a new configuration forgets the calendar answers)."""
        if setup is not self.setup:
            self.setup = setup
            self._agents = {agent.key: agent for agent in setup.configuration.agents}
            self.roster = ReplayRoster(self.loads, self._availability, self.pools)
        self.now = now
        self.loads.at(now)
        self.roster.at(now)

    def decide(self, lead: RoutableLead, *, without: str | None = None, why: str = "") -> Decision:
        roster = self.roster if without is None else Without(self.roster, without, why)
        self.decisions += 1
        return route(lead, roster, self.setup.routing, self.now)

    def subject(self, tracked: Tracked) -> RoutableLead:
        """The lead as routing sees it now: a repeat goes back to its earlier lead's owner."""
        past = tracked.past
        if not past.lead.is_repeat:
            return past.lead
        earlier = self.leads.get(past.repeat_of) if past.repeat_of is not None else None
        owner = earlier.owner if earlier is not None else past.repeat_owner
        return past.lead.with_history(True, owner)

    def apply(self, tracked: Tracked, decision: Decision, move: Move) -> None:
        """What an engine decision changes: an assignment moves the lead; anything else
        changes a new lead's status only (a re-route that finds nobody leaves it as it was)."""
        if decision.outcome is Outcome.ASSIGNED and decision.agent is not None:
            if decision.pool_state is not None and decision.pipeline is not None:
                self.pools[decision.pipeline] = decision.pool_state
            tracked.pipeline = decision.pipeline
            self.give(tracked, decision.agent, move)
            self.clock(tracked, self.setup.sla_due(decision.pipeline, self.now))
            self.hold_for(tracked, None)
            return
        if move is Move.ARRIVAL:
            tracked.pipeline = decision.pipeline
            tracked.status = decision.outcome.value
            if decision.outcome is Outcome.QUEUED:
                self.waiting.add(tracked.key)
            tracked.steps.append(Step(move, self.now, tracked.status, None))

    def give(self, tracked: Tracked, agent: str, move: Move) -> None:
        """`agent` owns the lead from now: counted as a new lead, and open until it closes."""
        self._own(tracked, agent)
        tracked.status = Outcome.ASSIGNED.value
        self.waiting.discard(tracked.key)
        self.loads.count_new(agent)
        self.loads.hold(tracked.key, agent, tracked.past.closed_at)
        tracked.steps.append(Step(move, self.now, tracked.status, agent))

    def queue(self, tracked: Tracked, move: Move) -> None:
        self._own(tracked, None)
        tracked.status = Outcome.QUEUED.value
        self.waiting.add(tracked.key)
        self.clock(tracked, None)
        self.loads.hold(tracked.key, None, None)
        tracked.steps.append(Step(move, self.now, tracked.status, None))

    def resume(self, tracked: Tracked, state: InFlight) -> None:
        """Take up a lead that was waiting or open as the replay starts."""
        self.leads[tracked.key] = tracked
        tracked.pipeline = state.pipeline
        tracked.sla_moves = state.sla_moves
        tracked.sla_misses = state.sla_misses
        if state.status == Outcome.QUEUED.value or state.owner is None:
            tracked.status = Outcome.QUEUED.value
            self.waiting.add(tracked.key)
            return
        self._own(tracked, state.owner)
        tracked.status = Outcome.ASSIGNED.value
        self.loads.hold(tracked.key, state.owner, tracked.past.closed_at)
        if not state.clock_stopped and not tracked.contacted(self.now):
            self.clock(tracked, self.setup.sla_due(state.pipeline, state.since))

    def clock(self, tracked: Tracked, due: datetime | None) -> None:
        """Set (or stop, None) the lead's first-contact deadline."""
        tracked.sla_due = due
        if due is None:
            self.clocks.discard(tracked.key)
        else:
            self.clocks.add(tracked.key)

    def hold_for(self, tracked: Tracked, agent: str | None) -> None:
        """The lead returns to `agent` after their leave (None: to nobody)."""
        tracked.held_for = agent
        if agent is None:
            self.held.discard(tracked.key)
        else:
            self.held.add(tracked.key)

    def _own(self, tracked: Tracked, agent: str | None) -> None:
        if tracked.owner is not None:
            self.owned[tracked.owner].discard(tracked.key)
        tracked.owner = agent
        if agent is not None:
            self.owned.setdefault(agent, set()).add(tracked.key)
