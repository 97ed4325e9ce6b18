"""Which of a stage's required fields a lead still misses.

A field is one of the lead's own (BUILTIN_FIELDS; `phone` is the normalised number) or one of
`Configuration.fields`, whose value lives in the lead's custom values under its key. Blank text
and None count as missing; 0 is a value.

A stage may gain a requirement after leads entered it: those leads are not moved back, they
have a gap (`LeadGap`), listed by the data-quality view and alerted to their owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leadflow.domain.configuration import BUILTIN_FIELDS, Configuration, Stage

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


@dataclass(frozen=True)
class Requirement:
    """A field an open stage of a pipeline requires; `position` is its place in the stage's list."""

    pipeline: str
    stage: str
    field: str
    position: int

    @property
    def column(self) -> str | None:
        """The lead's column holding the field; None for a configured field (custom values)."""
        return LEAD_COLUMNS.get(self.field)


def requirements(configuration: Configuration) -> tuple[Requirement, ...]:
    """Every field the open stages of every pipeline require (closed leads need nothing)."""
    return tuple(
        Requirement(pipeline.key, stage.key, field, position)
        for pipeline in configuration.pipelines
        for stage in pipeline.stages
        if not stage.closes
        for position, field in enumerate(dict.fromkeys(stage.requires))
    )


@dataclass(frozen=True)
class LeadGap:
    """An open lead whose stage requires fields it lacks, since `since`: the later of when it
    entered the stage and when the requirement appeared (the earliest such among its fields)."""

    lead_id: int
    first_name: str | None
    last_name: str | None
    pipeline: str
    stage: str
    owner: str | None
    team: str | None
    """The owner's team; the pipeline's for a lead nobody owns."""
    missing: tuple[str, ...]
    since: datetime

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def age(self, now: datetime) -> timedelta:
        return max(now - self.since, timedelta(0))


@dataclass(frozen=True)
class GapTotal:
    """Leads with gaps and the fields they miss, for a team (`agent` None) or an agent of it."""

    team: str | None
    agent: str | None
    leads: int
    missing_fields: int
    oldest: datetime


@dataclass(frozen=True)
class GapReport:
    leads: list[LeadGap]
    """Oldest gap first; at most the limit asked for."""
    teams: list[GapTotal]
    agents: list[GapTotal]
    """Most leads first."""

    @property
    def total_leads(self) -> int:
        return sum(team.leads for team in self.teams)

    @property
    def total_missing(self) -> int:
        return sum(team.missing_fields for team in self.teams)
