"""A vendor form's answers as lead fields (pure): the connector's mapping per form says which
question (a vendor column id or question text) fills which lead field or `custom.NAME`; what no
mapping names is kept as a custom field under a name made from the question."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CUSTOM = "custom."
FULL_NAME = "full_name"
_AS_CUSTOM = frozenset({"city", "postal_code"})
"""Lead-like answers with no column of their own: kept as custom fields of that name."""


@dataclass(frozen=True)
class Mapped:
    fields: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)


def mapping_for(mappings: Mapping[str, Mapping[str, str]], form_id: str | None) -> dict[str, str]:
    """The mapping of form `form_id`: the connector's default ("*") overlaid by the form's own."""
    return {**mappings.get("*", {}), **(mappings.get(form_id or "", {}) if form_id else {})}


def apply(
    answers: Iterable[tuple[str, str | None, str]],
    mapping: Mapping[str, str],
    standard: Mapping[str, str],
) -> Mapped:
    """`answers`: (question id, question text or None, value). A question is looked up in the
    connector's `mapping` by id, then by text, then in the vendor's `standard` columns; one
    found nowhere becomes the custom field named after its id."""
    fields: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for question, text, value in answers:
        if value is None or not str(value).strip():
            continue
        target = (
            mapping.get(question)
            or (mapping.get(text) if text else None)
            or standard.get(question)
            or f"{CUSTOM}{custom_name(question)}"
        )
        if target.startswith(CUSTOM):
            custom[target.removeprefix(CUSTOM)] = value
        elif target in _AS_CUSTOM:
            custom[target] = value
        elif target == FULL_NAME:
            first, last = split_name(value)
            fields.setdefault("first_name", first)
            if last:
                fields.setdefault("last_name", last)
        else:
            fields[target] = value
    return Mapped(fields, custom)


def split_name(full: str) -> tuple[str, str | None]:
    """ "Ada Lovelace" → ("Ada", "Lovelace"); one word is a first name."""
    first, _, last = full.strip().partition(" ")
    return first, last.strip() or None


def custom_name(question: str) -> str:
    """A custom field's name from a question id or text: letters, digits and _ (at most 64)."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", question.strip()).strip("_").lower()
    return (name or "answer")[:64]
