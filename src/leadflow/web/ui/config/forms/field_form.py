"""The workflow fields form: one row a field (key, name, type, choices), read back into
`Configuration.fields`, or problems named by row (`field-2-choices`) or for the whole list
(`fields`). Blank rows at the end add a field; a row whose key is emptied is dropped."""

from __future__ import annotations

import re
from typing import Any

from leadflow.domain.configuration import BUILTIN_FIELDS, Configuration, FieldType
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.shell.i18n import N_

BLANK_ROWS = 2
MAX_ROWS = 100
FIELD_TYPES = [t.value for t in FieldType]
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_ROW = re.compile(r"^field-(\d+)-key$")
_NAME_LIMIT = 100


def _blank() -> dict[str, str]:
    return {"key": "", "name": "", "type": FieldType.TEXT.value, "choices": ""}


def form_of(configuration: Configuration) -> dict[str, Any]:
    rows = [
        {"key": f.key, "name": f.name, "type": f.type.value, "choices": ", ".join(f.choices)}
        for f in configuration.fields
    ]
    return {"rows": rows + [_blank() for _ in range(BLANK_ROWS)], "comment": ""}


def sent_form(sent: Any) -> dict[str, Any]:
    """The rows as the browser sent them (`sent` is the form data), in their order."""
    found = (_ROW.match(str(name)) for name in sent)
    indices = sorted({int(m.group(1)) for m in found if m})[:MAX_ROWS]
    rows = [
        {
            part: str(sent.get(f"field-{i}-{part}", ""))
            for part in ("key", "name", "type", "choices")
        }
        for i in indices
    ]
    return {"rows": rows, "comment": str(sent.get("comment", ""))}


def read_fields(
    form: dict[str, Any], configuration: Configuration
) -> tuple[list[dict[str, Any]], FieldProblems]:
    """The fields for the document, and the problems found (a field still required by a stage
    cannot be removed)."""
    problems = FieldProblems()
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, row in enumerate(form["rows"]):
        key = row["key"].strip()
        if not key:
            continue
        fields.append(_read_row(problems, f"field-{i}", row, seen))
        seen.add(key)
    _still_required(problems, configuration, {f["key"] for f in fields})
    return fields, problems


def _read_row(
    problems: FieldProblems, name: str, row: dict[str, str], seen: set[str]
) -> dict[str, Any]:
    key = row["key"].strip()
    if not _KEY.match(key):
        problems.add(
            f"{name}-key",
            N_("Use lower-case letters, digits, dots, dashes and underscores (max. 64)."),
        )
    elif key in seen:
        problems.add(f"{name}-key", N_("Another row has this key already."))
    elif key in BUILTIN_FIELDS:
        problems.add(f"{name}-key", N_("This is one of the lead's own fields; choose another key."))
    label = row["name"].strip()
    if len(label) > _NAME_LIMIT:
        problems.add(f"{name}-name", N_("Keep the name under 100 characters."))
    kind = row["type"]
    if kind not in FIELD_TYPES:
        problems.add(f"{name}-type", N_("Choose one of the options."))
    choices = list(dict.fromkeys(c.strip() for c in row["choices"].split(",") if c.strip()))
    if kind == FieldType.CHOICE.value and not choices:
        problems.add(f"{name}-choices", N_("List the choices, separated by commas."))
    elif kind != FieldType.CHOICE.value and choices:
        problems.add(f"{name}-choices", N_("Only a field of the type choice has choices."))
    return {"key": key, "name": label, "type": kind, "choices": choices}


def _still_required(problems: FieldProblems, configuration: Configuration, kept: set[str]) -> None:
    for pipeline in configuration.pipelines:
        for stage in pipeline.stages:
            for field in stage.requires:
                if field not in kept and field not in BUILTIN_FIELDS:
                    problems.add(
                        "fields",
                        N_("%(field)s is required by the stage %(stage)s of %(pipeline)s: "
                           "remove it there first."),
                        field=field, stage=stage.label, pipeline=pipeline.name,
                    )  # fmt: skip
