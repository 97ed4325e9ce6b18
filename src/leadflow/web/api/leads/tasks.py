"""Tasks on leads (follow-ups, callbacks): list, create, complete, cancel, move."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from leadflow.domain.configuration import TaskKind
from leadflow.domain.storable import StorableText
from leadflow.identity import InvalidField, InvalidLead
from leadflow.services.workflow import activities, tasks
from leadflow.services.workflow.tasks import LocalDue, TaskStatus
from leadflow.web.api.schemas import NOT_FOUND, UNAUTHENTICATED, UNREADABLE
from leadflow.web.deps import Now, OrgDep, Reader, StoreDep, Worker
from leadflow.web.params import BIGINT_MAX, IsoDateTime, LeadQuery, TaskId, WallDateTime

router = APIRouter(
    prefix="/api/v1", tags=["tasks"], responses={**UNAUTHENTICATED, **NOT_FOUND, **UNREADABLE}
)

AGENT_KEY = r"^[a-z0-9][a-z0-9._-]{0,63}$"
ZONE = (
    "the zone of `due_local`: `patient` (from the lead's phone number or country), `agent` "
    "(the task owner's) or an IANA name such as Europe/Berlin"
)


class DueFields(BaseModel):
    due_at: IsoDateTime | None = Field(default=None, description="when it is due, with an offset")
    due_local: WallDateTime | None = Field(
        default=None, description="or: a wall time in `zone` (a time skipped or repeated by a "
        "daylight-saving change is refused)"
    )  # fmt: skip
    zone: StorableText | None = Field(default=None, max_length=64, description=ZONE)

    def due(self) -> tasks.Due | None:
        """The due time given, or None; `InvalidLead` names the field when it is half given."""
        if self.due_at is not None and self.due_local is not None:
            raise InvalidLead([InvalidField("due_local", "give due_at or due_local, not both")])
        if self.due_local is not None:
            if not self.zone:
                raise InvalidLead([InvalidField("zone", "due_local needs a zone")])
            return LocalDue(self.due_local, self.zone)
        if self.zone is not None:
            raise InvalidLead([InvalidField("due_local", "a zone needs due_local")])
        return self.due_at


def _title(title: str | None) -> str | None:
    if title is not None and not title.strip():
        raise InvalidLead([InvalidField("title", "must not be blank")])
    return title.strip() if title is not None else None


class TaskIn(DueFields):
    model_config = ConfigDict(extra="forbid")

    lead_id: int = Field(ge=1, le=BIGINT_MAX)
    title: StorableText = Field(min_length=1, max_length=200)
    kind: TaskKind = TaskKind.FOLLOW_UP
    owner: StorableText | None = Field(
        default=None, max_length=64, description="an agent's key; default: the lead's owner"
    )


class TaskPatch(DueFields):
    model_config = ConfigDict(extra="forbid")

    status: TaskStatus | None = Field(
        default=None, description="`done`, `cancelled`, or `open` to reopen"
    )
    title: StorableText | None = Field(default=None, min_length=1, max_length=200)
    owner: StorableText | None = Field(default=None, max_length=64, description="an agent's key")


class TaskOut(BaseModel):
    id: int
    lead_id: int
    lead_name: str
    title: str
    kind: TaskKind
    status: TaskStatus
    owner: str | None
    due_at: datetime = Field(description="in UTC")
    due_zone: str | None = Field(description="the patient's time zone, when it is known")
    due_local: str | None = Field(
        description="the due time as the patient's wall time (in `due_zone`), e.g. 2026-05-12T14:00"
    )
    overdue: bool
    created_at: datetime
    created_by: str | None
    completed_at: datetime | None
    rule_key: str | None = Field(description="the automation rule that created it, if one did")

    @classmethod
    def of(cls, line: tasks.TaskLine, now: datetime) -> TaskOut:
        task = line.task
        return cls(
            id=task.id,
            lead_id=task.lead_id,
            lead_name=line.lead_name,
            title=task.title,
            kind=TaskKind(task.kind),
            status=TaskStatus(task.status),
            owner=task.owner_agent_key,
            due_at=task.due_at,
            due_zone=task.due_zone,
            due_local=line.due_local.isoformat(timespec="minutes") if line.due_local else None,
            overdue=line.overdue(now),
            created_at=task.created_at,
            created_by=task.created_by,
            completed_at=task.completed_at,
            rule_key=task.rule_key,
        )


@router.get(
    "/tasks",
    response_model=list[TaskOut],
    summary="Tasks, earliest due first (an agent: their own; a team lead: their teams')",
)
async def list_tasks(
    db: StoreDep,
    organisation: OrgDep,
    now: Now,
    who: Reader,
    due_before: IsoDateTime | None = None,
    owner: Annotated[str | None, Query(pattern=AGENT_KEY, description="an agent's key")] = None,
    status: TaskStatus | None = None,
    lead_id: LeadQuery | None = None,
) -> list[TaskOut]:
    """Every status unless `status` is given; e.g. `?status=open&due_before=…` for what is due.
    At most 200 tasks."""
    query = tasks.TaskQuery(due_before, owner, status, lead_id)
    found = await tasks.tasks(db, organisation.configuration, who, query)
    return [TaskOut.of(line, now) for line in found]


@router.post(
    "/tasks",
    status_code=201,
    response_model=TaskOut,
    summary="Create a task on a lead, due at a time or at a wall time in the patient's zone",
    responses={
        404: {"description": "no such lead, or one outside the caller's view"},
        422: {"description": "a field is invalid (e.g. a wall time the zone skips)"},
    },
)
async def create_task(
    body: TaskIn, db: StoreDep, organisation: OrgDep, now: Now, who: Worker
) -> TaskOut:
    new = tasks.NewTask(
        lead_id=body.lead_id,
        title=_title(body.title) or "",
        kind=body.kind,
        due=body.due(),
        owner=body.owner,
    )
    actor = activities.actor_of(who)
    line = await tasks.create(db, organisation.configuration, who, new, actor=actor, now=now)
    await db.commit()
    return TaskOut.of(line, now)


@router.patch(
    "/tasks/{task_id}",
    response_model=TaskOut,
    summary="Complete, cancel or reopen a task; move its due time; give it to another agent",
    responses={
        404: {"description": "no such task, or one outside the caller's view"},
        422: {"description": "a field is invalid (e.g. an owner outside the caller's view)"},
    },
)
async def update_task(
    task_id: TaskId, body: TaskPatch, db: StoreDep, organisation: OrgDep, now: Now, who: Worker
) -> TaskOut:
    change = tasks.TaskChange(
        status=body.status, title=_title(body.title), due=body.due(), owner=body.owner
    )
    actor = activities.actor_of(who)
    line = await tasks.update(
        db, organisation.configuration, who, task_id, change, actor=actor, now=now
    )
    await db.commit()
    return TaskOut.of(line, now)
