"""The queue: leads nobody could take wait here, and go out as soon as someone is eligible."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from leadflow.domain.reasons import Reason
from leadflow.routing import Outcome
from leadflow.services.assignment.assign import (
    chain_of,
    claim_all,
    could_take,
    decide,
    previous_owner,
    reroute,
    routable,
)
from leadflow.services.assignment.record import Handover, Kind, record
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Released:
    assigned: int
    waiting: int
    leads: tuple[Lead, ...] = ()
    """The leads that were assigned."""


async def release(
    store: Store, organisation: Organisation, now: datetime, *, limit: int = 500
) -> Released:
    """Route waiting leads, highest priority then oldest first. Each goes through the engine
    with fresh loads, so a burst at a shift start keeps caps and ratios. Once a lead finds
    nobody, leads with the same pools, language and treatment wait for the next pass without
    being tried: within one pass loads only grow, so they would find nobody either."""
    assigned: list[Lead] = []
    waiting = 0
    closed: set[tuple[object, ...]] = set()
    claimed = False
    for lead in await store.leads.unrouted(limit):
        if not claimed:
            await claim_all(store, organisation, now)
            claimed = True
        try:
            async with store.savepoint():
                if await _first_routing(store, organisation, lead, now):
                    assigned.append(lead)
        except Exception:  # one lead's routing fault must not stop the queue for all
            log.exception("routing failed again; lead kept as unrouted", lead_id=lead.id)
    leads = await store.leads.queued(limit)
    # The loads as the pass starts, read without locks: a lead no agent has room for by them
    # is not routed with locks (the pass would hold its pools to the end, and intake waited
    # for them). One whose agent gets room during the pass goes at the next one.
    agents = [agent.key for agent in organisation.configuration.agents]
    loads = await store.roster.loads(agents, now) if leads else {}
    for lead in leads:
        subject = routable(lead, None)
        pipelines = chain_of(organisation, subject, now)
        chain = (pipelines, lead.language, lead.treatment)
        if chain in closed and not lead.is_repeat:  # repeats may still go to their owner
            waiting += 1
            continue
        if not lead.is_repeat and not could_take(organisation, pipelines, subject, now, loads):
            waiting += 1  # nobody could take it now (a night, a holiday, nobody speaks its
            # language on shift, every cap reached): routing it would not either: not tried
            closed.add(chain)
            continue
        if not claimed:
            await claim_all(store, organisation, now)
            claimed = True
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
            assigned.append(lead)
            if (agent := routed.decision.agent) is not None:
                day, week, month, open_ = loads.get(agent, (0, 0, 0, 0))
                loads[agent] = (day + 1, week + 1, month + 1, open_ + 1)
            continue
        waiting += 1
        closed.add(chain)
    return Released(len(assigned), waiting, tuple(assigned))


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
