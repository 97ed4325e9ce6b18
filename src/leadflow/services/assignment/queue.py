"""The queue: leads nobody could take wait here, and go out as soon as someone is eligible."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from leadflow.domain.leads import RoutableLead
from leadflow.domain.reasons import Reason
from leadflow.routing import Outcome
from leadflow.services.assignment.assign import (
    Claims,
    chain_of,
    could_take,
    decide,
    previous_owner,
    reroute,
    routable,
    steps,
)
from leadflow.services.assignment.record import Handover, Kind, record
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.store import Store, StoredLoad
from leadflow.storage.tables import Lead

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Released:
    assigned: int
    waiting: int
    leads: tuple[Lead, ...] = ()
    """The leads that were assigned."""


@dataclass
class Release:
    """A queue release under way: the leads it will try, in order, and what it learnt so far,
    carried from one step (transaction) to the next."""

    now: datetime
    unrouted: list[int]
    queued: list[int]
    loads: dict[str, StoredLoad]
    """The agents' loads as the pass started, grown by what it assigned."""
    claims: Claims
    closed: set[tuple[object, ...]] = field(default_factory=set)
    assigned: list[Lead] = field(default_factory=list)
    waiting: int = 0

    @property
    def steps(self) -> list[tuple[str, tuple[int, ...]]]:
        return [("unrouted", part) for part in steps(self.unrouted)] + [
            ("queued", part) for part in steps(self.queued)
        ]

    def result(self) -> Released:
        return Released(len(self.assigned), self.waiting, tuple(self.assigned))


async def release(
    store: Store, organisation: Organisation, now: datetime, *, limit: int = 500
) -> Released:
    """The whole release in the caller's transaction (`timekeeping.release_queue` runs it in
    steps, a transaction each)."""
    passing = await plan_release(store, organisation, now, limit=limit, whole=True)
    for step in passing.steps:
        await release_step(store, organisation, passing, step)
    return passing.result()


async def plan_release(
    store: Store, organisation: Organisation, now: datetime, *, limit: int = 500, whole: bool
) -> Release:
    """Which leads a release tries: unrouted ones first, then waiting ones, highest priority
    then oldest first. Nothing is routed or locked for routing here."""
    unrouted = [lead.id for lead in await store.leads.unrouted(limit)]
    leads = await store.leads.queued(limit)
    # The loads as the pass starts, read without locks: a lead no agent has room for by them
    # is not routed with locks (the pass would hold its pools, and intake waited for them).
    # One whose agent gets room during the pass goes at the next one.
    agents = [agent.key for agent in organisation.configuration.agents]
    loads = await store.roster.loads(agents, now) if leads else {}
    passing = Release(now, unrouted, [], loads, Claims(whole))
    # Leads nobody could take now are counted here, and no step reads them again (at night a
    # queue full of them took a transaction per step each minute). Loads only grow within the
    # pass: nobody could take them later in it either. Which chains they close matters only
    # for the leads after them, and those are left out here already.
    closed: set[tuple[object, ...]] = set()
    for lead in leads:
        subject = routable(lead, None)
        pipelines = chain_of(organisation, subject, now)
        chain = (pipelines, lead.language, lead.treatment)
        if not lead.is_repeat and (
            chain in closed or not could_take(organisation, pipelines, subject, now, loads)
        ):
            passing.waiting += 1
            closed.add(chain)
            continue
        passing.queued.append(lead.id)
    return passing


