"""Saving a team on its screen warns, on the next page, of a team lead the accounts do not
back: no account, or an account that does not cover the team."""

from __future__ import annotations

import httpx

from leadflow.storage.store import Store
from tests.integration.test_ui_config_screens import GERMAN_TEAM, post
from tests.integration.ui import EMAILS, Scenario, sign_in


async def test_a_team_lead_without_an_account_is_named_when_the_team_is_saved(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await post(
        web, "/config/teams/german", token, scenario.version,
        {**GERMAN_TEAM, "leads": "nobody@clinic.example"},
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    page = (await web.get(answer.headers["location"])).text
    assert "Team lead nobody@clinic.example of german has no account" in page


async def test_a_team_lead_whose_account_covers_the_team_raises_no_warning(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await post(
        web, "/config/teams/german", token, scenario.version,
        {**GERMAN_TEAM, "leads": EMAILS["team_lead"], "name": "German desk"},
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    page = (await web.get(answer.headers["location"])).text
    assert "Saved as configuration version" in page
    # The scenario's other teams name leads without accounts; the German team's is backed.
    assert "of russian, french has no account" in page
    assert f"Team lead {EMAILS['team_lead']}" not in page
    assert "does not cover german" not in page
