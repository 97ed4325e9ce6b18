"""Who may open which page: every page, for every role, on the demo organisation. A team lead
sees their own teams only, an agent their own leads only."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, Scenario, add_lead, sign_in

OK, DENIED = 200, 403
# Anna Schmidt is in the German team (led by the team lead); Sarah Jones in the English team.
PAGES: dict[str, dict[str, int]] = {
    "/": {"admin": OK, "manager": OK, "team_lead": OK, "agent": OK},
    "/account": {"admin": OK, "manager": OK, "team_lead": OK, "agent": OK},
    "/config/agents": {"admin": OK, "manager": OK, "team_lead": OK, "agent": DENIED},
    "/config/agents/anna.schmidt": {"admin": OK, "manager": OK, "team_lead": OK, "agent": DENIED},
    "/config/agents/sarah.jones": {
        "admin": OK, "manager": OK, "team_lead": DENIED, "agent": DENIED,
    },
    "/config/versions": {"admin": OK, "manager": OK, "team_lead": DENIED, "agent": DENIED},
    "/config/versions/{version}": {
        "admin": OK, "manager": OK, "team_lead": DENIED, "agent": DENIED,
    },
    "/admin/users": {"admin": OK, "manager": DENIED, "team_lead": DENIED, "agent": DENIED},
    "/admin/users/new": {"admin": OK, "manager": DENIED, "team_lead": DENIED, "agent": DENIED},
    "/admin/tokens": {"admin": OK, "manager": DENIED, "team_lead": DENIED, "agent": DENIED},
}  # fmt: skip


@pytest.mark.parametrize("role", ["admin", "manager", "team_lead", "agent"])
async def test_page_access_by_role(web: httpx.AsyncClient, scenario: Scenario, role: str) -> None:
    await sign_in(web, EMAILS[role])
    expected = {path: by_role[role] for path, by_role in PAGES.items()}
    answers = {path: await web.get(path.format(version=scenario.version)) for path in PAGES}
    assert {path: answer.status_code for path, answer in answers.items()} == expected
    for answer in answers.values():
        if answer.status_code == DENIED:
            assert "You cannot open this page" in answer.text
            assert 'href="/account"' in answer.text  # the refusal keeps the user's navigation


@pytest.mark.parametrize(
    ("role", "path", "data"),
    [
        ("team_lead", "/config/agents/sarah.jones", {"cap_day": "5"}),
        ("manager", "/config/agents/anna.schmidt", {"cap_day": "5"}),
        ("agent", "/config/agents/anna.schmidt", {"cap_day": "5"}),
        ("manager", "/config/versions/{version}/rollback", {}),
        ("team_lead", "/config/versions/{version}/rollback", {}),
        ("manager", "/admin/tokens", {"name": "sneaky"}),
        ("team_lead", "/admin/users/new", {"email": "x@clinic.example", "role": "admin"}),
    ],
)
async def test_changes_outside_ones_scope_are_refused_and_change_nothing(
    web: httpx.AsyncClient, store: Store, scenario: Scenario, role: str, path: str, data: dict
) -> None:
    token = await sign_in(web, EMAILS[role])
    form = {"csrf_token": token, "base_version": str(scenario.version), **data}
    answer = await web.post(path.format(version=scenario.version), data=form)
    assert answer.status_code == DENIED
    assert await store.configs.active_id() == scenario.version
    assert await store.tokens.by_name("sneaky") is None
    assert await store.users.by_email("x@clinic.example") is None


async def test_a_team_lead_lists_only_their_teams_agents(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["team_lead"])
    page = (await web.get("/config/agents")).text
    assert "Anna Schmidt" in page
    assert "Sarah Jones" not in page
    assert "English team" not in page


async def test_a_team_lead_sees_the_leads_of_their_teams_only(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    earlier = clock.now - timedelta(hours=1)
    await add_lead(store, received_at=earlier, owner="jonas.weber", name="Germanlead")
    await add_lead(store, received_at=earlier, owner=None, pipeline="hair-de", name="Queuedgerman")
    await add_lead(store, received_at=earlier, owner="sarah.jones", name="Englishlead")
    await store.commit()
    await sign_in(web, EMAILS["team_lead"])
    page = (await web.get("/")).text
    assert "Germanlead" in page
    assert "Queuedgerman" in page
    assert "Englishlead" not in page


async def test_an_agent_sees_only_their_own_leads(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    earlier = clock.now - timedelta(hours=1)
    await add_lead(store, received_at=earlier, owner="anna.schmidt", name="Annaslead")
    await add_lead(store, received_at=earlier, owner="jonas.weber", name="Jonaslead")
    await store.commit()
    await sign_in(web, EMAILS["agent"])
    page = (await web.get("/")).text
    assert "Annaslead" in page
    assert "Jonaslead" not in page


async def test_the_navigation_offers_only_what_the_role_may_open(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["team_lead"])
    page = (await web.get("/")).text
    assert 'href="/config/agents"' in page
    for hidden in ('href="/config/versions"', 'href="/admin/users"', 'href="/admin/tokens"'):
        assert hidden not in page
