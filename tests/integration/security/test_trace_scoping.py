"""A decision trace shows a viewer what their role lets them see, on every read: an agent sees
themselves and "another agent" (no status, no score) for colleagues, on the decision API and the
lead page; a team lead sees their teams' agents, pipelines and rules, in a lead's decision and in
a simulation alike; admins and managers see everything."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from leadflow.domain.configuration import Configuration
from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.factories import lead_body
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, Scenario, browser, demo_configuration, sign_in

JSON = {"accept": "application/json"}
GERMAN_HAIR = lead_body(external_id="trace-1", language="de")
ENGLISH_HAIR = lead_body(
    external_id="trace-2", country="GB", language="en", phone="+44 20 7946 0958", first_name="Amy"
)


def outside(config: Configuration, *, team: str, except_agent: str | None = None) -> set[str]:
    """Every agent key and name, pipeline key and rule key that is not of `team` (and every
    agent but `except_agent`, when given)."""
    pipelines = {p.key for p in config.pipelines if p.team != team}
    agents = [
        a for a in config.agents if (a.key != except_agent if except_agent else a.team != team)
    ]
    rules = {r.key for r in config.rules if {r.pipeline, *r.fallback} <= pipelines}
    return {a.key for a in agents} | {a.name for a in agents} | pipelines | rules


def named(text: str, words: set[str]) -> set[str]:
    return {w for w in words if re.search(rf"(?<![\w.-]){re.escape(w)}(?![\w.-])", text)}


@pytest_asyncio.fixture
async def integration(
    bound: Database, clock: Clock, store: Store, scenario: Scenario
) -> AsyncIterator[httpx.AsyncClient]:
    issued = await tokens.issue(store, "crm", ALL_SCOPES)
    await store.commit()
    async with browser(bound, clock) as client:
        client.headers.update({**JSON, "Authorization": f"Bearer {issued.secret}"})
        yield client


async def signed_in(client: httpx.AsyncClient, role: str) -> httpx.AsyncClient:
    client.headers.update({**JSON, "X-CSRF-Token": await sign_in(client, EMAILS[role])})
    return client


async def annas_lead(integration: httpx.AsyncClient) -> int:
    """A German lead routed by the engine among Anna's colleagues, then given to Anna."""
    lead = (await integration.post("/api/v1/leads", json=GERMAN_HAIR)).json()
    if lead["owner"] != "anna.schmidt":
        body = {"agent": "anna.schmidt", "reason": "speaks the dialect"}
        moved = await integration.post(f"/api/v1/leads/{lead['id']}/reassign", json=body)
        assert moved.status_code == 200, moved.text
    decision = (await integration.get(f"/api/v1/leads/{lead['id']}/decision")).json()
    assert len(decision["trace"]["attempts"][0]["candidates"]) > 1  # colleagues were weighed
    return int(lead["id"])


async def test_an_agent_sees_no_colleague_in_their_leads_decision(
    integration: httpx.AsyncClient, bound: Database, clock: Clock
) -> None:
    lead_id = await annas_lead(integration)
    async with browser(bound, clock) as web:
        anna = await signed_in(web, "agent")
        answer = await anna.get(f"/api/v1/leads/{lead_id}/decision?agent=anna.schmidt")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    colleagues = outside(demo_configuration(), team="german", except_agent="anna.schmidt")
    assert named(json.dumps(document, ensure_ascii=False), colleagues) == set()
    attempt = document["trace"]["attempts"][0]
    assert "another agent" in attempt["candidates"]
    assert {e["agent"] for e in attempt["exclusions"]} <= {"anna.schmidt"}
    assert set(attempt["scores"]) <= {"anna.schmidt", "~lead"}
    assert document["owner"] == "anna.schmidt"


async def test_an_agent_sees_no_colleague_in_the_lead_pages_trace(
    integration: httpx.AsyncClient, bound: Database, clock: Clock
) -> None:
    lead_id = await annas_lead(integration)
    async with browser(bound, clock) as web:
        await sign_in(web, EMAILS["agent"])
        page = (await web.get(f"/inbox/leads/{lead_id}")).text
    trace = re.search(r'<section aria-labelledby="trace-heading".*?</section>', page, re.S)
    assert trace is not None
    colleagues = outside(demo_configuration(), team="german", except_agent="anna.schmidt")
    assert named(trace.group(0), colleagues) == set()
    assert "another agent" in trace.group(0)


async def test_the_team_lead_sees_their_teams_agents_in_the_decision(
    integration: httpx.AsyncClient, bound: Database, clock: Clock
) -> None:
    lead_id = await annas_lead(integration)
    async with browser(bound, clock) as web:
        lead = await signed_in(web, "team_lead")
        trace = (await lead.get(f"/api/v1/leads/{lead_id}/decision")).json()["trace"]
    candidates = trace["attempts"][0]["candidates"]
    assert "another agent" not in candidates
    assert "anna.schmidt" in candidates


async def test_a_team_lead_simulating_sees_no_other_teams_agents_rules_or_pipelines(
    bound: Database, clock: Clock, scenario: Scenario
) -> None:
    async with browser(bound, clock) as web:
        lead = await signed_in(web, "team_lead")
        answer = await lead.post("/api/v1/simulate", json={"lead": ENGLISH_HAIR})
        roster = (await lead.get("/api/v1/roster?team=english")).json()
    assert answer.status_code == 200, answer.text
    assert roster == []
    others = outside(demo_configuration(), team="german")
    text = json.dumps(answer.json(), ensure_ascii=False)
    assert named(text, others) == set()
    decision = answer.json()["decision"]
    assert (decision["pipeline"], decision["rule"]) == ("another pipeline", "another rule")
    assert {"rule": "german-hair", "matched": False} in decision["rules_checked"]


async def test_a_team_lead_simulating_a_lead_of_their_team_sees_its_agents(
    bound: Database, clock: Clock, scenario: Scenario
) -> None:
    async with browser(bound, clock) as web:
        lead = await signed_in(web, "team_lead")
        decision = (await lead.post("/api/v1/simulate", json={"lead": GERMAN_HAIR})).json()
    assert decision["decision"]["pipeline"] == "hair-de"
    assert "anna.schmidt" in decision["decision"]["attempts"][0]["candidates"]
    assert "another agent" not in decision["decision"]["attempts"][0]["candidates"]


async def test_a_manager_simulating_sees_every_team(
    bound: Database, clock: Clock, scenario: Scenario
) -> None:
    async with browser(bound, clock) as web:
        manager = await signed_in(web, "manager")
        decision = (await manager.post("/api/v1/simulate", json={"lead": ENGLISH_HAIR})).json()
    assert decision["decision"]["rule"] == "english-hair"
    assert "another" not in json.dumps(decision)
