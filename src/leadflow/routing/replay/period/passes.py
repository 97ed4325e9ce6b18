"""The periodic work as it runs at one moment, on the replay's own state: the queue released,
missed first contacts moved, leads of agents who left or are on leave handled. Each follows its
live counterpart in services/assignment (queue.py, sla.py, staff.py) step by step, so that the
live configuration replayed gives the leads to whom history gave them."""

from __future__ import annotations

from datetime import datetime

from leadflow.domain.configuration import AgentStatus, LeavePolicy
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import Unavailability
from leadflow.routing import snapshot
from leadflow.routing.decision import Outcome
from leadflow.routing.engine import route
from leadflow.routing.replay.period.inputs import Move
from leadflow.routing.replay.period.world import Tracked, Unpooled, World

RELEASE_LIMIT = 500
SLA_LIMIT = 200


def run_passes(world: World) -> None:
    release(world)
    enforce_sla(world)
    staff_changes(world)


def release(world: World) -> None:
    """queue.release: highest priority then oldest first; a lead nobody could take closes its
    chain (pipelines, language, treatment) for the rest of the pass."""
    waiting = sorted(
        (world.leads[key] for key in world.waiting),
        key=_queue_order,
    )[:RELEASE_LIMIT]
    closed: set[tuple[object, ...]] = set()
    setup = world.setup
    for tracked in waiting:
        lead = tracked.past.lead
        plain = lead.with_history(lead.is_repeat, None) if lead.previous_owner else lead
        pipelines = snapshot.pipelines_of(setup.configuration, setup.routing, plain, world.now)
        chain = (pipelines, lead.language, lead.treatment)
        if chain in closed and not lead.is_repeat:
            continue
        if not lead.is_repeat and not _could_take(world, plain):
            closed.add(chain)
            continue
        decision = world.decide(world.subject(tracked))
        if decision.outcome is Outcome.ASSIGNED:
            world.apply(tracked, decision, Move.RELEASE)
        else:
            closed.add(chain)


def _queue_order(tracked: Tracked) -> tuple[int, datetime, int]:
    return (-tracked.past.lead.priority, tracked.past.lead.received_at, tracked.key)


def _could_take(world: World, lead: RoutableLead) -> bool:
    decision = route(lead, Unpooled(world.roster), world.setup.routing, world.now)
    return decision.outcome is Outcome.ASSIGNED


def enforce_sla(world: World) -> None:
    """sla.enforce: each missed deadline is counted; an owner who missed first contact loses
    the lead to someone else, at most `max_reassignments` times; when nobody else can take it
    the owner keeps it with a new deadline, for as many missed deadlines as moves are allowed;
    after that (or after the last move) the team lead has it and the clock stops."""
    now = world.now
    breached = sorted(
        (
            t
            for t in map(world.leads.__getitem__, world.clocks)
            if t.sla_due is not None
            and t.sla_due <= now
            and not t.contacted(now)
            and not t.closed(now)
        ),
        key=lambda t: (t.sla_due, t.key),
    )[:SLA_LIMIT]
    for tracked in breached:
        assert tracked.pipeline is not None
        limit = world.setup.configuration.pipeline(tracked.pipeline).sla.max_reassignments
        tracked.sla_misses += 1
        if tracked.sla_moves >= limit:
            world.clock(tracked, None)  # the team lead has it now; no more automatic moves
            continue
        owner = tracked.owner
        decision = world.decide(
            world.subject(tracked), without=owner, why=f"{owner} missed the first-contact SLA"
        )
        if decision.outcome is Outcome.ASSIGNED:
            world.apply(tracked, decision, Move.SLA)
            tracked.sla_moves += 1
        elif tracked.sla_misses > limit:
            world.clock(tracked, None)  # kept too often: the team lead has it
        else:
            world.clock(tracked, world.setup.sla_due(tracked.pipeline, now))


def staff_changes(world: World) -> None:
    """staff.apply_staff_changes: the open leads of agents who left or are on leave go to the
    backup (held for them) or through the pool again, else wait in the queue; held leads go
    back to owners who returned."""
    now = world.now
    for owner in sorted(key for key, leads in world.owned.items() if leads):
        away = _away(world, owner)
        if away is None:
            continue
        mine = (world.leads[key] for key in world.owned[owner])
        for tracked in sorted(mine, key=_queue_order):
            if not tracked.closed(now):
                _handle(world, tracked, owner, *away)
    for key in sorted(world.held):
        tracked = world.leads[key]
        back = tracked.held_for
        if back is not None and not tracked.closed(now) and _away(world, back) is None:
            if tracked.owner != back:
                world.give(tracked, back, Move.STAFF)
            world.hold_for(tracked, None)
            _restart_sla(world, tracked)


def _away(world: World, key: str) -> tuple[bool, str] | None:
    """(left for good, why) for an agent who left or is on leave now; None otherwise."""
    agent = world.agent(key)
    if agent is None or agent.status is AgentStatus.LEFT:
        return True, f"{key} left the company"
    availability = world.setup.availability(key, world.now)
    if availability.reason is Unavailability.ON_LEAVE:
        detail = availability.detail
        return False, str(detail) if detail else f"{key} is on leave"
    return None


def _handle(world: World, tracked: Tracked, agent_key: str, left: bool, detail: str) -> None:
    agent = world.agent(agent_key)
    team = world.setup.configuration.team(agent.team) if agent is not None else None
    policy = (team.on_exit if left else team.on_leave) if team else LeavePolicy.REDISTRIBUTE
    backup = agent.backup if agent is not None else None
    if policy is LeavePolicy.KEEP_WITH_BACKUP and backup and _can_cover(world, backup):
        world.give(tracked, backup, Move.STAFF)
        world.hold_for(tracked, None if left else agent_key)
        _restart_sla(world, tracked)
        return
    decision = world.decide(world.subject(tracked), without=agent_key, why=detail)
    if decision.outcome is Outcome.ASSIGNED:
        world.apply(tracked, decision, Move.STAFF)
        return
    world.queue(tracked, Move.STAFF)


def _can_cover(world: World, key: str) -> bool:
    agent = world.agent(key)
    return agent is not None and agent.status is AgentStatus.ACTIVE and _away(world, key) is None


def _restart_sla(world: World, tracked: Tracked) -> None:
    if not tracked.contacted(world.now) and tracked.pipeline is not None:
        world.clock(tracked, world.setup.sla_due(tracked.pipeline, world.now))
