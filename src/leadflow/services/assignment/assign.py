"""Assignment: load the roster, ask the engine, claim atomically, record the decision.

Concurrency: the pools a lead may land in (its rule's pipeline and fallbacks) and then every
agent those pools could pick are locked in key order before the engine decides with fresh
loads. Leads of one pool therefore take turns (the ratio state stays exact), leads of other
pools only wait where they share agents, and no cap can be passed between read and write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import Configuration
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import AgentSnapshot, Availability, Load, PoolState, Roster
from leadflow.routing import Decision, Outcome, route
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.store import (
    Counted,
    Message,
    NewDecision,
    Pool,
    PoolRow,
    Store,
    StoredLoad,
)
from leadflow.storage.tables import Lead


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
    return tuple(_chain(organisation.configuration, route(lead, _IDLE, organisation.routing, now)))


def _needs(
    organisation: Organisation, lead: RoutableLead, now: datetime
) -> tuple[list[str], set[str]]:
    """What routing `lead` reads and locks: its `chain_of` pipelines and every agent in them
    (with its sticky owner and the owner's backup)."""
    pipelines = list(chain_of(organisation, lead, now))
    return pipelines, _agents_of(organisation.configuration, pipelines, lead)


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
    agents = _agents_of(organisation.configuration, list(pipelines), lead)
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


def routable(lead: Any, previous_owner: str | None) -> RoutableLead:
    """The engine's view of a stored lead (or of anything with the same attributes), or of a
    new lead's row (a mapping) before it is stored."""
    field = _reader(lead)
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


def _reader(lead: Any) -> Callable[[str], Any]:
    """A lead's fields by name, from a row object or a mapping; a missing one reads None."""
    if isinstance(lead, Mapping):
        return lead.get
    return lambda name: getattr(lead, name, None)


async def claim_all(store: Store, organisation: Organisation, now: datetime) -> None:
    """Lock every pool and agent of the configuration, in routing's one order, before a pass
    routes several leads in one transaction (queue release, SLA, staff changes). Claimed lead
    by lead, a pass held one lead's pools while it waited for the next one's, which an intake
    transaction held while it waited for the pass: a deadlock PostgreSQL breaks after a
    second (`deadlock_timeout`), a second every lead sent to those pools waited."""
    configuration = organisation.configuration
    await store.roster.claim_for_routing(
        [pipeline.key for pipeline in configuration.pipelines],
        [agent.key for agent in configuration.agents],
        now,
    )


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
    unavailable: Mapping[str, str] | None = None,
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
    unavailable: Mapping[str, str],
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

    values: dict[str, Any]
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
        outcome = _outcome(organisation, decision, now)
        assignment = {
            **_assignment_row(decision, now, "initial"),
            "config_version_id": outcome.version,
        }
        decisions.append(decision)
        writes.append(
            NewDecision(
                {**lead.values, **outcome.changes},
                assignment,
                outcome.pool,
                outcome.counted,
                _messages(organisation, lead.values, decision, "lead.assigned", assignment),
            )
        )
        if outcome.pool is not None:
            pools[outcome.pool.pipeline] = PoolRow(outcome.pool.current, outcome.pool.last)
        if outcome.counted is not None:
            day, week, month, open_ = loads.get(outcome.counted.agent, (0, 0, 0, 0))
            loads[outcome.counted.agent] = (day + 1, week + 1, month + 1, open_ + 1)
    recorded = await store.roster.record_new_leads(writes)
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
    kind: str,
    reason: str,
    unavailable: Mapping[str, str] | None = None,
) -> Routed:
    """Route a lead again (queue release, SLA breach, staff change). Only an assignment is
    recorded: when the engine finds nobody, the lead stays as it is (`decision_id` None)."""
    subject = routable(lead, await previous_owner(store, lead))
    decision = await decide(store, organisation, subject, now, lock=True, unavailable=unavailable)
    if decision.outcome is not Outcome.ASSIGNED:
        return Routed(None, decision)
    previous = lead.owner_agent_key
    if previous is not None and lead.closed_at is None:
        await store.roster.change_open(previous, -1)
    row = {**_assignment_row(decision, now, kind), "previous_agent_key": previous, "reason": reason}
    decision_id = await _record(
        store, organisation, lead, decision, now, row, topic="lead.reassigned"
    )
    return Routed(decision_id, decision)


def _assignment_row(decision: Decision, now: datetime, kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "outcome": decision.outcome.value,
        "agent_key": decision.agent,
        "pipeline_key": decision.pipeline,
        "rule_key": decision.rule,
        "via": decision.via.value if decision.via else None,
        "decided_at": now,
        "trace": decision.to_trace(),
    }


