"""Applying the automations' plans to a stored lead, in the transaction of the event.

For each plan of the pure engine (`leadflow.workflow.automation`) a run is recorded first, one
per (event key, automation key): when it exists already the plan has run and nothing happens,
which is what makes a repeated event (a retried job, a replayed sweep) fire nothing twice. The
actions run inside a savepoint: one that cannot be carried out (its stage is not in the lead's
pipeline, the stage's required fields are missing, nobody else is eligible…) undoes the plan's
other actions, records the run as `failed` with the reason and alerts the lead's team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadflow.calendar.working_time import NoWorkingTime
from leadflow.domain.configuration import (
    Action,
    CreateTask,
    MoveToStage,
    Notify,
    Pipeline,
    Reassign,
    Recipient,
    SetField,
)
from leadflow.identity import InvalidLead
from leadflow.services.assignment.assign import reroute
from leadflow.services.assignment.record import Handover, Kind
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.workflow import stages, tasks
from leadflow.services.workflow.fields import set_fields
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead
from leadflow.workflow.actors import Actor
from leadflow.workflow.automation import MAX_DEPTH, Event, Plan, plan
from leadflow.workflow.zones import AmbiguousTime, NonexistentTime, wall_time_in, wall_time_to_utc

__all__ = ["ActionFailed", "Event", "Run", "fire", "pipeline_of"]


class ActionFailed(Exception):
    """An action that cannot be carried out on this lead; the message says why."""


@dataclass(frozen=True)
class Run:
    automation: str
    event_key: str
    failure: str | None = None
    """Why it changed nothing; None when it was applied."""


async def fire(store: Store, organisation: Organisation, event: Event) -> list[Run]:
    """Apply every plan `event` sets off that has not run yet (the caller holds the lead
    locked and commits)."""
    runs = []
    for planned in plan(event, organisation.configuration):
        run = await _apply(store, organisation, planned, event)
        if run is not None:
            runs.append(run)
    return runs


async def _apply(
    store: Store, organisation: Organisation, planned: Plan, event: Event
) -> Run | None:
    automation = planned.automation
    run_id = await store.automation.claim_run(
        event_key=planned.event_key,
        automation_key=automation.key,
        lead_id=event.lead.id,
        config_version_id=organisation.version,
        at=event.at,
    )
    if run_id is None:
        return None
    actor = Actor.automation(automation.key, organisation.version)
    try:
        async with store.savepoint():
            lead = await store.leads.get(event.lead.id, for_update=True)
            assert lead is not None
            for index, action in enumerate(planned.actions):
                await _act(store, organisation, lead, action, actor, event, index)
    except (ActionFailed, stages.MoveRefused, InvalidLead, NoWorkingTime) as failure:
        await _failed(store, organisation, planned, event, run_id, str(failure))
        return Run(automation.key, planned.event_key, str(failure))
    return Run(automation.key, planned.event_key)


async def _failed(
    store: Store, organisation: Organisation, planned: Plan, event: Event, run_id: int, reason: str
) -> None:
    lead = await store.leads.get(event.lead.id)
    assert lead is not None
    await store.refresh(lead)  # the savepoint's changes to it are undone
    await store.automation.fail_run(run_id, {"reason": reason})
    team = _team(organisation, lead)
    if team is None:
        return
    await store.outbox.add(
        topic="workflow.automation_failed",
        channel="alert",
        recipient=team,
        payload={
            "lead_id": lead.id,
            "automation": planned.automation.key,
            "event": planned.event_key,
            "reason": reason,
        },
        idempotency_key=f"workflow.automation_failed:{planned.event_key}:{planned.automation.key}",
    )


def pipeline_of(organisation: Organisation, lead: Lead) -> Pipeline | None:
    """The lead's pipeline in the active configuration (None: none, or one removed since)."""
    return next(
        (p for p in organisation.configuration.pipelines if p.key == lead.pipeline_key), None
    )


def _team(organisation: Organisation, lead: Lead) -> str | None:
    pipeline = pipeline_of(organisation, lead)
    return pipeline.team if pipeline is not None else None


