"""Sessions end on the server: sign-out, password changes and deactivation refuse a copied
cookie; the cookie itself carries nothing readable; Secure and HSTS over HTTPS."""

from __future__ import annotations

import base64
import binascii

import httpx
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from leadflow.config import Settings
from leadflow.services.access import users
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from leadflow.web.app import create_app
from tests.integration.conftest import Clock
from tests.integration.ui import (
    BASE_URL,
    EMAILS,
    PASSWORD,
    Scenario,
    SharedOrganisation,
    application,
    browser,
    sign_in,
)

COOKIE = "leadflow_session"


async def replayed(bound: Database, clock: Clock, cookie: str, path: str) -> httpx.Response:
    """A request from another browser that carries a copy of `cookie`."""
    async with browser(bound, clock) as thief:
        thief.cookies.set(COOKIE, cookie)
        return await thief.get(path)


async def test_a_copied_cookie_opens_no_page_after_signing_out(
    bound: Database, clock: Clock, web: httpx.AsyncClient
) -> None:
    token = await sign_in(web, EMAILS["manager"])
    copied = web.cookies[COOKIE]
    assert (await replayed(bound, clock, copied, "/")).status_code == 200
    await web.post("/signout", data={"csrf_token": token})
    assert (await replayed(bound, clock, copied, "/")).status_code == 303


async def test_a_copied_cookie_opens_no_api_after_signing_out(
    bound: Database, clock: Clock, web: httpx.AsyncClient
) -> None:
    token = await sign_in(web, EMAILS["manager"])
    copied = web.cookies[COOKIE]
    assert (await replayed(bound, clock, copied, "/api/v1/queue")).status_code == 200
    await web.post("/signout", data={"csrf_token": token})
    assert (await replayed(bound, clock, copied, "/api/v1/queue")).status_code == 401


async def test_changing_the_password_refuses_a_cookie_copied_from_another_session(
    bound: Database, clock: Clock, web: httpx.AsyncClient
) -> None:
    async with browser(bound, clock) as elsewhere:
        await sign_in(elsewhere, EMAILS["agent"])
        copied = elsewhere.cookies[COOKIE]
    token = await sign_in(web, EMAILS["agent"])
    new = "another long secret"
    form = {"current": PASSWORD, "new": new, "confirm": new, "csrf_token": token}
    assert (await web.post("/account/password", data=form)).status_code == 303
    assert (await web.get("/account")).status_code == 200
    assert (await replayed(bound, clock, copied, "/")).status_code == 303


async def test_deactivating_a_user_ends_their_sessions_for_good(
    bound: Database, clock: Clock, web: httpx.AsyncClient, scenario: Scenario
) -> None:
    async with browser(bound, clock) as agent:
        await sign_in(agent, EMAILS["agent"])
        copied = agent.cookies[COOKIE]
    token = await sign_in(web, EMAILS["admin"])
    path = f"/admin/users/{scenario.user_ids['agent']}/active"
    await web.post(path, data={"active": "false", "csrf_token": token})
    await web.post(path, data={"active": "true", "csrf_token": token})
    assert (await replayed(bound, clock, copied, "/")).status_code == 303


async def test_an_administrators_password_reset_ends_every_session(
    bound: Database, clock: Clock, store: Store, scenario: Scenario
) -> None:
    async with browser(bound, clock) as lead:
        await sign_in(lead, EMAILS["team_lead"])
        await users.set_password(store, EMAILS["team_lead"], "reset by the admin", actor="cli")
        await store.commit()
        assert (await lead.get("/")).status_code == 303


def _decoded(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return b""


async def test_the_session_cookie_carries_no_readable_user_data(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["admin"])
    cookie = web.cookies[COOKIE]
    readable = b" ".join(_decoded(part) for part in cookie.split("."))
    assert b"uid" not in readable
    assert EMAILS["admin"].encode() not in readable


async def test_the_session_cookie_is_secure_and_hsts_is_sent_over_https(
    bound: Database, clock: Clock, web: httpx.AsyncClient
) -> None:
    async with browser(bound, clock) as secure:
        secure.base_url = httpx.URL("https://leadflow.test")
        page = await secure.get("/signin")
        assert "secure" in page.headers["set-cookie"].lower()
        assert page.headers["strict-transport-security"].startswith("max-age=")
        await sign_in(secure, EMAILS["manager"])
        assert (await secure.get("/")).status_code == 200


async def test_over_plain_http_the_cookie_is_not_secure_and_no_hsts_is_sent(
    web: httpx.AsyncClient,
) -> None:
    page = await web.get("/signin")
    assert "secure" not in page.headers["set-cookie"].lower()
    assert "strict-transport-security" not in page.headers


async def test_the_secure_cookies_setting_makes_the_cookie_secure_over_any_scheme(
    bound: Database, clock: Clock, scenario: Scenario
) -> None:
    app = create_app(Settings(secure_cookies=True), bound, clock=clock, owns_database=False)
    app.state.leadflow.organisation = SharedOrganisation()
    async with browser(bound, clock, app) as client:
        page = await client.get("/signin")
        assert "secure" in page.headers["set-cookie"].lower()


async def behind_proxy(bound: Database, clock: Clock, proxy: str) -> httpx.Response:
    """The sign-in page asked through `proxy`, which says the visitor used HTTPS (uvicorn as
    `leadflow serve` configures it)."""
    app = ProxyHeadersMiddleware(
        application(bound, clock), trusted_hosts=Settings().trusted_proxies
    )
    transport = httpx.ASGITransport(app=app, client=(proxy, 40000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        return await client.get(
            "/signin", headers={"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9"}
        )


async def test_behind_a_trusted_proxy_that_says_https_the_cookie_is_secure(
    bound: Database, clock: Clock, scenario: Scenario
) -> None:
    page = await behind_proxy(bound, clock, "127.0.0.1")
    assert "secure" in page.headers["set-cookie"].lower()
    assert "strict-transport-security" in page.headers


async def test_an_untrusted_client_saying_https_is_not_believed(
    bound: Database, clock: Clock, scenario: Scenario
) -> None:
    page = await behind_proxy(bound, clock, "198.51.100.23")
    assert "secure" not in page.headers["set-cookie"].lower()
    assert "strict-transport-security" not in page.headers