@dataclass(frozen=True)
class _Outcome:
    """What a decision changes beside its assignment row."""

    version: int
    changes: dict[str, Any]
    """The lead's routing fields."""
    pool: Pool | None
    counted: Counted | None


def _outcome(organisation: Organisation, decision: Decision, now: datetime) -> _Outcome:
    configuration = organisation.configuration
    changes: dict[str, Any] = {"pipeline_key": decision.pipeline}
    if decision.pipeline is not None:
        changes["stage_key"] = configuration.pipeline(decision.pipeline).stages[0]
    pool = None
    if decision.pool_state is not None and decision.pipeline is not None:
        pool = Pool(decision.pipeline, dict(decision.pool_state.current), decision.pool_state.last)
    counted = None
    if decision.outcome is Outcome.ASSIGNED and decision.agent is not None:
        agent = configuration.agent(decision.agent)
        changes.update(
            owner_agent_key=agent.key,
            routing_status="assigned",
            assigned_at=now,
            sla_due_at=organisation.sla_due(decision.pipeline, now),
            held_for_agent_key=None,
        )
        counted = Counted(agent.key, now.astimezone(ZoneInfo(agent.timezone)).date())
    elif decision.outcome is Outcome.QUEUED:
        changes["routing_status"] = "queued"
    else:
        changes["routing_status"] = "unassigned"
    return _Outcome(organisation.version, changes, pool, counted)


async def _record(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    decision: Decision,
    now: datetime,
    assignment: dict[str, Any],
    *,
    topic: str = "lead.assigned",
) -> int:
    """Write the decision on a stored lead and everything it changes in one statement: the
    lead, the pool's strategy state, the agent's counters, the contact's owner, the assignment
    row with its trace and the outbox message."""
    outcome = _outcome(organisation, decision, now)
    return await store.roster.record_decision(
        lead,
        outcome.changes,
        {**assignment, "config_version_id": outcome.version},
        pool=outcome.pool,
        counted=outcome.counted,
        messages=_messages(organisation, lead, decision, topic, assignment),
    )


def _messages(
    organisation: Organisation,
    lead: Any,
    decision: Decision,
    topic: str,
    assignment: dict[str, Any],
) -> list[Message]:
    """Who hears of the outcome: the new owner's live stream (and the previous owner's, to take
    the lead off their screen), or the team's alerts when it waits or nobody can take it.
    `lead` is a stored lead or a new lead's row; the statement that records the decision adds
    the lead's and the decision's ids to each payload."""
    team = _team_of(organisation.configuration, decision.pipeline)
    field = _reader(lead)
    payload: dict[str, Any] = {
        "outcome": decision.outcome.value,
        "agent": decision.agent,
        "pipeline": decision.pipeline,
        "team": team,
        "name": " ".join(p for p in (field("first_name"), field("last_name")) if p),
        "country": field("country"),
        "language": field("language"),
        "treatment": field("treatment"),
        "source": field("source"),
    }
    if decision.outcome is Outcome.ASSIGNED:
        previous = assignment.get("previous_agent_key")
        messages = [Message(topic, "sse", decision.agent, payload, f"{topic}:{{decision}}:sse")]
        if previous and previous != decision.agent:
            messages.append(
                Message(
                    topic,
                    "sse",
                    previous,
                    {**payload, "from": previous},
                    f"{topic}:{{decision}}:sse:from",
                )
            )
        return messages
    topic = "lead.queued" if decision.outcome is Outcome.QUEUED else "lead.unassigned"
    return [
        Message(
            topic, "alert", team, {**payload, "reason": decision.reason}, f"{topic}:{{decision}}"
        )
    ]


def _team_of(configuration: Configuration, pipeline: str | None) -> str | None:
    return configuration.pipeline(pipeline).team if pipeline else None


_IDLE = Roster(agents={})
"""Everyone idle and available: enough to learn which rule, and so which pools, apply."""


def _chain(configuration: Configuration, decision: Decision) -> list[str]:
    if decision.rule is not None:
        rule = next(r for r in configuration.rules if r.key == decision.rule)
        return [rule.pipeline, *rule.fallback]
    return [decision.pipeline] if decision.pipeline else []


def _agents_of(configuration: Configuration, pipelines: list[str], lead: RoutableLead) -> set[str]:
    keys: set[str] = set()
    for key in pipelines:
        pipeline = configuration.pipeline(key)
        keys.update(member.agent for member in pipeline.pool.members)
        if pipeline.when_no_agent.agent:
            keys.add(pipeline.when_no_agent.agent)
    if lead.previous_owner:
        keys.add(lead.previous_owner)
        owner = next((a for a in configuration.agents if a.key == lead.previous_owner), None)
        if owner is not None and owner.backup:
            keys.add(owner.backup)
    return keys
