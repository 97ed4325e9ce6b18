"""Every unsafe request made with the session cookie must carry the session's CSRF token: as a
form field, or as the X-CSRF-Token header (HTMX). Bearer-token callers need none."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from leadflow.services.access import tokens
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from leadflow.web.deps import ViewerDep
from tests.integration.conftest import Clock
from tests.integration.ui import (
    EMAILS,
    Scenario,
    application,
    browser,
    csrf_of,
    sign_in,
)


@pytest_asyncio.fixture
async def web(
    bound: Database, clock: Clock, scenario: Scenario
) -> AsyncIterator[httpx.AsyncClient]:
    app = application(bound, clock)
    _add_whoami(app)
    async with browser(bound, clock, app) as client:
        yield client


def _add_whoami(app: FastAPI) -> None:
    """A JSON endpoint behind the `viewer` dependency, as the API's scoped endpoints will be."""

    async def whoami(viewer: ViewerDep) -> dict[str, object]:
        return {"role": viewer.role.value, "teams": sorted(viewer.team_keys), "actor": viewer.actor}

    for method in ("GET", "POST"):
        app.router.add_api_route("/api/v1/test-whoami", whoami, methods=[method])


async def test_sign_in_without_the_form_token_is_refused(web: httpx.AsyncClient) -> None:
    await web.get("/signin")
    answer = await web.post(
        "/signin", data={"email": EMAILS["admin"], "password": "correct horse battery"}
    )
    assert answer.status_code == 403
    assert (await web.get("/")).status_code == 303


@pytest.mark.parametrize("token", [None, "forged-token"])
async def test_a_form_without_the_sessions_token_changes_nothing(
    web: httpx.AsyncClient, store: Store, scenario: Scenario, token: str | None
) -> None:
    await sign_in(web, EMAILS["manager"])
    data = {"locale": "tr", "timezone": "Europe/Berlin"}
    if token:
        data["csrf_token"] = token
    answer = await web.post("/account/preferences", data=data)
    assert answer.status_code == 403
    assert "This form has expired" in answer.text
    user = await store.users.get(scenario.user_ids["manager"])
    assert user is not None
    await store.refresh(user)
    assert user.locale == "en"


async def test_the_token_may_come_in_the_htmx_header(web: httpx.AsyncClient) -> None:
    token = await sign_in(web, EMAILS["manager"])
    answer = await web.post(
        "/account/preferences",
        data={"locale": "tr", "timezone": "Europe/Berlin"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert answer.status_code == 303


async def test_the_token_of_another_session_is_refused(
    bound: Database, clock: Clock, web: httpx.AsyncClient
) -> None:
    await sign_in(web, EMAILS["admin"])
    async with browser(bound, clock) as other:
        foreign = csrf_of(await other.get("/signin"))
    answer = await web.post("/admin/tokens", data={"name": "sneaky", "csrf_token": foreign})
    assert answer.status_code == 403


async def test_the_api_knows_a_signed_in_user_by_the_session_cookie(
    web: httpx.AsyncClient,
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    assert (await web.get("/api/v1/test-whoami")).json()["teams"] == ["german"]
    assert (await web.post("/api/v1/test-whoami")).status_code == 403
    posted = await web.post("/api/v1/test-whoami", headers={"X-CSRF-Token": token})
    assert posted.json()["role"] == "team_lead"


async def test_the_api_knows_an_integration_by_its_bearer_token(
    web: httpx.AsyncClient, store: Store
) -> None:
    issued = await tokens.issue(store, "meta-ads")
    await store.commit()
    answer = await web.post(
        "/api/v1/test-whoami", headers={"Authorization": f"Bearer {issued.secret}"}
    )
    assert answer.json() == {"role": "integration", "teams": [], "actor": "token:meta-ads"}


async def test_the_api_refuses_a_caller_without_credentials(web: httpx.AsyncClient) -> None:
    answer = await web.get("/api/v1/test-whoami")
    assert answer.status_code == 401
