"""Automation rules: when an event happens, if conditions on the lead hold, do actions.

Typed like routing rules (never evaluated strings): a trigger (`trigger.event`), an optional
`when` condition over the lead (the routing rules' conditions, plus `stage`, `owner` and
`pipeline`), and one or more actions (`do`). Every change an automation makes is recorded with
the automation's key and the configuration version; one that cannot be carried out (its stage is
not in the lead's pipeline, say) changes nothing and raises an alert.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from leadflow.domain.configuration.base import Frozen, Key
from leadflow.domain.configuration.rules import Condition, Scalar

HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class LeadCreated(Frozen):
    event: Literal["lead_created"]


class ActivityLogged(Frozen):
    """An activity of `kind` (any when None) was logged, with `outcome` / `note_type` if given."""

    event: Literal["activity_logged"]
    kind: Literal["call", "message", "email", "note", "csat"] | None = None
    outcome: str | None = None
    """For calls: answered, no_answer, busy, voicemail, wrong_number."""
    note_type: str | None = None
    """For notes and e-mails: their `type` (e.g. offer)."""


class MessageReceived(Frozen):
    event: Literal["message_received"]
    channel: Literal["whatsapp", "sms", "email"] | None = None


class StageEntered(Frozen):
    event: Literal["stage_entered"]
    stage: Key


class TaskOverdue(Frozen):
    event: Literal["task_overdue"]


class NoActivity(Frozen):
    """An open lead had no activity for `working_hours` of its pipeline's working time."""

    event: Literal["no_activity"]
    working_hours: int = Field(gt=0, le=24 * 60)


class FailedAttempts(Frozen):
    """The `count`th unanswered call attempt within `within_days` days."""

    event: Literal["failed_attempts"]
    count: int = Field(gt=0, le=100)
    within_days: int = Field(gt=0, le=365)


Trigger = Annotated[
    LeadCreated
    | ActivityLogged
    | MessageReceived
    | StageEntered
    | TaskOverdue
    | NoActivity
    | FailedAttempts,
    Field(discriminator="event"),
]
EVENTS = (
    "lead_created",
    "activity_logged",
    "message_received",
    "stage_entered",
    "task_overdue",
    "no_activity",
    "failed_attempts",
)


class MoveToStage(Frozen):
    do: Literal["move_to_stage"]
    stage: Key
    lost_reason: Key | None = None
    """Needed when `stage` is a lost stage."""


class TaskKind(StrEnum):
    CALLBACK = "callback"
    FOLLOW_UP = "follow_up"
    TODO = "todo"


class CreateTask(Frozen):
    """A task for the lead's owner, due `due_in_working_minutes` of the pipeline's working time
    from now, or at `at_local_time` in the patient's time zone (the next such time)."""

    do: Literal["create_task"]
    title: str = Field(min_length=1, max_length=200)
    kind: TaskKind = TaskKind.FOLLOW_UP
    due_in_working_minutes: int | None = Field(default=None, ge=0, le=30 * 24 * 60)
    at_local_time: HHMM | None = None

    @model_validator(mode="after")
    def _one_due(self) -> Self:
        if (self.due_in_working_minutes is None) == (self.at_local_time is None):
            raise ValueError("a task needs due_in_working_minutes or at_local_time (one of them)")
        return self


class Recipient(StrEnum):
    OWNER = "owner"
    TEAM_LEAD = "team_lead"


class Notify(Frozen):
    do: Literal["notify"]
    who: Recipient = Recipient.OWNER
    message: str = Field(min_length=1, max_length=500)


class SetField(Frozen):
    do: Literal["set_field"]
    field: str
    """A `fields` key, or one of the lead's own fields (BUILTIN_FIELDS)."""
    value: Scalar | None


class Reassign(Frozen):
    """Route the lead again through the routing rules (its owner excluded)."""

    do: Literal["reassign"]


Action = Annotated[
    MoveToStage | CreateTask | Notify | SetField | Reassign, Field(discriminator="do")
]
ACTIONS = ("move_to_stage", "create_task", "notify", "set_field", "reassign")


class Automation(Frozen):
    key: Key
    name: str = ""
    enabled: bool = True
    pipelines: list[Key] = Field(default_factory=list)
    """The pipelines whose leads it acts on; empty means every pipeline."""
    trigger: Trigger
    when: Condition | None = None
    """Over the lead: routing rules' fields, plus `stage`, `owner` and `pipeline`."""
    do: list[Action] = Field(min_length=1, max_length=10)
