"""Tasks on leads: follow-ups and callbacks, due at a time the patient's time zone may give.

A task's due time is stored in UTC with the patient's zone beside it (from the lead's phone
number or country), so it can be shown in both the agent's and the patient's time. Who sees a
task: an agent their own, a team lead their teams' agents' (and unowned tasks on their teams'
pipelines), administrators, managers and integrations all; a task outside one's view is
answered like a task that does not exist. Creating, completing, cancelling and reopening a
task is written into the lead's history as a `task` activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadflow.domain.configuration import Configuration, TaskKind
from leadflow.identity import InvalidField, InvalidLead
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Role, Viewer
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.storage.store import Store, TaskFilter, TaskReach
from leadflow.storage.tables import Lead, Task
from leadflow.workflow.actors import Actor
from leadflow.workflow.zones import WallTimeError, patient_zone, wall_time_in, wall_time_to_utc

PATIENT = "patient"
AGENT = "agent"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class UnknownTask(LookupError):
    """No such task, or one outside the viewer's view (the same answer, so nothing leaks)."""

    def __init__(self, task_id: int) -> None:
        super().__init__(f"task {task_id} does not exist")
        self.task_id = task_id


@dataclass(frozen=True)
class LocalDue:
    """A due time as a wall time in a zone: `patient` (the patient's), `agent` (the task
    owner's) or an IANA name."""

    wall: datetime
    zone: str


Due = datetime | LocalDue
"""An aware instant, or a wall time in a zone."""


@dataclass(frozen=True)
class NewTask:
    lead_id: int
    title: str
    kind: TaskKind = TaskKind.FOLLOW_UP
    due: Due | None = None
    owner: str | None = None
    """Default: the lead's owner (else the viewer, when they are an agent)."""


@dataclass(frozen=True)
class TaskChange:
    """What a PATCH changes; None leaves a field as it is."""

    status: TaskStatus | None = None
    title: str | None = None
    due: Due | None = None
    owner: str | None = None


@dataclass(frozen=True)
class TaskLine:
    """A task as it is shown: its due time in UTC and in the patient's zone."""

    task: Task
    lead: Lead
    due_local: datetime | None
    """The wall time in `task.due_zone` (the patient's), if it is known."""

    @property
    def lead_name(self) -> str:
        name = " ".join(part for part in (self.lead.first_name, self.lead.last_name) if part)
        return name or f"#{self.lead.id}"

    def overdue(self, now: datetime) -> bool:
        return self.task.status == TaskStatus.OPEN and self.task.due_at <= now


@dataclass(frozen=True)
class TaskQuery:
    due_before: datetime | None = None
    owner: str | None = None
    status: TaskStatus | None = None
    lead_id: int | None = None
    limit: int = 200


def reach_of(viewer: Viewer, configuration: Configuration) -> TaskReach:
    """The tasks a viewer sees: an agent their own, a team lead their teams' agents' (and the
    unowned ones on their teams' pipelines), those who see every lead all of them."""
    if scoping.sees_everything(viewer):
        return TaskReach(everything=True)
    scope = scoping.lead_scope(viewer, configuration)
    pipelines = scope.pipelines if viewer.role is Role.TEAM_LEAD else frozenset()
    return TaskReach(everything=False, owners=scope.agents, pipelines=pipelines)


async def add(
    store: Store,
    lead: Lead,
    *,
    title: str,
    kind: TaskKind,
    due_at: datetime,
    due_zone: str | None,
    owner: str | None,
    actor: Actor,
    now: datetime,
) -> Task:
    """A new open task on `lead` (the caller has checked the viewer may see the lead), recorded
    in the lead's history. Without an `owner`, the lead's owner gets it; without a `due_zone`,
    the patient's zone is kept beside the due time, if it is known."""
    task = await store.tasks.add(
        {
            "lead_id": lead.id,
            "owner_agent_key": owner or lead.owner_agent_key,
            "title": title,
            "kind": kind.value,
            "due_at": due_at.astimezone(UTC),
            "due_zone": due_zone or patient_zone_of(lead),
            "created_at": now,
            "created_by": actor.name,
            "rule_key": actor.rule_key,
            "config_version_id": actor.config_version_id,
        }
    )
    await _record(store, task, "created", actor, now)
    return task


async def create(
    store: Store,
    configuration: Configuration,
    viewer: Viewer,
    new: NewTask,
    *,
    actor: Actor,
    now: datetime,
) -> TaskLine:
    """A task on a lead the viewer sees (`UnknownLead` otherwise), for an owner they see;
    `actor` is who the lead's history names."""
    lead = await _visible_lead(store, configuration, viewer, new.lead_id)
    owner = new.owner or lead.owner_agent_key or viewer.agent_key
    if new.owner is not None:
        _check_owner(viewer, configuration, new.owner)
    if new.due is None:
        raise InvalidLead([InvalidField("due_at", "give due_at, or due_local with a zone")])
    zone = patient_zone_of(lead)
    due_at = resolve_due(new.due, zone, _agent_zone(configuration, owner))
    task = await add(
        store,
        lead,
        title=new.title,
        kind=new.kind,
        due_at=due_at,
        due_zone=zone,
        owner=owner,
        actor=actor,
        now=now,
    )
    return line_of(task, lead)


async def tasks(
    store: Store, configuration: Configuration, viewer: Viewer, query: TaskQuery
) -> list[TaskLine]:
    """The tasks the viewer sees that pass `query`, earliest due first."""
    found = await store.tasks.find(
        reach_of(viewer, configuration),
        TaskFilter(
            due_before=query.due_before,
            owner=query.owner,
            status=query.status.value if query.status else None,
            lead_id=query.lead_id,
            limit=query.limit,
        ),
    )
    return [line_of(task, lead) for task, lead in found]


