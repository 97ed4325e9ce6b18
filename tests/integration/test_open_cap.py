"""The open-leads cap: the engine never picks a pool member past it; an agent over it is the
on-call agent of a pipeline (that policy skips caps) or had the cap lowered, and the Agents
page says which."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from leadflow.storage.store import Store
from tests import factories
from tests.factories import agent, lead_body
from tests.integration.conftest import Clock, activate
from tests.integration.ui import EMAILS, sign_in

BERLIN_DAY = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}
NIGHT = datetime(2026, 5, 12, 20, 30, tzinfo=UTC)  # Tuesday 22:30 Berlin


async def test_the_agents_page_says_an_agent_is_over_the_open_cap_as_the_on_call_agent(
    web: httpx.AsyncClient, client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    config = factories.organisation(
        [agent("anna", schedule={"weekly": BERLIN_DAY}), agent("ben", caps={"open": 1})],
        no_agent={"action": "on_call", "agent": "ben"},
    )
    pipeline = config.pipelines[0]
    pool = pipeline.pool.model_copy(update={"members": pipeline.pool.members[:1]})  # anna only
    await activate(
        store, config.model_copy(update={"pipelines": [pipeline.model_copy(update={"pool": pool})]})
    )
    clock.now = NIGHT
    for i in range(3):
        answer = await client.post(
            "/api/v1/leads", json=lead_body(email=f"n{i}@example.org", phone=None)
        )
        assert answer.json()["owner"] == "ben", answer.text
    await sign_in(web, EMAILS["admin"])
    page = (await web.get("/config/agents")).text
    assert '<small class="over-cap" data-over-cap="ben">2 over the limit:' in page
    assert "3 of the open leads came as the on-call agent, which skips limits" in page
    assert 'data-over-cap="anna"' not in page


async def test_the_agents_page_says_an_open_cap_was_lowered_below_the_open_leads(
    web: httpx.AsyncClient, client: httpx.AsyncClient, store: Store
) -> None:
    await activate(store, factories.organisation([agent("anna", caps={"open": 5})]))
    for i in range(3):
        answer = await client.post(
            "/api/v1/leads", json=lead_body(email=f"d{i}@example.org", phone=None)
        )
        assert answer.json()["owner"] == "anna", answer.text
    await activate(store, factories.organisation([agent("anna", caps={"open": 1})]))
    await sign_in(web, EMAILS["admin"])
    page = (await web.get("/config/agents")).text
    assert '<small class="over-cap" data-over-cap="anna">2 over the limit:' in page
    assert "2 assigned before the limit was lowered, or reopened" in page
    assert "on-call" not in page
