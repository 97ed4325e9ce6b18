"""First-contact SLA: warn the owner before the deadline; after it, reassign (at most K times)
and alert the team lead. Every step is written into the lead's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.domain.reasons import Reason, at_moment
from leadflow.services.assignment.assign import (
    Claims,
    previous_owner,
    reroute,
    routable,
    steps,
)
from leadflow.services.assignment.record import Handover, Kind, entry
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead

WARNING_AHEAD = timedelta(minutes=2)


@dataclass(frozen=True)
class Enforced:
    reassigned: int
    kept: int
    leads: tuple[Lead, ...] = ()
    """The leads that were reassigned."""


@dataclass
class Enforcement:
    """An SLA check under way: the leads past their deadline, in order, and what became of
    those handled so far, carried from one step (transaction) to the next."""

    now: datetime
    breached: list[int]
    claims: Claims
    moved: list[Lead] = field(default_factory=list)
    kept: int = 0

    @property
    def steps(self) -> list[tuple[int, ...]]:
        return steps(self.breached)

    def result(self) -> Enforced:
        return Enforced(len(self.moved), self.kept, tuple(self.moved))


async def enforce(
    store: Store, organisation: Organisation, now: datetime, *, limit: int = 200
) -> Enforced:
    """The whole check in the caller's transaction (`timekeeping.enforce_sla` runs it in
    steps, a transaction each)."""
    passing = await plan_enforcement(store, now, limit=limit, whole=True)
    for step in passing.steps:
        await enforce_step(store, organisation, passing, step)
    return passing.result()


async def plan_enforcement(
    store: Store, now: datetime, *, limit: int = 200, whole: bool
) -> Enforcement:
    """The leads past their first-contact deadline, earliest deadline first."""
    breached = [lead.id for lead in await store.leads.sla_breached(now, limit)]
    return Enforcement(now, breached, Claims(whole))


async def enforce_step(
    store: Store, organisation: Organisation, passing: Enforcement, ids: tuple[int, ...]
) -> None:
    """One step's leads still past their deadline (locked, read again: the transaction that
    planned the check has ended), each handled once."""
    now = passing.now
    leads = await store.leads.sla_breached(now, len(ids), among=ids)
    if leads:
        subjects = [routable(lead, await previous_owner(store, lead)) for lead in leads]
        owners = [lead.owner_agent_key for lead in leads]
        await passing.claims.claim(store, organisation, now, subjects, owners)
    for lead in leads:
        async with store.savepoint():
            moved = await _breach(store, organisation, lead, now)
        if moved:
            passing.moved.append(lead)
        passing.kept += not moved


async def _breach(store: Store, organisation: Organisation, lead: Lead, now: datetime) -> bool:
    """One missed deadline, handled once: the team lead is alerted and the lead moves to
    someone else while the pipeline allows moves (`max_reassignments`). When nobody else is
    eligible the owner keeps it with a new deadline, for as many missed deadlines as moves are
    allowed; after that the team lead has it: the missed deadline stays (the lead is overdue
    in every inbox and count) and no automatic step follows."""
    assert lead.sla_due_at is not None
    assert lead.pipeline_key is not None
    pipeline = organisation.configuration.pipeline(lead.pipeline_key)
    owner, due, limit = lead.owner_agent_key, lead.sla_due_at, pipeline.sla.max_reassignments
    lead.sla_misses += 1
    await _alert(store, pipeline.team, lead, owner, due)
    who = str(owner)
    if lead.sla_reassignments >= limit:
        reason = Reason("sla.limit_reached", {"agent": who, "count": lead.sla_reassignments})
        await _escalate(store, organisation, lead, now, reason)
        return False
    deadline = at_moment(due, ZoneInfo(pipeline.timezone))
    missed = Reason("sla.missed_due", {"agent": who, "due": deadline})
    english = f"{owner} missed the first-contact SLA due {due:%Y-%m-%d %H:%M} UTC"
    routed = await reroute(
        store,
        organisation,
        lead,
        now,
        why=Handover.told(Kind.SLA, missed, text=english),
        unavailable={owner: Reason("sla.missed", {"agent": owner})} if owner else None,
    )
    if routed.assigned:
        lead.sla_reassignments += 1
        return True
    if lead.sla_misses > limit:
        reason = Reason("sla.kept_last", {"agent": who, "count": lead.sla_misses})
        await _escalate(store, organisation, lead, now, reason)
        return False
    lead.sla_due_at = organisation.sla_due(lead.pipeline_key, now)
    await _kept(store, organisation, lead, now, Reason("sla.kept", {"agent": who}))
    return False


async def _escalate(
    store: Store, organisation: Organisation, lead: Lead, now: datetime, reason: Reason
) -> None:
    """The team lead has the lead now: its missed deadline stays, the SLA check stops."""
    lead.sla_escalated_at = now
    await _kept(store, organisation, lead, now, reason)


async def _alert(store: Store, team: str, lead: Lead, owner: str | None, due: datetime) -> None:
    await store.outbox.add(
        topic="sla.breached",
        channel="alert",
        recipient=team,
        payload={
            "lead_id": lead.id,
            "agent": owner,
            "due": due.isoformat(),
            "reassignments": lead.sla_reassignments,
        },
        idempotency_key=f"sla.breached:{lead.id}:{due.isoformat()}",
    )


async def _kept(
    store: Store, organisation: Organisation, lead: Lead, now: datetime, reason: Reason
) -> None:
    owner = lead.owner_agent_key
    why = Handover.told(Kind.SLA, reason)
    row = entry(organisation, why, now, "kept", owner, owner, lead.pipeline_key)
    await store.roster.add_assignment(lead.id, row)


async def warn(store: Store, now: datetime, *, ahead: timedelta = WARNING_AHEAD) -> int:
    """Tell owners whose first contact is due within `ahead` (once per lead and deadline)."""
    leads = await store.leads.sla_due_between(now, now + ahead)
    for lead in leads:
        assert lead.sla_due_at is not None
        payload: dict[str, Any] = {"lead_id": lead.id, "due": lead.sla_due_at.isoformat()}
        await store.outbox.add(
            topic="sla.warning",
            channel="sse",
            recipient=lead.owner_agent_key,
            payload=payload,
            idempotency_key=f"sla.warning:{lead.id}:{lead.sla_due_at.isoformat()}",
        )
    return len(leads)
