"""Administration: users and API tokens managed from the pages."""

from __future__ import annotations

import re

import httpx

from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, Scenario, browser, sign_in

NEW_AGENT = {
    "email": "Jonas.Weber@Clinic.example",
    "name": "Jonas Weber",
    "role": "agent",
    "agent": "jonas.weber",
    "locale": "tr",
    "timezone": "Europe/Berlin",
    "password": "jonas-first-password",
}


async def test_an_admin_creates_a_user_who_can_then_sign_in(
    bound: Database, clock: Clock, web: httpx.AsyncClient, store: Store
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await web.post("/admin/users/new", data={**NEW_AGENT, "csrf_token": token})
    assert answer.status_code == 303
    listing = await web.get("/admin/users")
    assert "Jonas Weber can now sign in." in listing.text
    user = await store.users.by_email("jonas.weber@clinic.example")
    assert user is not None
    assert (user.role, user.agent_key, user.locale) == ("agent", "jonas.weber", "tr")
    async with browser(bound, clock) as jonas:
        await sign_in(jonas, "jonas.weber@clinic.example", "jonas-first-password")
        home = await jonas.get("/")
        assert '<html lang="tr"' in home.text
        assert "Müşteri adaylarım" in home.text


async def test_a_second_user_with_the_same_email_is_refused(web: httpx.AsyncClient) -> None:
    token = await sign_in(web, EMAILS["admin"])
    data = {**NEW_AGENT, "email": EMAILS["manager"], "csrf_token": token}
    answer = await web.post("/admin/users/new", data=data)
    assert answer.status_code == 400
    assert "A user with this e-mail address exists already." in answer.text
    assert 'value="Jonas Weber"' in answer.text


async def test_a_team_lead_needs_a_team(web: httpx.AsyncClient) -> None:
    token = await sign_in(web, EMAILS["admin"])
    data = {**NEW_AGENT, "role": "team_lead", "csrf_token": token}
    answer = await web.post("/admin/users/new", data=data)
    assert answer.status_code == 400
    assert "A team lead needs at least one team." in answer.text


async def test_a_deactivated_user_is_signed_out_at_once(
    bound: Database, clock: Clock, web: httpx.AsyncClient, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    async with browser(bound, clock) as agent:
        await sign_in(agent, EMAILS["agent"])
        answer = await web.post(
            f"/admin/users/{scenario.user_ids['agent']}/active",
            data={"active": "false", "csrf_token": token},
        )
        assert answer.status_code == 303
        assert (await agent.get("/")).status_code == 303


async def test_an_admin_cannot_deactivate_themselves(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    await web.post(
        f"/admin/users/{scenario.user_ids['admin']}/active",
        data={"active": "false", "csrf_token": token},
    )
    page = await web.get("/admin/users")
    assert "You cannot deactivate your own account." in page.text
    assert (await web.get("/")).status_code == 200


async def test_a_token_is_shown_once_works_and_can_be_revoked(
    web: httpx.AsyncClient, store: Store
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    form = {"name": "meta-ads", "scope": "read", "csrf_token": token}
    created = await web.post("/admin/tokens", data=form)
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    secret = re.search(r'value="(lf_[^"]+)"', created.text)
    assert secret is not None
    bearer = {"Authorization": f"Bearer {secret.group(1)}", "accept": "application/json"}
    assert (await web.get("/api/v1/leads/999999", headers=bearer)).status_code == 404
    assert secret.group(1) not in (await web.get("/admin/tokens")).text

    revoked = await web.post("/admin/tokens/revoke", data={"name": "meta-ads", "csrf_token": token})
    assert revoked.status_code == 303
    assert (await web.get("/api/v1/leads/999999", headers=bearer)).status_code == 401
    entry = (await store.audit.recent(1))[0]
    assert (entry.actor, entry.action, entry.entity_id) == (
        EMAILS["admin"],
        "token.revoke",
        "meta-ads",
    )


async def test_a_token_name_is_used_once(web: httpx.AsyncClient) -> None:
    token = await sign_in(web, EMAILS["admin"])
    await web.post("/admin/tokens", data={"name": "website", "csrf_token": token})
    again = await web.post("/admin/tokens", data={"name": "website", "csrf_token": token})
    assert again.status_code == 400
    assert "A token with this name exists already." in again.text
