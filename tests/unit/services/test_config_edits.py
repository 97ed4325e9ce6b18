"""The configuration screens' edits, made on a plain document (no database)."""

from __future__ import annotations

from typing import Any

import pytest

from leadflow.services.configuration import config_edits
from leadflow.services.configuration.config_edits import UnknownEntry


def _document() -> dict[str, Any]:
    return {
        "teams": [{"key": "german", "name": "German"}],
        "agents": [
            {"key": "anna", "team": "german", "schedule": {"leave": [{"start": "2026-01-05"}]}},
            {"key": "ben", "team": "german"},
        ],
        "pipelines": [{"key": "hair", "pool": {"members": [{"agent": "anna", "weight": 1}]}}],
        "rules": [{"key": "a", "priority": 5}, {"key": "b", "priority": 7}],
    }


def test_updating_a_team_changes_only_the_named_fields() -> None:
    document = _document()
    config_edits.update("teams", "german", {"name": "Deutsch"})(document)
    assert document["teams"] == [{"key": "german", "name": "Deutsch"}]


def test_editing_an_entry_that_is_gone_names_it() -> None:
    with pytest.raises(UnknownEntry, match="team 'french'"):
        config_edits.update("teams", "french", {"name": "French"})(_document())


def test_planning_shifts_keeps_the_agents_leave() -> None:
    document = _document()
    plan = {"weekly": {"mon": ["09:00-17:00"]}, "overrides": []}
    config_edits.plan_shifts({"anna": plan, "ben": plan})(document)
    anna, ben = document["agents"]
    assert anna["schedule"] == {"leave": [{"start": "2026-01-05"}], **plan}
    assert ben["schedule"] == plan


def test_leave_is_added_to_an_agent_without_a_schedule_and_removed_by_position() -> None:
    document = _document()
    config_edits.add_leave("ben", {"start": "2026-02-02"})(document)
    assert document["agents"][1]["schedule"] == {"leave": [{"start": "2026-02-02"}]}
    config_edits.remove_leave("anna", 0)(document)
    assert document["agents"][0]["schedule"]["leave"] == []


def test_reweighing_replaces_the_pool_members_in_the_order_given() -> None:
    document = _document()
    config_edits.reweigh("hair", {"ben": 3, "anna": 2})(document)
    members = document["pipelines"][0]["pool"]["members"]
    assert members == [{"agent": "ben", "weight": 3}, {"agent": "anna", "weight": 2}]


def test_moving_a_rule_renumbers_the_priorities_and_dropping_removes_it() -> None:
    document = _document()
    config_edits.shift_rule("b", -1)(document)
    assert document["rules"] == [{"key": "b", "priority": 10}, {"key": "a", "priority": 20}]
    config_edits.drop_rule("b")(document)
    config_edits.save_rule(None, {"key": "c"})(document)
    assert [rule["key"] for rule in document["rules"]] == ["a", "c"]
