"""Which of a stage's required fields a lead still misses.

A field is one of the lead's own (BUILTIN_FIELDS; `phone` is the normalised number) or one of
`Configuration.fields`, whose value lives in the lead's custom values under its key. Blank text
and None count as missing; 0 is a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadflow.domain.configuration import BUILTIN_FIELDS, Stage

LEAD_COLUMNS = {name: "phone_e164" if name == "phone" else name for name in BUILTIN_FIELDS}
"""Each built-in field's column on the lead."""


def value_of(field: str, lead: Mapping[str, Any], custom: Mapping[str, Any]) -> Any:
    """The field's value: `lead` holds the lead's columns, `custom` its custom values."""
    column = LEAD_COLUMNS.get(field)
    return lead.get(column) if column is not None else custom.get(field)


def present(value: Any) -> bool:
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def missing_fields(stage: Stage, lead: Mapping[str, Any], custom: Mapping[str, Any]) -> list[str]:
    """The stage's required fields the lead lacks, in the stage's order."""
    return [name for name in stage.requires if not present(value_of(name, lead, custom))]
