"""Assignment: load the roster, ask the engine, claim atomically, record the decision.

Concurrency: the pools a lead may land in (its rule's pipeline and fallbacks) and then every
agent those pools could pick are locked in key order before the engine decides with fresh
loads. Leads of one pool therefore take turns (the ratio state stays exact), leads of other
pools only wait where they share agents, and no cap can be passed between read and write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from leadflow.domain.leads import RoutableLead
from leadflow.domain.reasons import Reason
from leadflow.domain.roster import AgentSnapshot, Availability, Load, PoolState, Roster
from leadflow.domain.submission import LeadValues
from leadflow.routing import Decision, Outcome, route, snapshot
from leadflow.services.assignment.record import Handover, Kind, LeadFields, reader, record, write_of
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.store import NewDecision, PoolRow, Store, StoredLoad
from leadflow.storage.tables import Lead

T = TypeVar("T")


@dataclass(frozen=True)
class Routed:
    decision_id: int | None
    """None when nothing was recorded (a re-route that found nobody)."""
    decision: Decision

    @property
    def assigned(self) -> bool:
        return self.decision.outcome is Outcome.ASSIGNED


def chain_of(organisation: Organisation, lead: RoutableLead, now: datetime) -> tuple[str, ...]:
    """The pipelines a lead may land in (its rule's pipeline and fallbacks), without I/O."""
    return snapshot.pipelines_of(organisation.configuration, organisation.routing, lead, now)


def _needs(
    organisation: Organisation, lead: RoutableLead, now: datetime
) -> tuple[list[str], set[str]]:
    return snapshot.needs(organisation.configuration, organisation.routing, lead, now)


def could_take(
    organisation: Organisation,
    pipelines: Sequence[str],
    lead: RoutableLead,
    now: datetime,
    loads: Mapping[str, StoredLoad] | None = None,
) -> bool:
    """Whether the engine would assign `lead` to one of the agents who could take it in
    `pipelines` (its `chain_of`), with `loads` (none: no agent has a lead yet), without I/O:
    status, start date, calendar, language, skill and caps as they are at `now`. When this
    says no, routing it with the loads as they are now cannot succeed either, unless they fell
    since they were read (a lead closed), and need not lock or read anything: a waiting lead
    nobody on shift speaks the language of, say, or whose agents are all at their caps."""
    agents = snapshot.agents_of(organisation.configuration, list(pipelines), lead)
    loads = loads or {}
    roster = Roster(
        agents={
            key: AgentSnapshot(
                key=key,
                load=Load(*loads.get(key, (0, 0, 0, 0))),
                availability=organisation.availability(key, now),
            )
            for key in agents
        }
    )
    return route(lead, roster, organisation.routing, now).outcome is Outcome.ASSIGNED


def routable(lead: LeadFields, previous_owner: str | None) -> RoutableLead:
    """The engine's view of a stored lead, or of a new lead's row before it is stored."""
    field = reader(lead)
    budget = field("budget")
    return RoutableLead(
        id=field("id"),
        received_at=field("received_at"),
        source=field("source"),
        country=field("country"),
        language=field("language"),
        treatment=field("treatment"),
        budget=float(budget) if budget is not None else None,
        currency=field("currency"),
        score=field("score"),
        utm_source=field("utm_source"),
        utm_medium=field("utm_medium"),
        utm_campaign=field("utm_campaign"),
        utm_content=field("utm_content"),
        utm_term=field("utm_term"),
        campaign_id=field("campaign_id"),
        adset_id=field("adset_id"),
        ad_id=field("ad_id"),
        phone_e164=field("phone_e164"),
        email=field("email"),
        locale=field("locale"),
        custom=field("custom") or {},
        is_repeat=bool(field("is_repeat")),
        previous_owner=previous_owner,
        priority=field("priority") or 0,
    )


async def claim_all(store: Store, organisation: Organisation, now: datetime) -> None:
    """Lock every pool and agent of the configuration, in routing's one order, before a pass
    routes all its leads in one transaction (queue release, SLA, staff changes called with a
    store: tests, the demo loader). Claimed lead by lead, a pass held one lead's pools while
    it waited for the next one's, which an intake transaction held while it waited for the
    pass: a deadlock PostgreSQL breaks after a second (`deadlock_timeout`), a second every
    lead sent to those pools waited. The worker runs the passes in steps instead (`Claims`,
    `timekeeping`): holding every pool for a whole pass kept intake waiting for seconds."""
    configuration = organisation.configuration
    await store.roster.claim_for_routing(
        [pipeline.key for pipeline in configuration.pipelines],
        [agent.key for agent in configuration.agents],
        now,
    )


STEP = 10
"""Leads a periodic pass (queue release, SLA, staff changes) routes in one transaction when it
goes in steps (`timekeeping`): the pools and agents a step locks are held for the few round
trips of 10 leads, not for the whole pass (decision 0019; 5, 10 and 20 measured there)."""


def steps(items: Sequence[T]) -> list[tuple[T, ...]]:
    """`items` in consecutive steps of at most `STEP`, in their order."""
    return [tuple(items[start : start + STEP]) for start in range(0, len(items), STEP)]


@dataclass
class Claims:
    """How a pass locks what its leads' routing needs. In one transaction (`whole`: tests,
    the demo loader) everything is locked before the first lead, as `claim_all` says. In
    steps, each step locks only what its own leads may need, in routing's one order, and
    holds nothing when it waits: the transaction before it has ended."""

    whole: bool
    claimed: bool = False

    async def claim(
        self,
        store: Store,
        organisation: Organisation,
        now: datetime,
        leads: Iterable[RoutableLead],
        agents: Iterable[str | None] = (),
    ) -> None:
        """Before routing `leads` (and moving leads away from, or to, `agents`: an owner whose
        open count a move lowers, a backup who keeps a lead)."""
        if self.whole:
            if not self.claimed:
                await claim_all(store, organisation, now)
                self.claimed = True
            return
        pipelines: set[str] = set()
        keys = {key for key in agents if key is not None}
        for lead in leads:
            needed, readers = _needs(organisation, lead, now)
            pipelines.update(needed)
            keys |= readers
        if pipelines or keys:
            await store.roster.claim_for_routing(pipelines, keys, now)


async def previous_owner(store: Store, lead: Lead) -> str | None:
    if not lead.is_repeat or lead.repeat_of is None:
        return None
    return await store.leads.owner_of(lead.repeat_of)


async def decide(
    store: Store,
    organisation: Organisation,
    lead: RoutableLead,
    now: datetime,
    *,
    lock: bool,
    unavailable: Mapping[str, str | Reason] | None = None,
) -> Decision:
    """The engine's decision on fresh loads; with `lock`, the pools and agents it reads are
    locked until the transaction ends. `unavailable` takes agents out with a stated reason
    (the owner who missed the first-contact SLA, an agent starting leave)."""
    unavailable = unavailable or {}
    pipelines, agents = _needs(organisation, lead, now)
    if lock:
        pools, loads = await store.roster.claim_for_routing(pipelines, agents, now)
    else:
        pools = {
            key: PoolRow(row.current, row.last_agent)
            for key, row in (await store.roster.pool_states(pipelines)).items()
        }
        loads = await store.roster.loads(agents, now)
    roster = _roster(organisation, agents, pools, loads, now, unavailable)
    return route(lead, roster, organisation.routing, now)


def _roster(
    organisation: Organisation,
    agents: Iterable[str],
    pools: Mapping[str, PoolRow],
    loads: Mapping[str, StoredLoad],
    now: datetime,
    unavailable: Mapping[str, str | Reason],
) -> Roster:
    return Roster(
        agents={
            key: AgentSnapshot(
                key=key,
                load=Load(*loads.get(key, (0, 0, 0, 0))),
                availability=(
                    Availability(available=False, detail=unavailable[key])
                    if key in unavailable
                    else organisation.availability(key, now)
                ),
            )
            for key in agents
        },
        pools={
            key: PoolState(current=dict(row.current), last=row.last_agent)
            for key, row in pools.items()
        },
    )


@dataclass(frozen=True)
class NewLead:
    """A lead ready to be stored: its row, contact and repeat fields included."""

    values: LeadValues
    previous_owner: str | None
    """Who owns the lead it repeats: where routing sends it back to (sticky owner)."""


async def route_new(
    store: Store, organisation: Organisation, leads: Sequence[NewLead], now: datetime
) -> list[tuple[Lead, Routed] | None]:
    """Route new leads and store each with its outcome, in order, as if they had come one
    after the other: one claim locks every pool and agent any of them may need, and each
    decision sees the loads and pool state the ones before it left. The statements go
    together, in one round trip. None, with nothing stored for it, for a lead whose (source,
    external_id) is stored already; the decisions after it assumed it was, so the caller
    routes the others again (`Twins`). The caller commits."""
    subjects = [routable(lead.values, lead.previous_owner) for lead in leads]
    needs = [_needs(organisation, subject, now) for subject in subjects]
    pools, loads = await store.roster.claim_for_routing(
        {key for pipelines, _ in needs for key in pipelines},
        {key for _, agents in needs for key in agents},
        now,
    )
    decisions: list[Decision] = []
    writes: list[NewDecision] = []
    for lead, subject, (_, agents) in zip(leads, subjects, needs, strict=True):
        roster = _roster(organisation, agents, pools, loads, now, {})
        decision = route(subject, roster, organisation.routing, now)
        write = write_of(organisation, lead.values, decision, now, _INITIAL)
        decisions.append(decision)
        writes.append(NewDecision(lead.values, write))
        if write.pool is not None:
            pools[write.pool.pipeline] = PoolRow(write.pool.current, write.pool.last)
        if write.counted is not None:
            day, week, month, open_ = loads.get(write.counted.agent, (0, 0, 0, 0))
            loads[write.counted.agent] = (day + 1, week + 1, month + 1, open_ + 1)
    recorded = await store.new_leads.record(writes)
    return [
        None if stored is None else (stored[0], Routed(stored[1], decision))
        for stored, decision in zip(recorded, decisions, strict=True)
    ]


async def reroute(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    now: datetime,
    *,
    why: Handover,
    unavailable: Mapping[str, str | Reason] | None = None,
) -> Routed:
    """Route a lead again (queue release, SLA breach, staff change). Only an assignment is
    recorded: when the engine finds nobody, the lead stays as it is (`decision_id` None)."""
    subject = routable(lead, await previous_owner(store, lead))
    decision = await decide(store, organisation, subject, now, lock=True, unavailable=unavailable)
    if decision.outcome is not Outcome.ASSIGNED:
        return Routed(None, decision)
    return Routed(await record(store, organisation, lead, decision, now, why), decision)


_INITIAL = Handover(Kind.INITIAL)
