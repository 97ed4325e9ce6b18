"""Whether a lead may enter a stage: each reason it may not is a named `Problem`.

A move is refused when the stage is not one of the pipeline's, when a lost stage is entered
without a reason (or with one the pipeline does not list), and when the lead misses a field the
stage requires. The problems name the request's fields: `stage`, `lost_reason`,
`fields.<name>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from leadflow.domain.configuration import Configuration, Pipeline, StageType
from leadflow.workflow.gaps import missing_fields


@dataclass(frozen=True)
class Problem:
    field: str
    """`stage`, `lost_reason` or `fields.<name>`."""
    message: str

    @property
    def location(self) -> tuple[str, ...]:
        """The field as a path (`("fields", "budget")`)."""
        return tuple(self.field.split(".", 1))


def check_move(
    configuration: Configuration,
    pipeline: Pipeline | None,
    lead_values: Mapping[str, Any],
    custom: Mapping[str, Any],
    to_stage: str,
    lost_reason: str | None,
) -> list[Problem]:
    """Every reason the lead (its columns `lead_values`, its `custom` values) may not enter
    `to_stage` of `pipeline`; empty when it may."""
    stage = pipeline.stage(to_stage) if pipeline is not None else None
    if pipeline is None or stage is None:
        where = f"pipeline {pipeline.key!r}" if pipeline else "the lead's pipeline (it has none)"
        return [Problem("stage", f"{to_stage!r} is not a stage of {where}")]
    problems = _reason_problems(pipeline, stage.type, lost_reason)
    for name in missing_fields(stage, lead_values, custom):
        label = _label(configuration, name)
        problems.append(Problem(f"fields.{name}", f"{label} is required in {stage.label}"))
    return problems


def _reason_problems(
    pipeline: Pipeline, stage_type: StageType, lost_reason: str | None
) -> list[Problem]:
    if stage_type is not StageType.LOST:
        if lost_reason is not None:
            return [Problem("lost_reason", "only a lost stage takes a lost reason")]
        return []
    known = ", ".join(reason.key for reason in pipeline.lost_reasons)
    if lost_reason is None:
        return [Problem("lost_reason", f"a lost lead needs a reason (one of: {known})")]
    if pipeline.lost_reason(lost_reason) is None:
        message = f"{lost_reason!r} is not a lost reason of this pipeline (one of: {known})"
        return [Problem("lost_reason", message)]
    return []


def _label(configuration: Configuration, name: str) -> str:
    definition = configuration.field(name)
    return definition.label if definition is not None else name