async def release_step(
    store: Store, organisation: Organisation, passing: Release, step: tuple[str, tuple[int, ...]]
) -> None:
    """Route one step's leads, those still unrouted or waiting (locked, read again: the
    transaction that planned the pass has ended). Each goes through the engine with fresh
    loads, so a burst at a shift start keeps caps and ratios. Once a lead finds nobody, leads
    with the same pools, language and treatment wait for the next pass without being tried:
    within one pass loads only grow, so they would find nobody either."""
    kind, ids = step
    if kind == "unrouted":
        await _route_unrouted(store, organisation, passing, ids)
        return
    now, closed, loads = passing.now, passing.closed, passing.loads
    leads = await store.leads.queued(len(ids), among=ids)  # not those taken since the plan
    tried: list[tuple[Lead, RoutableLead, tuple[str, ...], tuple[object, ...]]] = []
    for lead in leads:
        subject = routable(lead, None)
        pipelines = chain_of(organisation, subject, now)
        tried.append((lead, subject, pipelines, (pipelines, lead.language, lead.treatment)))
    # Locked: what the leads that may be tried need (loads only grow within a pass: a lead
    # nobody could take before the step's first lead is routed is not tried after it either);
    # a repeat as routing sees it, with its sticky owner (and the owner's backup).
    maybe = [
        routable(lead, await previous_owner(store, lead)) if lead.is_repeat else subject
        for lead, subject, pipelines, chain in tried
        if lead.is_repeat
        or (chain not in closed and could_take(organisation, pipelines, subject, now, loads))
    ]
    if maybe:
        await passing.claims.claim(store, organisation, now, maybe)
    for lead, subject, pipelines, chain in tried:
        if chain in closed and not lead.is_repeat:  # repeats may still go to their owner
            passing.waiting += 1
            continue
        if not lead.is_repeat and not could_take(organisation, pipelines, subject, now, loads):
            passing.waiting += 1  # nobody could take it now (a night, a holiday, nobody
            # speaks its language on shift, every cap reached): routing it would not either
            closed.add(chain)
            continue
        age = waited(now - lead.received_at)
        async with store.savepoint():
            routed = await reroute(
                store,
                organisation,
                lead,
                now,
                why=Handover.told(Kind.QUEUE_RELEASE, Reason("queue.released", {"age": age})),
            )
        if routed.assigned:
            passing.assigned.append(lead)
            if (agent := routed.decision.agent) is not None:
                day, week, month, open_ = loads.get(agent, (0, 0, 0, 0))
                loads[agent] = (day + 1, week + 1, month + 1, open_ + 1)
            continue
        passing.waiting += 1
        closed.add(chain)


async def _route_unrouted(
    store: Store, organisation: Organisation, passing: Release, ids: tuple[int, ...]
) -> None:
    leads = await store.leads.unrouted(len(ids), among=ids)
    subjects = [routable(lead, await previous_owner(store, lead)) for lead in leads]
    if leads:
        await passing.claims.claim(store, organisation, passing.now, subjects)
    for lead in leads:
        try:
            async with store.savepoint():
                if await _first_routing(store, organisation, lead, passing.now):
                    passing.assigned.append(lead)
        except Exception:  # one lead's routing fault must not stop the queue for all
            log.exception("routing failed again; lead kept as unrouted", lead_id=lead.id)


async def _first_routing(
    store: Store, organisation: Organisation, lead: Lead, now: datetime
) -> bool:
    """Route a lead kept unrouted (it came before any configuration was active, or routing
    failed) and record the decision, whatever it is: assigned, queued or unassigned."""
    subject = routable(lead, await previous_owner(store, lead))
    decision = await decide(store, organisation, subject, now, lock=True)
    why = Handover.told(Kind.INITIAL, Reason("queue.first_routing"))
    await record(store, organisation, lead, decision, now, why)
    return decision.outcome is Outcome.ASSIGNED


@dataclass(frozen=True)
class Waiting:
    lead_id: int
    pipeline: str | None
    routing_status: str
    """queued, unassigned or unrouted: why it has no agent."""
    priority: int
    received_at: datetime
    age_s: float
    age: str


@dataclass(frozen=True)
class Queue:
    total: int
    """Every lead waiting for an agent in the scope (the dashboards' "waiting" figure)."""
    leads: list[Waiting]
    """The first of them, highest priority and then oldest first."""


async def waiting(
    store: Store,
    now: datetime,
    *,
    everything: bool,
    pipelines: Collection[str] = (),
    limit: int = 500,
) -> Queue:
    """Leads without an agent (queued, unassigned or unrouted, not closed), in every pipeline
    or only `pipelines`: the same leads the dashboards count as waiting."""
    total, leads = await store.leads.waiting(
        everything=everything, pipelines=sorted(pipelines), limit=limit
    )
    return Queue(total, [_waiting(lead, now) for lead in leads])


def _waiting(lead: Lead, now: datetime) -> Waiting:
    age = now - lead.received_at
    return Waiting(
        lead.id,
        lead.pipeline_key,
        lead.routing_status,
        lead.priority,
        lead.received_at,
        age.total_seconds(),
        _words(age),
    )


def _words(age: timedelta) -> str:
    return str(waited(age))


def waited(age: timedelta) -> Reason:
    """How long a lead waited, coded: "12 min", "9 h 05 min", "3 days" in English."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return Reason("age.minutes", {"minutes": minutes})
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return Reason("age.hours", {"hours": hours, "minutes": f"{minutes:02d}"})
    return Reason("age.days", {"days": hours // 24})
