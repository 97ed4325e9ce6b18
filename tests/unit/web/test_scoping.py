"""The scoping rules every page and endpoint uses, on a two-team organisation."""

from __future__ import annotations

import pytest

from leadflow.domain.configuration import Configuration
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Forbidden, LeadScope, Role, Viewer

CONFIG = Configuration.model_validate(
    {
        "organisation": {"name": "Clinic"},
        "teams": [{"key": "german", "name": "German"}, {"key": "english", "name": "English"}],
        "agents": [
            {"key": "anna", "name": "Anna", "team": "german"},
            {"key": "ben", "name": "Ben", "team": "german"},
            {"key": "sarah", "name": "Sarah", "team": "english"},
        ],
        "pipelines": [
            {"key": "hair-de", "name": "Hair DE", "team": "german"},
            {"key": "hair-en", "name": "Hair EN", "team": "english"},
        ],
    }
)
ANNA, BEN, SARAH = CONFIG.agents
ADMIN = Viewer(Role.ADMIN)
MANAGER = Viewer(Role.MANAGER)
GERMAN_LEAD = Viewer(Role.TEAM_LEAD, team_keys=frozenset({"german"}))
AGENT_ANNA = Viewer(Role.AGENT, agent_key="anna")
INTEGRATION = Viewer(Role.INTEGRATION, actor="token:meta")


def test_admins_and_managers_see_every_team_and_agent() -> None:
    for viewer in (ADMIN, MANAGER, INTEGRATION):
        assert scoping.visible_agents(viewer, CONFIG.agents) == [ANNA, BEN, SARAH]
        assert scoping.lead_scope(viewer, CONFIG) == LeadScope(everything=True)


def test_a_team_lead_sees_only_their_teams() -> None:
    assert scoping.visible_teams(GERMAN_LEAD, CONFIG.teams) == [CONFIG.teams[0]]
    assert scoping.visible_agents(GERMAN_LEAD, CONFIG.agents) == [ANNA, BEN]
    assert not scoping.can_see_agent(GERMAN_LEAD, SARAH)


def test_a_team_lead_edits_their_agents_and_a_manager_edits_none() -> None:
    assert scoping.can_edit_agent(GERMAN_LEAD, ANNA)
    assert not scoping.can_edit_agent(GERMAN_LEAD, SARAH)
    assert not scoping.can_edit_agent(MANAGER, ANNA)
    assert scoping.can_edit_agent(ADMIN, SARAH)


def test_a_team_lead_sees_leads_of_their_agents_and_pipelines() -> None:
    scope = scoping.lead_scope(GERMAN_LEAD, CONFIG)
    assert scope == LeadScope(
        everything=False, agents=frozenset({"anna", "ben"}), pipelines=frozenset({"hair-de"})
    )
    assert scope.admits(owner=None, pipeline="hair-de")  # queued for the team
    assert scope.admits(owner="ben", pipeline="hair-en")  # owned by a member
    assert not scope.admits(owner="sarah", pipeline="hair-en")


def test_an_agent_sees_only_their_own_leads_and_no_configuration() -> None:
    scope = scoping.lead_scope(AGENT_ANNA, CONFIG)
    assert scope.admits(owner="anna", pipeline="hair-en")
    assert not scope.admits(owner="ben", pipeline="hair-de")
    assert not scope.admits(owner=None, pipeline="hair-de")
    assert not scoping.can_view_configuration(AGENT_ANNA)
    assert scoping.visible_agents(AGENT_ANNA, CONFIG.agents) == [ANNA]


def test_an_agent_without_an_agent_key_sees_no_lead() -> None:
    scope = scoping.lead_scope(Viewer(Role.AGENT), CONFIG)
    assert not scope.admits(owner=None, pipeline=None)