async def _act(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    action: Action,
    actor: Actor,
    event: Event,
    index: int,
) -> None:
    if isinstance(action, MoveToStage):
        await _move(store, organisation, lead, action, actor, event)
    elif isinstance(action, CreateTask):
        await _task(store, organisation, lead, action, actor, event.at)
    elif isinstance(action, Notify):
        await _notify(store, organisation, lead, action, actor, f"{event.key}:{index}")
    elif isinstance(action, SetField):
        set_fields(organisation.configuration, lead, {action.field: action.value})
    elif isinstance(action, Reassign):
        await _reassign(store, organisation, lead, actor, event.at)


async def _move(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    action: MoveToStage,
    actor: Actor,
    event: Event,
) -> None:
    if lead.stage_key == action.stage:
        return
    if event.depth >= MAX_DEPTH:
        raise ActionFailed(f"automations nested deeper than {MAX_DEPTH} (a loop of rules?)")
    await stages.move(
        store,
        organisation,
        lead.id,
        action.stage,
        lost_reason=action.lost_reason,
        actor=actor,
        now=event.at,
        depth=event.depth + 1,
    )


async def _task(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    action: CreateTask,
    actor: Actor,
    now: datetime,
) -> None:
    if action.due_in_working_minutes is not None:
        pipeline = pipeline_of(organisation, lead)
        if pipeline is None:
            raise ActionFailed("the lead has no pipeline to count working minutes in")
        due = organisation.add_working_minutes(pipeline.key, now, action.due_in_working_minutes)
        zone = None
    else:
        assert action.at_local_time is not None
        zone = task_zone(organisation, lead)
        due = next_wall_time(now, action.at_local_time, zone)
    await tasks.add(
        store,
        lead,
        title=action.title,
        kind=action.kind,
        due_at=due,
        due_zone=zone,
        owner=lead.owner_agent_key,
        actor=actor,
        now=now,
    )


def task_zone(organisation: Organisation, lead: Lead) -> str:
    """The zone a task's local time is given in: the patient's, else the pipeline's (the
    organisation's without a pipeline)."""
    found = tasks.patient_zone_of(lead)
    if found is not None:
        return found
    pipeline = pipeline_of(organisation, lead)
    return pipeline.timezone if pipeline else organisation.configuration.organisation.timezone


def next_wall_time(now: datetime, hhmm: str, zone: str) -> datetime:
    """The next moment after `now` the clocks of `zone` show `hhmm`. On the night a DST change
    skips that time the task falls to the next day; when the clocks show it twice, the first."""
    day = wall_time_in(now, zone).date()
    wanted = time.fromisoformat(hhmm)
    while True:
        wall = datetime.combine(day, wanted)
        try:
            candidate = wall_time_to_utc(wall, zone)
        except NonexistentTime:
            candidate = now
        except AmbiguousTime:
            candidate = wall.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)
        if candidate > now:
            return candidate
        day += timedelta(days=1)


async def _notify(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    action: Notify,
    actor: Actor,
    key: str,
) -> None:
    payload = {"lead_id": lead.id, "message": action.message, "automation": actor.rule_key}
    if action.who is Recipient.OWNER:
        if lead.owner_agent_key is None:
            raise ActionFailed("the lead has no owner to notify")
        channel, recipient = "sse", lead.owner_agent_key
    else:
        team = _team(organisation, lead)
        if team is None:
            raise ActionFailed("the lead has no pipeline, so no team lead to notify")
        channel, recipient = "alert", team
    await store.outbox.add(
        topic="workflow.notify",
        channel=channel,
        recipient=recipient,
        payload=payload,
        idempotency_key=f"workflow.notify:{key}:{actor.rule_key}",
    )


async def _reassign(
    store: Store, organisation: Organisation, lead: Lead, actor: Actor, now: datetime
) -> None:
    if pipeline_of(organisation, lead) is None or lead.closed_at is not None:
        raise ActionFailed("only an open lead in a pipeline can be routed again")
    owner = lead.owner_agent_key
    why = Handover(Kind.AUTOMATION, f"reassigned by automation {actor.rule_key}", actor.name or "")
    unavailable = {owner: f"reassigned away from {owner} by automation"} if owner else None
    routed = await reroute(store, organisation, lead, now, why=why, unavailable=unavailable)
    if not routed.assigned:
        raise ActionFailed("nobody else is eligible for the lead now")
