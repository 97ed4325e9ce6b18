"""`GET /api/v1/leads` on PostgreSQL: each filter, the text search (a phone typed in any
format finds its E.164), the caller's scope, keyset pages, and bad input answered 422 naming
the field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.leads.scenario import Listed, add, add_listed_leads, client_as
from tests.integration.ui import Scenario


@pytest_asyncio.fixture
async def listed(store: Store, clock: Clock, scenario: Scenario) -> Listed:
    return await add_listed_leads(store, clock)


@pytest_asyncio.fixture
async def manager(
    bound: Database, clock: Clock, store: Store, listed: Listed
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_as(bound, clock, store, "manager") as client:
        yield client


async def ids(client: httpx.AsyncClient, **params: Any) -> list[int]:
    answer = await client.get("/api/v1/leads", params=params)
    assert answer.status_code == 200, answer.text
    return [lead["id"] for lead in answer.json()["leads"]]


async def test_a_manager_lists_every_lead_newest_first(
    manager: httpx.AsyncClient, listed: Listed
) -> None:
    answer = (await manager.get("/api/v1/leads")).json()
    assert [lead["id"] for lead in answer["leads"]] == listed.newest_first
    assert answer["next_cursor"] is None
    lena = answer["leads"][-1]
    assert (lena["name"], lena["owner"], lena["team"], lena["stage"]) == (
        "Lena Müller", "anna.schmidt", "german", "new",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "queued"}, ["queued"]),
        ({"status": ["queued", "assigned"], "stage": "new"}, ["queued", "lena"]),
        ({"stage": "lost"}, ["omar"]),
        ({"owner": "jonas.weber"}, ["jonas"]),
        ({"owner": "none"}, ["queued"]),
        ({"team": "english"}, ["sarah"]),
        ({"team": "german"}, ["queued", "jonas", "lena"]),
        ({"pipeline": "hair-ar"}, ["omar"]),
        ({"source": "meta_lead_ads"}, ["jonas"]),
        ({"campaign": "hair-uk"}, ["sarah"]),
        ({"country": "gb"}, ["sarah"]),
        ({"language": "DE"}, ["jonas", "lena"]),
    ],
)
async def test_each_filter_keeps_only_its_leads(
    manager: httpx.AsyncClient, listed: Listed, params: dict[str, Any], expected: list[str]
) -> None:
    assert await ids(manager, **params) == [listed[name] for name in expected]


async def test_received_between_takes_days_in_the_organisations_zone(
    manager: httpx.AsyncClient, listed: Listed, clock: Clock
) -> None:
    since = (clock.now - timedelta(hours=4, minutes=30)).isoformat()
    before = (clock.now - timedelta(hours=1, minutes=30)).isoformat()
    found = await ids(manager, received_from=since, received_to=before)
    assert found == [listed["queued"], listed["sarah"], listed["jonas"]]
    today = clock.now.date().isoformat()  # the clock's day holds every lead (Istanbul, noon)
    assert len(await ids(manager, received_from=today, received_to=today)) == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lena", "lena"),
        ("MÜL", "lena"),
        ("lena mül", "lena"),
        ("kunde@", "jonas"),
        ("0151 234 56789", "lena"),
        ("+49 (151) 2345-6789", "lena"),
        ("0049 15123456789", "lena"),
        ("(0532) 123 45 67", "queued"),
        ("07700 900123", "sarah"),
    ],
)
async def test_text_search_finds_names_e_mails_and_phones_in_any_format(
    manager: httpx.AsyncClient, listed: Listed, text: str, expected: str
) -> None:
    assert await ids(manager, q=text) == [listed[expected]]


async def test_a_search_matching_nothing_lists_nothing(manager: httpx.AsyncClient) -> None:
    assert await ids(manager, q="nobody by this name") == []


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("agent", ["lena"]),
        ("team_lead", ["queued", "jonas", "lena"]),
        ("admin", ["omar", "queued", "sarah", "jonas", "lena"]),
        ("integration", ["omar", "queued", "sarah", "jonas", "lena"]),
    ],
)
async def test_each_caller_sees_only_their_scope(
    bound: Database, clock: Clock, store: Store, listed: Listed, caller: str,
    expected: list[str],
) -> None:  # fmt: skip
    async with client_as(bound, clock, store, caller) as client:
        assert await ids(client) == [listed[name] for name in expected]


async def test_a_team_lead_cannot_filter_on_another_team(
    bound: Database, clock: Clock, store: Store, listed: Listed
) -> None:
    async with client_as(bound, clock, store, "team_lead") as client:
        assert (await client.get("/api/v1/leads", params={"team": "english"})).status_code == 403
        assert (
            await client.get("/api/v1/leads", params={"owner": "sarah.jones"})
        ).status_code == 403


async def walk(client: httpx.AsyncClient, **params: Any) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        answer = await client.get(
            "/api/v1/leads", params={**params, "cursor": cursor} if cursor else params
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages.append([lead["id"] for lead in body["leads"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_cursor_pages_cover_every_lead_once(
    manager: httpx.AsyncClient, listed: Listed
) -> None:
    pages = await walk(manager, limit=2)
    assert pages == [listed.newest_first[:2], listed.newest_first[2:4], listed.newest_first[4:]]


@pytest.mark.parametrize(
    ("sort", "order"), [("name", "asc"), ("owner", "desc"), ("stage", ""), ("status", "asc")]
)
async def test_every_sort_pages_the_same_leads_as_one_page(
    manager: httpx.AsyncClient, sort: str, order: str
) -> None:
    whole = await ids(manager, sort=sort, order=order)
    pages = await walk(manager, sort=sort, order=order, limit=2)
    assert [i for page in pages for i in page] == whole
    assert len(whole) == 5


async def test_sort_by_name_is_alphabetical(manager: httpx.AsyncClient, listed: Listed) -> None:
    names = ["jonas", "lena", "queued", "omar", "sarah"]  # Jonas, Lena, Mehmet, Omar, Sarah
    assert await ids(manager, sort="name") == [listed[n] for n in names]


async def test_a_lead_arriving_between_pages_shifts_nothing(
    manager: httpx.AsyncClient, store: Store, clock: Clock, listed: Listed
) -> None:
    first = (await manager.get("/api/v1/leads", params={"limit": 2})).json()
    await add(store, "newcomer", clock.now, {"source": "website"})
    await store.commit()
    second = await ids(manager, limit=2, cursor=first["next_cursor"])
    assert second == listed.newest_first[2:4]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stage": "nosuch"}, "stage"),
        ({"status": "lost"}, "status"),
        ({"owner": "nobody.here"}, "owner"),
        ({"team": "klingon"}, "team"),
        ({"pipeline": "nosuch"}, "pipeline"),
        ({"country": "Germany"}, "country"),
        ({"received_from": "yesterday"}, "received_from"),
        ({"received_from": "2026-12-05", "received_to": "2026-12-01"}, "received_to"),
        ({"sort": "phone"}, "sort"),
        ({"order": "sideways"}, "order"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"q": "lena\x00"}, "q"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    manager: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    answer = await manager.get("/api/v1/leads", params=params)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][:2] == ["query", field]


async def test_a_cursor_made_for_another_sort_is_refused(manager: httpx.AsyncClient) -> None:
    first = (await manager.get("/api/v1/leads", params={"limit": 1})).json()
    answer = await manager.get(
        "/api/v1/leads", params={"sort": "name", "cursor": first["next_cursor"]}
    )
    assert (answer.status_code, answer.json()["detail"][0]["loc"]) == (422, ["query", "cursor"])
