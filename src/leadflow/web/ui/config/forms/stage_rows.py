"""The pipeline form's stages and lost reasons, one row each: a stage's position, key, name,
type (open, won, lost) and required fields; a reason's key and name. Read back into the
pipeline's `stages` and `lost_reasons`, or problems named by row (`stage-2-key`) or for the
whole set (`stages`, `lost_reasons`).

Blank rows at the end add a stage or a reason; a row whose key is emptied is dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from typing import Any

from leadflow.domain.configuration import Pipeline, StageType
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.shell.i18n import N_

BLANK_ROWS = 2
MAX_ROWS = 60
STAGE_TYPES = [t.value for t in StageType]
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_ROW = re.compile(r"^(stage|reason)-(\d+)-key$")
_NAME_LIMIT = 100


def _blank_stage(position: int) -> dict[str, Any]:
    return {"position": str(position), "key": "", "name": "", "type": "open", "requires": []}


def stage_rows(pipeline: Pipeline) -> list[dict[str, Any]]:
    """The pipeline's stages as rows, then blank rows to add some."""
    rows = [
        {
            "position": str(n),
            "key": stage.key,
            "name": stage.name,
            "type": stage.type.value,
            "requires": list(stage.requires),
        }
        for n, stage in enumerate(pipeline.stages, start=1)
    ]
    return rows + [_blank_stage(len(rows) + n) for n in range(1, BLANK_ROWS + 1)]


def reason_rows(pipeline: Pipeline) -> list[dict[str, str]]:
    rows = [{"key": reason.key, "name": reason.name} for reason in pipeline.lost_reasons]
    return rows + [{"key": "", "name": ""} for _ in range(BLANK_ROWS)]


def _indices(sent: Any, kind: str) -> list[int]:
    found = (_ROW.match(str(name)) for name in sent)
    return sorted({int(m.group(2)) for m in found if m and m.group(1) == kind})[:MAX_ROWS]


def sent_stage_rows(sent: Any) -> list[dict[str, Any]]:
    """The stage rows as the browser sent them (`sent` is the form data), in their order."""
    return [
        {
            "position": str(sent.get(f"stage-{i}-position", "")),
            "key": str(sent.get(f"stage-{i}-key", "")),
            "name": str(sent.get(f"stage-{i}-name", "")),
            "type": str(sent.get(f"stage-{i}-type", "open")),
            "requires": [str(v) for v in sent.getlist(f"stage-{i}-requires")],
        }
        for i in _indices(sent, "stage")
    ]


def sent_reason_rows(sent: Any) -> list[dict[str, str]]:
    return [
        {"key": str(sent.get(f"reason-{i}-key", "")), "name": str(sent.get(f"reason-{i}-name", ""))}
        for i in _indices(sent, "reason")
    ]


def _key(problems: FieldProblems, field: str, text: str) -> str:
    key = text.strip()
    if not _KEY.match(key):
        problems.add(
            field, N_("Use lower-case letters, digits, dots, dashes and underscores (max. 64).")
        )
    return key


def _name(problems: FieldProblems, field: str, text: str) -> str:
    name = text.strip()
    if len(name) > _NAME_LIMIT:
        problems.add(field, N_("Keep the name under 100 characters."))
    return name


def read_stages(
    problems: FieldProblems, rows: list[dict[str, Any]], known_fields: Collection[str]
) -> list[dict[str, Any]]:
    """The stages, ordered by their rows' positions (ties in row order)."""
    kept: list[tuple[float, int, dict[str, Any]]] = []
    for i, row in enumerate(rows):
        if not row["key"].strip():
            continue
        name = f"stage-{i}"
        stage = {
            "key": _key(problems, f"{name}-key", row["key"]),
            "name": _name(problems, f"{name}-name", row["name"]),
            "type": row["type"],
            "requires": list(dict.fromkeys(row["requires"])),
        }
        if row["type"] not in STAGE_TYPES:
            problems.add(f"{name}-type", N_("Choose one of the options."))
        if any(field not in known_fields for field in stage["requires"]):
            problems.add(f"{name}-requires", N_("Choose fields from the list."))
        kept.append((_position(row["position"], i + 1), i, stage))
    _no_key_twice(problems, [(f"stage-{i}-key", stage["key"]) for _, i, stage in kept])
    return [stage for _, _, stage in sorted(kept, key=lambda item: (item[0], item[1]))]


def _position(text: str, otherwise: int) -> float:
    """A row's place: a number (1.5 goes between 1 and 2); blank or unreadable keeps the row's."""
    try:
        found = float(text.strip().replace(",", "."))
    except ValueError:
        return otherwise
    return found if math.isfinite(found) else otherwise


def read_reasons(problems: FieldProblems, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    reasons: list[tuple[int, dict[str, str]]] = []
    for i, row in enumerate(rows):
        if row["key"].strip():
            reason = {
                "key": _key(problems, f"reason-{i}-key", row["key"]),
                "name": _name(problems, f"reason-{i}-name", row["name"]),
            }
            reasons.append((i, reason))
    _no_key_twice(problems, [(f"reason-{i}-key", reason["key"]) for i, reason in reasons])
    return [reason for _, reason in reasons]


def _no_key_twice(problems: FieldProblems, keys: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for field, key in keys:
        if key in seen:
            problems.add(field, N_("Another row has this key already."))
        seen.add(key)


def check_stage_set(
    problems: FieldProblems, stages: list[dict[str, Any]], reasons: list[dict[str, str]]
) -> None:
    """What the set of stages must be as a whole: not empty, starting with an open stage (where
    routed leads start), and with lost reasons when a stage is lost."""
    if not stages:
        problems.add("stages", N_("A pipeline needs at least one stage."))
    elif stages[0]["type"] != StageType.OPEN.value:
        problems.add("stages", N_("The first stage must be open: it is where new leads start."))
    if any(stage["type"] == StageType.LOST.value for stage in stages) and not reasons:
        problems.add(
            "lost_reasons", N_("A pipeline with a lost stage needs at least one lost reason.")
        )
