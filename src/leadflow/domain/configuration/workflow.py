"""The sales workflow's vocabulary: stages with a type, lost reasons, the fields a stage may
require, and the workflow's own settings (alert delays).

A stage is open, won or lost. Won and lost close the lead (it leaves the inbox and frees a place
under its owner's open-leads cap); lost needs one of the pipeline's lost reasons. A stage may
require fields: moving a lead into it without them is refused, naming what is missing. A field
is either one of the lead's own (`BUILTIN_FIELDS`) or one defined in `Configuration.fields`,
whose value lives in the lead's `custom` values under its key.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import Field, model_validator

from leadflow.domain.configuration.base import Frozen, Key


class StageType(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


BUILTIN_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "country",
    "language",
    "treatment",
    "budget",
    "currency",
)
"""The lead's own fields a stage may require (`phone` is the normalised number)."""


class Stage(Frozen):
    key: Key
    name: str = ""
    """Shown on the board and the lead's page; the key when blank."""
    type: StageType = StageType.OPEN
    requires: list[str] = Field(default_factory=list)
    """Fields a lead needs before it may enter this stage: BUILTIN_FIELDS or `fields` keys."""

    @model_validator(mode="before")
    @classmethod
    def _from_key(cls, value: Any) -> Any:
        """`- won` is shorthand for {key: won, type: won}; likewise lost; any other key is open."""
        if isinstance(value, str):
            kind = value if value in (StageType.WON, StageType.LOST) else StageType.OPEN
            return {"key": value, "type": kind}
        return value

    @property
    def closes(self) -> bool:
        return self.type is not StageType.OPEN

    @property
    def label(self) -> str:
        return self.name or self.key


class LostReason(Frozen):
    key: Key
    name: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_key(cls, value: Any) -> Any:
        return {"key": value} if isinstance(value, str) else value

    @property
    def label(self) -> str:
        return self.name or self.key


DEFAULT_STAGES = (
    "new",
    "contacted",
    "qualified",
    "offer_sent",
    "booked",
    "won",
    "lost",
)
DEFAULT_LOST_REASONS = (
    "price",
    "medical_not_eligible",
    "chose_another_clinic",
    "unreachable",
    "duplicate",
    "no_reply",
    "other",
)


def default_stages() -> list[Stage]:
    return [Stage.model_validate(key) for key in DEFAULT_STAGES]


def default_lost_reasons() -> list[LostReason]:
    return [LostReason.model_validate(key) for key in DEFAULT_LOST_REASONS]


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    MONTH = "month"
    """YYYY-MM, e.g. the month a patient means to travel."""
    CHOICE = "choice"


class FieldDefinition(Frozen):
    """A field the sales workflow records on a lead (in its `custom` values)."""

    key: Key
    name: str = ""
    type: FieldType = FieldType.TEXT
    choices: list[str] = Field(default_factory=list)
    """For `type: choice`."""

    @model_validator(mode="after")
    def _choices(self) -> Self:
        if self.type is FieldType.CHOICE and not self.choices:
            raise ValueError(f"field {self.key!r} is a choice and needs choices")
        if self.type is not FieldType.CHOICE and self.choices:
            raise ValueError(f"field {self.key!r} has choices but is not a choice")
        return self

    @property
    def label(self) -> str:
        return self.name or self.key


class WorkflowSettings(Frozen):
    escalate_overdue_after_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    """Working minutes a task may stay overdue before the owner's team lead is alerted too."""
    escalate_missing_fields_after_hours: int = Field(default=24, ge=0, le=90 * 24)
    """Working hours a lead may sit in a stage without its required fields before the team lead
    is alerted (the owner is alerted at once)."""
