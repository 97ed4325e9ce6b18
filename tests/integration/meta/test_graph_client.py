"""The Graph client against a local Graph API: a lead, a form's leads page by page, and each
kind of failure as Graph reports it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from leadflow.connectors.meta.graph import (
    GraphClient,
    GraphRefused,
    GraphUnavailable,
    TokenRejected,
)
from tests.fakes.graph import FakeGraph, Injected
from tests.integration.meta.conftest import APP_SECRET, PAGE_TOKEN

CREATED = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def client(graph: FakeGraph) -> AsyncIterator[GraphClient]:
    opened = GraphClient(api_base=graph.api_base, app_secret=APP_SECRET, timeout=2)
    yield opened
    await opened.close()


async def test_a_lead_is_fetched_with_its_answers_and_ids(
    graph: FakeGraph, client: GraphClient
) -> None:
    graph.add_lead("9001", created=CREATED, answers={"email": "lena@example.de"})
    lead = await client.lead("9001", PAGE_TOKEN)
    assert lead["field_data"] == [{"name": "email", "values": ["lena@example.de"]}]
    assert lead["created_time"] == "2026-05-12T08:00:00+0000"
    ids = (lead["ad_id"], lead["adset_id"], lead["campaign_id"])
    assert ids == ("ad-1", "adset-1", "campaign-1")


async def test_the_token_goes_in_a_header_with_its_appsecret_proof(
    graph: FakeGraph, client: GraphClient
) -> None:
    graph.add_lead("9001", created=CREATED, answers={"email": "lena@example.de"})
    await client.lead("9001", PAGE_TOKEN)
    _, query = graph.requests[-1]
    assert "access_token" not in query
    assert query["appsecret_proof"]


@pytest.mark.parametrize("code", [4, 17, 613, 80005])
async def test_throttling_is_unavailable_for_now(
    graph: FakeGraph, client: GraphClient, code: int
) -> None:
    graph.add_lead("9001", created=CREATED, answers={"email": "lena@example.de"})
    graph.fail(Injected(code))
    with pytest.raises(GraphUnavailable):
        await client.lead("9001", PAGE_TOKEN)
    assert (await client.lead("9001", PAGE_TOKEN))["id"] == "9001"


async def test_leadgen_throttling_says_when_to_come_back(
    graph: FakeGraph, client: GraphClient
) -> None:
    graph.fail(Injected(80005))
    with pytest.raises(GraphUnavailable) as raised:
        await client.lead("9001", PAGE_TOKEN)
    assert raised.value.after == timedelta(minutes=1)


async def test_an_expired_token_is_rejected(client: GraphClient) -> None:
    with pytest.raises(TokenRejected) as raised:
        await client.lead("9001", "an-expired-token")
    assert "190/463" in raised.value.reason
    assert "an-expired-token" not in raised.value.reason


async def test_an_unknown_lead_is_refused(client: GraphClient) -> None:
    with pytest.raises(GraphRefused) as raised:
        await client.lead("404", PAGE_TOKEN)
    assert "100/33" in raised.value.reason


async def test_an_outage_and_a_stopped_server_are_unavailable(
    graph: FakeGraph, client: GraphClient
) -> None:
    graph.outage = True
    with pytest.raises(GraphUnavailable, match="HTTP 503"):
        await client.lead("9001", PAGE_TOKEN)
    graph.stop()
    with pytest.raises(GraphUnavailable, match="could not be reached"):
        await client.lead("9001", PAGE_TOKEN)


async def test_a_forms_leads_come_page_by_page_within_the_period(
    graph: FakeGraph, client: GraphClient
) -> None:
    for n in range(250):
        graph.add_lead(f"{n}", form_id="700", created=CREATED + timedelta(minutes=n), answers={})
    graph.add_lead("other", form_id="701", created=CREATED, answers={})
    since, until = CREATED + timedelta(minutes=10), CREATED + timedelta(minutes=240)
    pages = [page async for page in client.form_leads("700", PAGE_TOKEN, since=since, until=until)]
    assert [len(page) for page in pages] == [100, 100, 30]
    assert [lead["id"] for page in pages for lead in page] == [f"{n}" for n in range(10, 240)]
