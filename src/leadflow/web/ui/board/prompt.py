"""The in-place prompt a refused move opens: exactly the fields the target stage still needs
(each with an input of its type) and, for a lost stage, the reason; the problems the stage
move service named, worded for people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leadflow.domain.configuration import (
    Configuration,
    FieldDefinition,
    FieldType,
    LostReason,
    Pipeline,
    Stage,
    StageType,
)
from leadflow.services.workflow.board import Refused
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.vocabulary import label_key

_BUILTIN_INPUTS = {"email": "email", "phone": "tel", "budget": "number"}
_INPUTS = {
    FieldType.TEXT: "text",
    FieldType.NUMBER: "number",
    FieldType.MONEY: "number",
    FieldType.DATE: "date",
    FieldType.MONTH: "month",
    FieldType.CHOICE: "select",
}
_BAD_VALUE = {
    "number": N_("Enter a number."),
    "date": N_("Enter a date."),
    "month": N_("Choose a month."),
    "select": N_("Choose one of the options."),
    "email": N_("Enter a valid e-mail address."),
    "tel": N_("Enter a valid phone number."),
    "text": N_("This value cannot be saved: check what you typed."),
}
MISSING = N_("Needed to enter %(stage)s.")
NO_REASON = N_("Choose why the lead was lost.")
NOT_A_STAGE = N_("This is not a stage of the pipeline.")


@dataclass(frozen=True)
class PromptField:
    key: str
    label: str
    """A configured field's name as configured; a built-in field's untranslated word."""
    translated: bool
    """Whether `label` is one of our words, to translate (a configured name is shown as is)."""
    input: str
    """text, number, date, month, select, email or tel."""
    choices: list[str] = field(default_factory=list)
    step: str = "any"
    value: str = ""
    problem: str = ""
    """Untranslated; shown beside the input."""


@dataclass(frozen=True)
class Prompt:
    lead_id: int
    name: str
    stage: Stage | None
    """None when the stage asked for is not one of the pipeline's."""
    fields: list[PromptField]
    reasons: list[LostReason]
    """The pipeline's lost reasons, when the stage is a lost one."""
    lost_reason: str
    reason_problem: str
    problem: str
    """A problem no input shows (the stage itself)."""

    @property
    def needs_reason(self) -> bool:
        return self.stage is not None and self.stage.type is StageType.LOST


def prompt_field(
    configuration: Configuration, key: str, value: str, refused: bool = False
) -> PromptField:
    """The input for field `key` showing `value`; `refused`: the move service named it."""
    definition = configuration.field(key)
    if definition is not None:
        return _configured(definition, value, refused)
    kind = _BUILTIN_INPUTS.get(key, "text")
    problem = _worded(kind, value) if refused else ""
    return PromptField(key, label_key("field", key), True, kind, value=value, problem=problem)


def _configured(definition: FieldDefinition, value: str, refused: bool) -> PromptField:
    kind = _INPUTS[definition.type]
    return PromptField(
        definition.key,
        definition.label,
        False,
        kind,
        choices=list(definition.choices),
        step="0.01" if definition.type is FieldType.MONEY else "any",
        value=value,
        problem=_worded(kind, value) if refused else "",
    )


def prompt(
    configuration: Configuration,
    pipeline: Pipeline,
    refusal: Refused,
    sent: Mapping[str, str],
    lost_reason: str,
) -> Prompt:
    """The prompt for the refused move; `sent` are the field values typed so far (by field
    name), shown again with the reason chosen."""
    stage = pipeline.stage(refusal.to_stage)
    problems = refusal.problems
    named = [path.removeprefix("fields.") for path in problems if path.startswith("fields.")]
    wanted = [key for key in (stage.requires if stage else []) if key in named or key in sent]
    wanted += [key for key in named if key not in wanted]
    fields = [
        prompt_field(configuration, key, sent.get(key, ""), f"fields.{key}" in problems)
        for key in wanted
    ]
    lost = stage is not None and stage.type is StageType.LOST
    return Prompt(
        lead_id=refusal.lead_id,
        name=refusal.name,
        stage=stage,
        fields=fields,
        reasons=list(pipeline.lost_reasons) if lost else [],
        lost_reason=lost_reason,
        reason_problem=NO_REASON if "lost_reason" in problems else "",
        problem=NOT_A_STAGE if stage is None or "stage" in problems else "",
    )


def _worded(kind: str, value: str) -> str:
    """A missing value, or one the field does not take."""
    return MISSING if not value.strip() else _BAD_VALUE[kind]
