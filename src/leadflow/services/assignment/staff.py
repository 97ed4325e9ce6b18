"""Staff changes: open leads of an agent who left or started leave are handled by the team's
policy — kept by the named backup (and returned after leave) or routed again through the pool."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from leadflow.domain.configuration import Agent, AgentStatus, LeavePolicy
from leadflow.domain.reasons import Param, Reason, as_text
from leadflow.domain.roster import Unavailability
from leadflow.routing import Outcome
from leadflow.services.assignment import decisions
from leadflow.services.assignment.assign import Claims, previous_owner, reroute, routable, steps
from leadflow.services.assignment.record import Handover, Kind, entry
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead

ACTOR = "leadflow"


@dataclass(frozen=True)
class Away:
    agent: str
    left: bool
    detail: Reason
    """Why, coded: left the company, or the calendar's leave ("on annual leave until …")."""


@dataclass
class StaffReport:
    rerouted: int = 0
    held: int = 0
    queued: int = 0
    returned: int = 0


@dataclass
class StaffPass:
    """Staff changes under way: the leads to move (with why their owner is away) and to
    return, in order, carried from one step (transaction) to the next."""

    now: datetime
    moving: list[tuple[int, Away]]
    returning: list[tuple[int, str]]
    claims: Claims
    report: StaffReport = field(default_factory=StaffReport)

    @property
    def steps(self) -> list[tuple[tuple[int, Away | str], ...]]:
        """Steps of moves, then steps of returns."""
        moving: list[tuple[int, Away | str]] = list(self.moving)
        returning: list[tuple[int, Away | str]] = list(self.returning)
        return steps(moving) + steps(returning)


async def apply_staff_changes(
    store: Store, organisation: Organisation, now: datetime
) -> StaffReport:
    """Move the open leads of agents who are away for good or on leave; return held leads to
    owners who are back. Safe to run any time: it only acts on what is true at `now`. The
    whole pass in the caller's transaction (`timekeeping.staff_changes` runs it in steps)."""
    passing = await plan_staff_changes(store, organisation, now, whole=True)
    for step in passing.steps:
        await staff_step(store, organisation, passing, step)
    return passing.report


async def plan_staff_changes(
    store: Store, organisation: Organisation, now: datetime, *, whole: bool
) -> StaffPass:
    """The open leads of agents away now, and the held leads whose owner is back."""
    moving: list[tuple[int, Away]] = []
    for key in sorted(await store.leads.open_owners()):
        away = away_reason(organisation, key, now)
        if away is not None:
            moving.extend((lead.id, away) for lead in await store.leads.open_of(key))
    returning = [
        (lead.id, owner)
        for lead in await store.leads.held()
        if (owner := lead.held_for_agent_key) is not None
        and away_reason(organisation, owner, now) is None
    ]
    return StaffPass(now, moving, returning, Claims(whole))


async def staff_step(
    store: Store,
    organisation: Organisation,
    passing: StaffPass,
    step: tuple[tuple[int, Away | str], ...],
) -> None:
    """One step's leads, read again and locked (the transaction that planned the pass has
    ended): moved if their owner is still the one away, returned if still held for the
    owner who is back."""
    now, report = passing.now, passing.report
    moving: list[tuple[Lead, Away]] = []
    returning: list[tuple[Lead, str]] = []
    for whom, ids in _by_agent(step):
        if isinstance(whom, Away):
            found = await store.leads.open_of(whom.agent, among=ids)
            moving.extend((lead, whom) for lead in found)
        else:
            found = await store.leads.held(among=ids)
            returning.extend((lead, whom) for lead in found if lead.held_for_agent_key == whom)
    subjects = [routable(lead, await previous_owner(store, lead)) for lead, _ in moving]
    agents: list[str | None] = []
    for lead, away in moving:
        agent = _agent(organisation, away.agent)
        agents += [lead.owner_agent_key, agent.backup if agent else None]
    agents += [key for lead, owner in returning for key in (lead.owner_agent_key, owner)]
    if moving or returning:
        await passing.claims.claim(store, organisation, now, subjects, agents)
    for lead, away in moving:
        async with store.savepoint():
            await _handle(store, organisation, lead, away, now, report)
    for lead, owner in returning:
        async with store.savepoint():
            await _return(store, organisation, lead, owner, now)
        report.returned += 1