@dataclass(frozen=True)
class LeadTasks:
    lines: list[TaskLine]
    """The lead's open tasks the viewer sees, earliest due first."""
    patient_zone: str | None


async def of_lead(
    store: Store, configuration: Configuration, viewer: Viewer, lead_id: int
) -> LeadTasks:
    """A lead's open tasks and its patient's time zone (`UnknownLead` for a lead the viewer
    does not see)."""
    lead = await _visible_lead(store, configuration, viewer, lead_id)
    query = TaskQuery(lead_id=lead_id, status=TaskStatus.OPEN)
    return LeadTasks(await tasks(store, configuration, viewer, query), patient_zone_of(lead))


async def _visible_lead(
    store: Store, configuration: Configuration, viewer: Viewer, lead_id: int
) -> Lead:
    lead = await store.leads.get(lead_id)
    if lead is None or not scoping.can_see_lead(
        viewer, configuration, owner=lead.owner_agent_key, pipeline=lead.pipeline_key
    ):
        raise UnknownLead(lead_id)
    return lead


async def update(
    store: Store,
    configuration: Configuration,
    viewer: Viewer,
    task_id: int,
    change: TaskChange,
    *,
    actor: Actor,
    now: datetime,
) -> TaskLine:
    """Complete, cancel or reopen a task; move its due time; give it to another owner the
    viewer sees; rename it. A new due time alerts again when it passes."""
    found = await store.tasks.get(task_id, reach_of(viewer, configuration), for_update=True)
    if found is None:
        raise UnknownTask(task_id)
    task, lead = found
    if change.owner is not None and change.owner != task.owner_agent_key:
        _check_owner(viewer, configuration, change.owner)
        task.owner_agent_key = change.owner
    if change.title is not None:
        task.title = change.title
    if change.due is not None:
        owner_zone = _agent_zone(configuration, task.owner_agent_key)
        due_at = resolve_due(change.due, task.due_zone or patient_zone_of(lead), owner_zone)
        if due_at != task.due_at:
            task.due_at, task.overdue_alerted_at, task.escalated_at = due_at, None, None
    if change.status is not None and change.status != task.status:
        await _change_status(store, task, change.status, actor, now)
    return line_of(task, lead)


_EVENTS = {TaskStatus.DONE: "done", TaskStatus.CANCELLED: "cancelled", TaskStatus.OPEN: "reopened"}


async def _change_status(
    store: Store, task: Task, status: TaskStatus, actor: Actor, now: datetime
) -> None:
    task.status = status.value
    task.completed_at = None if status is TaskStatus.OPEN else now
    await _record(store, task, _EVENTS[status], actor, now)


async def _record(store: Store, task: Task, event: str, actor: Actor, now: datetime) -> None:
    """The task's event in the lead's history."""
    detail: dict[str, Any] = {
        "event": event,
        "title": task.title,
        "kind": task.kind,
        "due_at": task.due_at.isoformat(),
        "due_zone": task.due_zone,
        "owner": task.owner_agent_key,
    }
    await store.leads.add_activity(
        {
            "lead_id": task.lead_id,
            "agent_key": actor.agent_key or task.owner_agent_key,
            "kind": "task",
            "occurred_at": now,
            "detail": detail,
            "actor_kind": actor.kind.value,
            "actor": actor.name,
            "rule_key": actor.rule_key,
            "config_version_id": actor.config_version_id,
            "task_id": task.id,
        }
    )


def line_of(task: Task, lead: Lead) -> TaskLine:
    local = wall_time_in(task.due_at, task.due_zone) if task.due_zone else None
    return TaskLine(task, lead, local)


def patient_zone_of(lead: Lead) -> str | None:
    """The patient's zone, if this machine's time-zone database knows it (libphonenumber's and
    CLDR's may name a zone newer than an old system's)."""
    zone = patient_zone(lead.country, lead.phone_e164)
    try:
        return zone if zone is not None and ZoneInfo(zone) else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _agent_zone(configuration: Configuration, agent_key: str | None) -> str:
    """The owner's time zone; the organisation's when the task has no owner."""
    agent = next((a for a in configuration.agents if a.key == agent_key), None)
    return agent.timezone if agent is not None else configuration.organisation.timezone


def _check_owner(viewer: Viewer, configuration: Configuration, owner: str) -> None:
    """A task goes to an agent the viewer sees (an agent: only themselves)."""
    if not scoping.can_see_agent_key(viewer, configuration, owner):
        message = f"{owner!r} is not an agent you may give tasks to"
        raise InvalidLead([InvalidField("owner", message)])


def resolve_due(due: Due, patient: str | None, agent: str) -> datetime:
    """The UTC instant of a due time given as an instant or as a wall time in the patient's
    zone, the agent's or a named one. `InvalidLead` names the field when it cannot be had."""
    if isinstance(due, datetime):
        return due.astimezone(UTC)
    zone = {PATIENT: patient, AGENT: agent}.get(due.zone, due.zone)
    if zone is None:
        message = "the patient's time zone is unknown (the lead has no phone number or country)"
        raise InvalidLead([InvalidField("zone", message)])
    _require_zone(zone)
    try:
        return wall_time_to_utc(due.wall, zone)
    except WallTimeError as error:
        raise InvalidLead([InvalidField("due_local", str(error))]) from error


def _require_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        message = f"{name!r} is not {PATIENT!r}, {AGENT!r} or an IANA time zone (Europe/Berlin)"
        raise InvalidLead([InvalidField("zone", message)]) from error
