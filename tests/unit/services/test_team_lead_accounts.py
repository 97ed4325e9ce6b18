"""Team leads named in a configuration against the accounts: each mismatch is named."""

from __future__ import annotations

from datetime import UTC, datetime

from leadflow.domain.configuration import Configuration
from leadflow.services.access.scoping import Role
from leadflow.services.access.users import Account
from leadflow.services.configuration.accounts import Mismatch, Problem, mismatches
from tests import factories


def account(email: str, role: Role, *teams: str, active: bool = True) -> Account:
    return Account(
        id=1, email=email, name=email, role=role, locale="en", timezone="UTC", agent_key=None,
        team_keys=teams, is_active=active, created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def teams_led_by(leads: dict[str, list[str]]) -> Configuration:
    config = factories.organisation()
    team = config.teams[0]
    extra = [team.model_copy(update={"key": key, "name": key, "leads": emails})
             for key, emails in leads.items()]  # fmt: skip
    return config.model_copy(update={"teams": extra})


def test_a_team_lead_without_an_account_and_one_whose_account_misses_teams_are_named() -> None:
    config = teams_led_by(
        {"german": ["gaye@x.org"], "russian": ["Gaye@x.org"], "english": ["asli@x.org"]}
    )
    found = mismatches(config, [account("gaye@x.org", Role.TEAM_LEAD, "german")])
    assert found == [
        Mismatch("gaye@x.org", Problem.TEAMS_NOT_COVERED, ("russian",)),
        Mismatch("asli@x.org", Problem.NO_ACCOUNT, ("english",)),
    ]
    assert found[0].message == "the account of team lead gaye@x.org does not cover russian"
    assert found[1].message == "team lead asli@x.org of english has no account"


def test_an_agent_or_deactivated_account_named_team_lead_is_a_mismatch() -> None:
    config = teams_led_by({"german": ["anna@x.org"], "english": ["old@x.org"]})
    found = mismatches(
        config,
        [
            account("anna@x.org", Role.AGENT),
            account("old@x.org", Role.TEAM_LEAD, "english", active=False),
        ],
    )
    assert [m.problem for m in found] == [Problem.NOT_A_TEAM_LEAD, Problem.INACTIVE]


def test_covering_accounts_and_managers_agree_with_the_configuration() -> None:
    config = teams_led_by({"german": ["gaye@x.org"], "english": ["leyla@x.org"]})
    accounts = [account("gaye@x.org", Role.TEAM_LEAD, "german"),
                account("leyla@x.org", Role.MANAGER)]  # fmt: skip
    assert mismatches(config, accounts) == []
