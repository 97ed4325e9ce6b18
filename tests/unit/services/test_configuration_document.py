"""The configuration document: validation errors name the file position and the field."""

from __future__ import annotations

import pytest

from leadflow.demo import organisation_yaml
from leadflow.services.configuration.versions import ConfigurationError, diff, parse_yaml, to_yaml

BASE = """\
organisation:
  name: Clinic
teams:
  - key: german
    name: German
agents:
  - key: anna
    name: Anna
    team: german
    timezone: Europe/Berlin
pipelines:
  - key: hair-de
    name: Hair
    team: german
    pool: {members: [{agent: anna}]}
rules:
  - {key: all, pipeline: hair-de}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigurationError) as caught:
        parse_yaml(text, "org.yaml")
    return [f"{p.location} | {p.message}" for p in caught.value.problems]


def test_the_demo_organisation_is_a_valid_configuration() -> None:
    parsed = parse_yaml(organisation_yaml(), "organisation.yaml")
    assert len(parsed.agents) >= 24
    assert len({a.team for a in parsed.agents}) >= 5


def test_unknown_time_zone_names_its_line_and_field() -> None:
    [problem] = problems(BASE.replace("Europe/Berlin", "Europe/Atlantis"))
    assert problem.startswith("org.yaml:10:15 agents[0].timezone")
    assert "unknown time zone 'Europe/Atlantis'" in problem


def test_reference_to_an_undefined_team_is_named() -> None:
    [problem] = problems(BASE.replace("team: german\n    timezone", "team: dutch\n    timezone"))
    assert "agents[0].team" in problem
    assert "'dutch' is not defined" in problem
    assert problem.startswith("org.yaml:9:")


def test_misspelt_field_is_refused() -> None:
    missing, extra = problems(BASE.replace("    name: Anna", "    nmae: Anna"))
    assert missing.startswith("org.yaml:7:5 agents[0].name | Field required")
    assert extra.startswith("org.yaml:8:11 agents[0].nmae | Extra inputs are not permitted")


def test_impossible_shift_interval_is_named() -> None:
    text = BASE.replace(
        "timezone: Europe/Berlin", 'timezone: Europe/Berlin\n    schedule: {weekly: {mon: "9-17"}}'
    )
    [problem] = problems(text)
    assert "agents[0].schedule.weekly.mon" in problem
    assert "'9-17' is not an interval" in problem


def test_invalid_regular_expression_in_a_rule_is_named() -> None:
    text = BASE.replace(
        "{key: all, pipeline: hair-de}",
        "{key: all, pipeline: hair-de, when: {field: utm_campaign, op: pattern, value: '(['}}",
    )
    [problem] = problems(text)
    assert "rules[0].when" in problem
    assert "invalid regular expression" in problem


def test_broken_yaml_names_its_line() -> None:
    [problem] = problems(BASE.replace("  - key: anna", "  - key: [anna"))
    assert problem.startswith("org.yaml:")
    assert "not valid YAML" in problem


def test_export_and_reparse_gives_the_same_configuration() -> None:
    parsed = parse_yaml(organisation_yaml())
    assert parse_yaml(to_yaml(parsed)) == parsed


def test_diff_shows_a_changed_weight() -> None:
    old = parse_yaml(BASE).model_dump(mode="json", exclude_defaults=True)
    new = parse_yaml(BASE.replace("{agent: anna}", "{agent: anna, weight: 3}")).model_dump(
        mode="json", exclude_defaults=True
    )
    text = diff(old, new, old_name="v1", new_name="v2")
    assert "+    - agent: anna" in text or "+      weight: 3" in text
    assert text.startswith("--- v1")


def test_a_weight_set_back_to_its_default_shows_both_values() -> None:
    heavy = parse_yaml(BASE.replace("{agent: anna}", "{agent: anna, weight: 3}"))
    light = parse_yaml(BASE)  # weight 1, the default
    text = diff(
        heavy.model_dump(mode="json", exclude_defaults=True),
        light.model_dump(mode="json", exclude_defaults=True),
        old_name="v1",
        new_name="v2",
    )
    changed = [line for line in text.splitlines() if line[:1] in "+-" and line[:3] not in "---+++"]
    assert changed == ["-      weight: 3", "+      weight: 1"]


def test_a_document_read_back_from_the_database_exports_in_the_schemas_order() -> None:
    document = parse_yaml(BASE).model_dump(mode="json", exclude_defaults=True)
    shuffled = dict(sorted(document.items(), key=lambda item: (len(item[0]), item[0])))  # JSONB
    assert list(shuffled) != list(document)
    assert to_yaml(shuffled).splitlines()[0] == "organisation:"
    assert to_yaml(shuffled) == to_yaml(document)


def test_the_first_version_diffs_against_nothing() -> None:
    text = diff({}, parse_yaml(BASE).model_dump(mode="json"), old_name="none", new_name="v1")
    assert "+organisation:" in text.splitlines()