@pytest.mark.parametrize(
    ("viewer", "versions", "rollback", "users"),
    [
        (ADMIN, True, True, True),
        (MANAGER, True, False, False),
        (GERMAN_LEAD, False, False, False),
        (AGENT_ANNA, False, False, False),
        (INTEGRATION, False, False, False),
    ],
)
def test_who_reads_versions_rolls_back_and_manages_users(
    viewer: Viewer, versions: bool, rollback: bool, users: bool
) -> None:
    assert scoping.can_view_versions(viewer) is versions
    assert scoping.can_roll_back(viewer) is rollback
    assert scoping.can_manage_users(viewer) is users
    assert scoping.can_manage_tokens(viewer) is users


def test_require_refuses_with_what_was_asked_for() -> None:
    with pytest.raises(Forbidden, match="agent sarah"):
        scoping.require(False, "agent sarah")
    scoping.require(True, "anything")


@pytest.mark.parametrize(
    ("viewer", "submit", "read_config", "apply_config"),
    [
        (ADMIN, True, True, True),
        (MANAGER, False, True, False),
        (GERMAN_LEAD, False, False, False),
        (AGENT_ANNA, False, False, False),
        (INTEGRATION, True, True, True),
    ],
)
def test_who_submits_leads_and_reads_or_applies_the_configuration_over_the_api(
    viewer: Viewer, submit: bool, read_config: bool, apply_config: bool
) -> None:
    assert scoping.can_submit_leads(viewer) is submit
    assert scoping.can_read_configuration_document(viewer) is read_config
    assert scoping.can_apply_configuration(viewer) is apply_config


@pytest.mark.parametrize(
    ("owner", "pipeline", "to_agent", "allowed"),
    [
        ("anna", "hair-de", "ben", True),
        (None, "hair-de", "anna", True),  # queued for the team's pipeline
        ("anna", "hair-de", "sarah", False),  # to another team
        ("sarah", "hair-en", "anna", False),  # from another team
        ("sarah", "hair-de", "anna", False),  # in our pipeline, but another team's agent owns it
        (None, "hair-en", "anna", False),  # another team's queue
        ("anna", "hair-de", "nobody", False),
    ],
)
def test_a_team_lead_reassigns_only_within_their_teams(
    owner: str | None, pipeline: str, to_agent: str, allowed: bool
) -> None:
    assert (
        scoping.can_reassign_lead(
            GERMAN_LEAD, CONFIG, owner=owner, pipeline=pipeline, to_agent=to_agent
        )
        is allowed
    )


def test_admins_managers_and_integrations_reassign_anywhere_and_agents_nowhere() -> None:
    where = {"owner": "sarah", "pipeline": "hair-en", "to_agent": "anna"}
    for viewer in (ADMIN, MANAGER, INTEGRATION):
        assert scoping.can_reassign_lead(viewer, CONFIG, **where)
    own = {"owner": "anna", "pipeline": "hair-de", "to_agent": "ben"}
    assert not scoping.can_reassign_lead(AGENT_ANNA, CONFIG, **own)


@pytest.mark.parametrize(
    ("viewer", "live", "draft"),
    [
        (ADMIN, True, True),
        (MANAGER, True, True),
        (INTEGRATION, True, True),
        (GERMAN_LEAD, True, False),
        (AGENT_ANNA, False, False),
    ],
)
def test_who_simulates_a_lead_against_the_live_or_a_draft_configuration(
    viewer: Viewer, live: bool, draft: bool
) -> None:
    assert scoping.can_simulate_lead(viewer, draft=False) is live
    assert scoping.can_simulate_lead(viewer, draft=True) is draft


def test_agents_are_known_by_key_only_within_ones_view() -> None:
    assert scoping.can_see_agent_key(GERMAN_LEAD, CONFIG, "ben")
    assert not scoping.can_see_agent_key(GERMAN_LEAD, CONFIG, "sarah")
    assert scoping.can_see_agent_key(AGENT_ANNA, CONFIG, "anna")
    assert not scoping.can_see_agent_key(AGENT_ANNA, CONFIG, "ben")
    assert not scoping.can_see_agent_key(ADMIN, CONFIG, "nobody")
