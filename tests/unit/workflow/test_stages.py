"""Whether a lead may enter a stage: each refusal names its field."""

from __future__ import annotations

from typing import Any

from leadflow.domain.configuration import Configuration
from leadflow.workflow.stages import Problem, check_move
from tests import factories


def configuration() -> Configuration:
    document = factories.organisation().model_dump(mode="json", exclude_defaults=True)
    document["pipelines"][0]["stages"] = [
        "new",
        {"key": "qualified", "requires": ["treatment", "budget_range"]},
        "won",
        "lost",
    ]
    document["pipelines"][0]["lost_reasons"] = ["price", "unreachable"]
    document["fields"] = [{"key": "budget_range", "name": "Budget range", "type": "text"}]
    return Configuration.model_validate(document)


CONFIGURATION = configuration()
PIPELINE = CONFIGURATION.pipeline("hair-de")


def check(
    stage: str,
    lost_reason: str | None = None,
    values: dict[str, Any] | None = None,
    custom: dict[str, Any] | None = None,
) -> list[Problem]:
    return check_move(CONFIGURATION, PIPELINE, values or {}, custom or {}, stage, lost_reason)


def test_an_open_stage_without_requirements_is_allowed() -> None:
    assert check("new") == []


def test_a_stage_not_in_the_pipeline_is_named() -> None:
    assert [p.field for p in check("booked")] == ["stage"]
    assert "hair-de" in check("booked")[0].message


def test_a_lead_without_a_pipeline_cannot_move() -> None:
    problems = check_move(CONFIGURATION, None, {}, {}, "new", None)
    assert [p.field for p in problems] == ["stage"]


def test_lost_needs_one_of_the_pipelines_reasons() -> None:
    assert [p.field for p in check("lost")] == ["lost_reason"]
    assert "price, unreachable" in check("lost")[0].message
    assert [p.field for p in check("lost", "weather")] == ["lost_reason"]
    assert check("lost", "price") == []


def test_only_a_lost_stage_takes_a_reason() -> None:
    assert [p.field for p in check("won", "price")] == ["lost_reason"]


def test_each_missing_required_field_is_named_with_its_label() -> None:
    problems = check("qualified", values={"treatment": "  "})
    assert [p.field for p in problems] == ["fields.treatment", "fields.budget_range"]
    assert problems[1].message == "Budget range is required in qualified"
    assert problems[1].location == ("fields", "budget_range")


def test_present_fields_satisfy_the_stage() -> None:
    assert check("qualified", values={"treatment": "fue"}, custom={"budget_range": "mid"}) == []
