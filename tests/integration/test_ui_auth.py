"""Signing in and out, sessions and passwords, through the pages on real PostgreSQL."""

from __future__ import annotations

import re

import httpx

from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, Scenario, browser, csrf_of, sign_in

_ALERT = re.compile(r'role="alert"[^>]*>([^<]+)<')


async def attempt(web: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = await web.get("/signin")
    return await web.post(
        "/signin", data={"email": email, "password": password, "csrf_token": csrf_of(form)}
    )


async def test_pages_send_an_anonymous_visitor_to_sign_in(web: httpx.AsyncClient) -> None:
    answer = await web.get("/config/agents?team=german")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/config/agents%3Fteam%3Dgerman"


async def test_signing_in_opens_the_home_page_with_the_users_name(web: httpx.AsyncClient) -> None:
    answer = await attempt(web, "Admin@Clinic.example", "correct horse battery")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    home = await web.get("/")
    assert home.status_code == 200
    assert "Admin" in home.text
    assert "<h1>Overview</h1>" in home.text


async def test_the_session_cookie_is_http_only_and_same_site_lax(web: httpx.AsyncClient) -> None:
    answer = await attempt(web, EMAILS["manager"], "correct horse battery")
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("leadflow_session=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    web: httpx.AsyncClient,
) -> None:
    wrong_password = await attempt(web, EMAILS["agent"], "not the password")
    unknown_email = await attempt(web, "nobody@clinic.example", "not the password")
    assert wrong_password.status_code == unknown_email.status_code == 400
    messages = [_ALERT.search(answer.text) for answer in (wrong_password, unknown_email)]
    assert messages[0]
    assert messages[1]
    assert messages[0].group(1) == messages[1].group(1)
    assert "not correct" in messages[0].group(1)


async def test_a_deactivated_user_cannot_sign_in(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    await store.users.update(scenario.user_ids["agent"], is_active=False)
    await store.commit()
    answer = await attempt(web, EMAILS["agent"], "correct horse battery")
    assert answer.status_code == 400


async def test_sign_in_goes_back_only_to_a_local_page(web: httpx.AsyncClient) -> None:
    form = await web.get("/signin?next=//evil.example/")
    answer = await web.post(
        "/signin",
        data={
            "email": EMAILS["admin"],
            "password": "correct horse battery",
            "next": "//evil.example/",
            "csrf_token": csrf_of(form),
        },
    )
    assert answer.headers["location"] == "/"


async def test_signing_out_ends_the_session(web: httpx.AsyncClient) -> None:
    token = await sign_in(web, EMAILS["manager"])
    answer = await web.post("/signout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert (await web.get("/")).status_code == 303


async def test_changing_the_password_signs_out_other_sessions(
    bound: Database, clock: Clock, web: httpx.AsyncClient
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    async with browser(bound, clock) as elsewhere:
        await sign_in(elsewhere, EMAILS["team_lead"])
        answer = await web.post(
            "/account/password",
            data={
                "current": "correct horse battery",
                "new": "a brand new secret",
                "confirm": "a brand new secret",
                "csrf_token": token,
            },
        )
        assert answer.status_code == 303
        assert (await web.get("/")).status_code == 200
        assert (await elsewhere.get("/")).status_code == 303
    await web.post("/signout", data={"csrf_token": token})
    assert (await attempt(web, EMAILS["team_lead"], "a brand new secret")).status_code == 303


async def test_a_wrong_current_password_changes_nothing(web: httpx.AsyncClient) -> None:
    token = await sign_in(web, EMAILS["agent"])
    answer = await web.post(
        "/account/password",
        data={
            "current": "guess",
            "new": "0123456789ab",
            "confirm": "0123456789ab",
            "csrf_token": token,
        },
    )
    assert answer.status_code == 400
    assert "current password is not correct" in answer.text
