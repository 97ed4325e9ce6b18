"""Sign-in is throttled per account and per client address, on real PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from leadflow.storage.database import Database
from tests.integration.conftest import Clock
from tests.integration.ui import BASE_URL, EMAILS, PASSWORD, application, csrf_of

_REFUSALS = re.compile(r'^leadflow_signin_refused_total\{scope="(\w+)"\} (\S+)$', re.M)


async def attempt(web: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = await web.get("/signin")
    return await web.post(
        "/signin", data={"email": email, "password": password, "csrf_token": csrf_of(form)}
    )


async def fail(web: httpx.AsyncClient, email: str, times: int) -> None:
    for _ in range(times):
        assert (await attempt(web, email, "not the password")).status_code == 400


@asynccontextmanager
async def client_at(
    database: Database, clock: Clock, address: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser whose requests come from `address`."""
    transport = httpx.ASGITransport(app=application(database, clock), client=(address, 40000))
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers={"accept": "text/html"}
    ) as client:
        yield client


async def test_the_sixth_attempt_after_five_wrong_passwords_is_refused_even_when_right(
    web: httpx.AsyncClient,
) -> None:
    await fail(web, EMAILS["agent"], 5)
    refused = await attempt(web, EMAILS["agent"], PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert "Too many failed attempts to sign in. Try again in 15 min." in refused.text


async def test_a_blocked_account_does_not_block_other_accounts_of_the_same_client(
    web: httpx.AsyncClient,
) -> None:
    await fail(web, EMAILS["agent"], 5)
    assert (await attempt(web, EMAILS["manager"], PASSWORD)).status_code == 303


async def test_the_refusal_is_worded_in_the_visitors_language(web: httpx.AsyncClient) -> None:
    await web.get("/signin?lang=tr")
    await fail(web, EMAILS["agent"], 5)
    refused = await attempt(web, EMAILS["agent"], PASSWORD)
    assert refused.status_code == 429
    assert "Çok fazla başarısız giriş denemesi. 15 dakika sonra yeniden deneyin." in refused.text


async def test_a_blocked_account_signs_in_again_once_the_lockout_passed(
    web: httpx.AsyncClient, clock: Clock
) -> None:
    await fail(web, EMAILS["agent"], 5)
    clock.now += timedelta(minutes=15, seconds=1)
    assert (await attempt(web, EMAILS["agent"], PASSWORD)).status_code == 303


async def test_signing_in_clears_the_accounts_failures(web: httpx.AsyncClient) -> None:
    await fail(web, EMAILS["agent"], 4)
    assert (await attempt(web, EMAILS["agent"], PASSWORD)).status_code == 303
    await web.post("/signout", data={"csrf_token": csrf_of(await web.get("/account"))})
    await fail(web, EMAILS["agent"], 4)
    assert (await attempt(web, EMAILS["agent"], PASSWORD)).status_code == 303


async def test_a_client_trying_many_accounts_is_refused_and_others_are_not(
    bound: Database, clock: Clock, web: httpx.AsyncClient
) -> None:
    async with client_at(bound, clock, "203.0.113.7") as flood:
        for number in range(20):
            await fail(flood, f"guess{number}@clinic.example", 1)
        refused = await attempt(flood, EMAILS["admin"], PASSWORD)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
    async with client_at(bound, clock, "198.51.100.4") as colleague:
        assert (await attempt(colleague, EMAILS["admin"], PASSWORD)).status_code == 303


async def test_refusals_are_counted_in_the_metrics(web: httpx.AsyncClient) -> None:
    async def refused_for_accounts() -> float:
        found = dict(_REFUSALS.findall((await web.get("/metrics")).text))
        return float(found.get("account", 0))

    before = await refused_for_accounts()
    await fail(web, EMAILS["agent"], 5)
    await attempt(web, EMAILS["agent"], PASSWORD)
    assert await refused_for_accounts() == before + 1
