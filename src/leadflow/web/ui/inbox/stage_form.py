"""The lead page's stage control: a move as the agent asked for it, and, when the move is refused
for missing fields or a missing lost reason, the prompt that asks for exactly those in place
(typed inputs from each field's definition), posted again together with the stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leadflow.domain.configuration import Configuration, FieldType
from leadflow.identity import InvalidLead
from leadflow.services.workflow.stages import MoveRefused
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.vocabulary import LABELS

FIELD_PREFIX = "fields."
"""The prompt's inputs are named `fields.<name>`, as the refusal names them."""

BUILTIN_LABELS = LABELS["field"]
"""The lead's own fields' names (the shell's vocabulary, shared with the board)."""
BUILTIN_INPUTS = {"budget": "money", "email": "email", "phone": "tel", "treatment": "choice"}
"""How the lead's own fields are entered; any other is text."""

PROBLEMS = {
    "stage": N_("Choose one of this pipeline's stages."),
    "lost_reason": N_("Choose why the lead was lost."),
    "field": N_("This value does not fit the field."),
    "missing": N_("Fill this in to enter the stage."),
}


@dataclass(frozen=True)
class PromptField:
    """One input of the prompt."""

    name: str
    label: str
    translated: bool
    """`label` is one of ours (translated); else the organisation's own name, shown as is."""
    input: str
    """text, number, money, date, month, choice, email, tel."""
    choices: tuple[tuple[str, str], ...] = ()
    """(value, label) for a choice; labels of ours are translated."""


def prompt_field(configuration: Configuration, name: str) -> PromptField:
    definition = configuration.field(name)
    if definition is not None:
        choices = tuple((choice, choice) for choice in definition.choices)
        return PromptField(name, definition.label, False, definition.type.value, choices)
    kind = BUILTIN_INPUTS.get(name, FieldType.TEXT.value)
    choices = tuple(LABELS["treatment"].items()) if name == "treatment" else ()
    return PromptField(name, BUILTIN_LABELS.get(name, name), name in BUILTIN_LABELS, kind, choices)


@dataclass
class StageForm:
    """A stage move as posted: the stage, a lost reason, the fields typed into a prompt."""

    stage: str = ""
    lost_reason: str = ""
    values: dict[str, str] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    """The fields the prompt asks for, in the stage's order."""
    ask_reason: bool = False
    problems: dict[str, str] = field(default_factory=dict)
    """`stage`, `lost_reason` or a field's name → untranslated message."""

    @classmethod
    def posted(cls, form: Mapping[str, object]) -> StageForm:
        values = {
            str(key).removeprefix(FIELD_PREFIX): str(value)
            for key, value in form.items()
            if str(key).startswith(FIELD_PREFIX)
        }
        return cls(str(form.get("stage", "")), str(form.get("lost_reason", "")), values)

    @property
    def prompting(self) -> bool:
        return bool(self.asked or self.ask_reason)

    def refused(self, error: MoveRefused) -> None:
        """Ask for what the move lacks; what was typed and is still wrong is marked."""
        for problem in error.problems:
            name = problem.field.removeprefix(FIELD_PREFIX)
            if problem.field == "stage":
                self.problems["stage"] = PROBLEMS["stage"]
            elif problem.field == "lost_reason":
                self.ask_reason = True
                if self.lost_reason:
                    self.problems["lost_reason"] = PROBLEMS["lost_reason"]
            else:
                self._ask(name)
                if name in self.values:
                    self.problems[name] = PROBLEMS["missing"]
        if self.problems.get("stage"):
            self.asked, self.ask_reason = [], False

    def invalid(self, error: InvalidLead) -> None:
        """A typed value that does not fit its field: ask again for everything typed."""
        for name in self.values:
            self._ask(name)
        for problem in error.errors:
            name = problem.field.removeprefix(FIELD_PREFIX)
            self._ask(name)
            self.problems[name] = PROBLEMS["field"]
        self.ask_reason = self.ask_reason or bool(self.lost_reason)

    def _ask(self, name: str) -> None:
        if name not in self.asked:
            self.asked.append(name)
