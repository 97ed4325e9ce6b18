"""Which pipeline a lead goes to: rules and their typed conditions (never strings evaluated)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Discriminator, Field, Tag, field_validator, model_validator

from leadflow.domain.configuration.base import Frozen, Key

Scalar = str | int | float | bool


class _Leaf(Frozen):
    field: str = Field(
        description="a lead field (country, language, source, treatment, score, budget, "
        "utm_campaign…), `custom.NAME`, or `time_of_day` / `weekday` in the pipeline's time zone"
    )


class Equals(_Leaf):
    op: Literal["equals"]
    value: Scalar


class In(_Leaf):
    op: Literal["in"]
    values: list[Scalar] = Field(min_length=1)


class NotIn(_Leaf):
    op: Literal["not_in"]
    values: list[Scalar] = Field(min_length=1)


class Prefix(_Leaf):
    op: Literal["prefix"]
    value: str


class Pattern(_Leaf):
    op: Literal["pattern"]
    value: str

    @field_validator("value")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return value


class Range(_Leaf):
    """Inclusive numeric range; for `time_of_day` the bounds are "HH:MM" and may wrap midnight."""

    op: Literal["range"]
    min: float | str | None = None
    max: float | str | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min, max or both")
        return self


class Exists(_Leaf):
    op: Literal["exists"]
    value: bool = True


Leaf = Equals | In | NotIn | Prefix | Pattern | Range | Exists
OPERATORS = ("equals", "in", "not_in", "prefix", "pattern", "range", "exists")


class All(Frozen):
    all: list[Condition] = Field(min_length=1)


class AnyOf(Frozen):
    any: list[Condition] = Field(min_length=1)


def _condition_tag(value: Any) -> str | None:
    """Which kind of condition `value` is; tags start with '~' so error paths can drop them."""
    if isinstance(value, All | AnyOf):
        return "~all" if isinstance(value, All) else "~any"
    if isinstance(value, BaseModel):
        return f"~{getattr(value, 'op', '')}"
    if not isinstance(value, dict):
        return None
    if "all" in value or "any" in value:
        return "~all" if "all" in value else "~any"
    op = value.get("op")
    return f"~{op}" if op in OPERATORS else None


Condition = Annotated[
    Annotated[All, Tag("~all")]
    | Annotated[AnyOf, Tag("~any")]
    | Annotated[Equals, Tag("~equals")]
    | Annotated[In, Tag("~in")]
    | Annotated[NotIn, Tag("~not_in")]
    | Annotated[Prefix, Tag("~prefix")]
    | Annotated[Pattern, Tag("~pattern")]
    | Annotated[Range, Tag("~range")]
    | Annotated[Exists, Tag("~exists")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition is {all: [...]}, {any: [...]} or {field, op, value} "
        "with op one of " + ", ".join(OPERATORS),
    ),
]
All.model_rebuild()
AnyOf.model_rebuild()


class Rule(Frozen):
    key: Key
    name: str = ""
    priority: int = 100
    """Lower runs first; ties keep file order."""
    enabled: bool = True
    when: Condition | None = None
    """None matches every lead."""
    pipeline: Key
    fallback: list[Key] = Field(default_factory=list)
    """Pipelines tried in order when `pipeline` has nobody eligible."""