def _by_agent(
    step: tuple[tuple[int, Away | str], ...],
) -> list[tuple[Away | str, list[int]]]:
    """The step's lead ids by the agent they move from or return to, in the step's order."""
    groups: list[tuple[Away | str, list[int]]] = []
    for lead_id, agent in step:
        if groups and groups[-1][0] == agent:
            groups[-1][1].append(lead_id)
        else:
            groups.append((agent, [lead_id]))
    return groups


def away_reason(organisation: Organisation, key: str, now: datetime) -> Away | None:
    """Left the company (or removed from the configuration), or on leave now."""
    agent = _agent(organisation, key)
    if agent is None or agent.status is AgentStatus.LEFT:
        return Away(key, left=True, detail=Reason("staff.left", {"agent": key}))
    availability = organisation.availability(key, now)
    if availability.reason is Unavailability.ON_LEAVE:
        found = availability.detail
        if isinstance(found, Reason):
            detail = found
        else:
            detail = as_text(found) if found else Reason("staff.on_leave", {"agent": key})
        return Away(key, left=False, detail=detail)
    return None


async def _handle(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    away: Away,
    now: datetime,
    report: StaffReport,
) -> None:
    agent = _agent(organisation, away.agent)
    team = organisation.configuration.team(agent.team) if agent else None
    policy = (team.on_exit if away.left else team.on_leave) if team else LeavePolicy.REDISTRIBUTE
    backup = agent.backup if agent else None
    if policy is LeavePolicy.KEEP_WITH_BACKUP and backup and _can_cover(organisation, backup, now):
        params: dict[str, Param] = {"away": away.detail, "backup": backup}
        if away.left:
            kept = Reason("staff.kept_by_backup", params)
        else:
            kept = Reason("staff.held_by_backup", {**params, "agent": away.agent})
        await decisions.reassign(
            store,
            organisation,
            lead.id,
            agent=backup,
            actor=ACTOR,
            now=now,
            kind=Kind.STAFF,
            reason=str(kept),
            words=kept,
        )
        lead.held_for_agent_key = None if away.left else away.agent
        _restart_sla(organisation, lead, now)
        report.held += 1
        return
    routed = await reroute(
        store,
        organisation,
        lead,
        now,
        why=Handover.told(Kind.STAFF, Reason("staff.rerouted", {"away": away.detail})),
        unavailable={away.agent: away.detail},
    )
    if routed.assigned:
        report.rerouted += 1
        return
    await _queue(store, organisation, lead, away, now)
    report.queued += 1


async def _return(
    store: Store, organisation: Organisation, lead: Lead, owner: str, now: datetime
) -> None:
    if lead.owner_agent_key != owner:
        back = Reason("staff.back", {"agent": owner})
        await decisions.reassign(
            store,
            organisation,
            lead.id,
            agent=owner,
            actor=ACTOR,
            now=now,
            kind=Kind.STAFF,
            reason=str(back),
            words=back,
        )
    lead.held_for_agent_key = None
    _restart_sla(organisation, lead, now)


def _restart_sla(organisation: Organisation, lead: Lead, now: datetime) -> None:
    """A handed-over lead not yet contacted gets a full first-contact window with its new owner."""
    if lead.first_contact_at is None and lead.pipeline_key is not None:
        lead.sla_due_at = organisation.sla_due(lead.pipeline_key, now)
        lead.sla_escalated_at = None


async def _queue(
    store: Store, organisation: Organisation, lead: Lead, away: Away, now: datetime
) -> None:
    """Nobody can take it now: it waits in the queue for the next eligible agent."""
    await store.roster.change_open(away.agent, -1)
    lead.owner_agent_key = None
    lead.routing_status = Outcome.QUEUED
    lead.sla_due_at = None
    why = Handover.told(Kind.STAFF, Reason("staff.queued", {"away": away.detail}), ACTOR)
    row = entry(organisation, why, now, Outcome.QUEUED, None, away.agent, lead.pipeline_key)
    await store.roster.add_assignment(lead.id, row)


def _can_cover(organisation: Organisation, key: str, now: datetime) -> bool:
    agent = _agent(organisation, key)
    return (
        agent is not None
        and agent.status is AgentStatus.ACTIVE
        and away_reason(organisation, key, now) is None
    )


def _agent(organisation: Organisation, key: str) -> Agent | None:
    return next((a for a in organisation.configuration.agents if a.key == key), None)
