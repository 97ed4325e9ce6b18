"""CSV import: map columns to lead fields with a small YAML mapping, row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

BUILTIN = ("xeducation",)


class MappingError(Exception):
    pass


@dataclass(frozen=True)
class Mapping:
    """`fields` maps lead fields to column names; `custom` maps custom keys to columns."""

    fields: dict[str, str] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    constant: dict[str, Any] = field(default_factory=dict)
    missing: frozenset[str] = frozenset({""})
    identity: str = "contact"
    """'contact' (phone, e-mail or WhatsApp required) or 'external_id' (the source's own id
    identifies the person, for historical data sets without contact details)."""

    def row(self, raw: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.constant)
        for name, column in self.fields.items():
            value = self._value(raw, column)
            if value is not None:
                data[name] = value
        custom = {
            k: v for k, col in self.custom.items() if (v := self._value(raw, col)) is not None
        }
        if custom:
            data["custom"] = custom
        return data

    def _value(self, raw: dict[str, str], column: str) -> str | None:
        value = (raw.get(column) or "").strip()
        return None if value in self.missing else value


def identity_mapping(headers: list[str]) -> Mapping:
    """Columns named like the API's fields map to themselves; others go to `custom`."""
    from leadflow.domain.submission import LeadSubmission

    known = set(LeadSubmission.model_fields) - {"custom"}
    return Mapping(
        fields={h: h for h in headers if h in known},
        custom={h: h for h in headers if h and h not in known},
    )


def load_mapping(name_or_path: str | None, headers: list[str]) -> Mapping:
    if name_or_path is None:
        return identity_mapping(headers)
    if name_or_path in BUILTIN:
        text = resources.files("leadflow.connectors.mappings").joinpath(f"{name_or_path}.yaml")
        document = yaml.safe_load(text.read_text())
    else:
        path = Path(name_or_path)
        if not path.exists():
            raise MappingError(
                f"no mapping {name_or_path!r}: give a YAML file or one of {', '.join(BUILTIN)}"
            )
        document = yaml.safe_load(path.read_text())
    mapping = Mapping(
        fields=document.get("fields", {}),
        custom=document.get("custom", {}),
        constant=document.get("constant", {}),
        missing=frozenset(document.get("missing", [""])),
        identity=document.get("identity", "contact"),
    )
    absent = [c for c in [*mapping.fields.values(), *mapping.custom.values()] if c not in headers]
    if absent:
        raise MappingError(f"the CSV has no column {absent[0]!r} (the mapping needs it)")
    return mapping


def count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def read_rows(path: Path) -> tuple[list[str], Iterator[dict[str, str]]]:
    handle = path.open(newline="", encoding="utf-8-sig")
    reader = csv.DictReader(handle)
    headers = list(reader.fieldnames or [])

    def rows() -> Iterator[dict[str, str]]:
        with handle:
            yield from reader

    return headers, rows()
