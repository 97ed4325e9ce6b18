"""Who may call which JSON endpoint, endpoint by endpoint, on the demo organisation: admins,
managers and integrations see every lead; the team lead (German team) only their teams'; the agent
(Anna Schmidt, German team) only her own leads. A lead outside one's scope is answered 404, like a
lead that does not exist. Signed-in users also send the session's CSRF token on unsafe methods."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.factories import lead_body
from tests.integration.conftest import Clock
from tests.integration.ui import (
    EMAILS,
    ROLES,
    Scenario,
    add_lead,
    browser,
    demo_configuration,
    sign_in,
)

CALLERS = (*ROLES, "integration", "anonymous")
JSON = {"accept": "application/json"}


@dataclass(frozen=True)
class Leads:
    """Leads written straight to the tables, named by owner and pipeline."""

    anna: int  # German team, the agent's own
    jonas: int  # German team, another agent's
    sarah: int  # English team
    queued_de: int
    queued_en: int
    to_anna: int  # owned by Jonas: reassigned to Anna
    to_sarah: int  # owned by Anna: reassigned to Sarah (English team)
    to_jonas: int  # owned by Anna: reassigned to Jonas
    to_tom: int  # owned by Sarah: reassigned to Tom (English team)


@pytest_asyncio.fixture
async def leads(store: Store, clock: Clock, scenario: Scenario) -> Leads:
    received = clock.now - timedelta(minutes=30)
    owners = {
        "anna": ("anna.schmidt", "hair-de"),
        "jonas": ("jonas.weber", "hair-de"),
        "sarah": ("sarah.jones", "hair-en"),
        "queued_de": (None, "hair-de"),
        "queued_en": (None, "hair-en"),
        "to_anna": ("jonas.weber", "hair-de"),
        "to_sarah": ("anna.schmidt", "hair-de"),
        "to_jonas": ("anna.schmidt", "hair-de"),
        "to_tom": ("sarah.jones", "hair-en"),
    }
    ids = {
        name: await add_lead(
            store,
            received_at=received + timedelta(seconds=i),
            owner=owner,
            pipeline=pipeline,
            name=name.replace("_", "").title(),
        )
        for i, (name, (owner, pipeline)) in enumerate(owners.items())
    }
    await store.commit()
    return Leads(**ids)


@asynccontextmanager
async def client_as(
    bound: Database, clock: Clock, store: Store, caller: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A JSON client for `caller`: signed in (with the CSRF header), an API token, or nobody."""
    async with browser(bound, clock) as client:
        client.headers.update(JSON)
        if caller in ROLES:
            client.headers["X-CSRF-Token"] = await sign_in(client, EMAILS[caller])
        elif caller == "integration":
            issued = await tokens.issue(store, "crm", ALL_SCOPES)
            await store.commit()
            client.headers["Authorization"] = f"Bearer {issued.secret}"
        yield client


@pytest_asyncio.fixture
async def api(
    bound: Database, clock: Clock, store: Store, scenario: Scenario, caller: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_as(bound, clock, store, caller) as client:
        yield client


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    expected: tuple[int, int, int, int, int]
    """admin, manager, team_lead, agent, integration; anonymous is always 401."""
    body: dict[str, Any] | None = None


def _calls(leads: Leads, version: int) -> list[Call]:
    draft = demo_configuration().model_dump(mode="json")
    note = {"kind": "note"}

    def move(lead_id: int, agent: str, expected: tuple[int, int, int, int, int]) -> Call:
        body = {"agent": agent, "reason": "speaks the patient's dialect"}
        return Call("POST", f"/api/v1/leads/{lead_id}/reassign", expected, body)

    return [
        # reads first: the writes below move leads between agents
        Call("GET", f"/api/v1/leads/{leads.anna}", (200, 200, 200, 200, 200)),
        Call("GET", f"/api/v1/leads/{leads.jonas}", (200, 200, 200, 404, 200)),
        Call("GET", f"/api/v1/leads/{leads.sarah}", (200, 200, 404, 404, 200)),
        Call("GET", f"/api/v1/leads/{leads.queued_de}", (200, 200, 200, 404, 200)),
        Call("GET", f"/api/v1/leads/{leads.anna}/decision", (200, 200, 200, 200, 200)),
        Call("GET", f"/api/v1/leads/{leads.jonas}/decision", (200, 200, 200, 404, 200)),
        Call(
            "GET", f"/api/v1/leads/{leads.sarah}/decision?agent=anna.schmidt",
            (200, 200, 404, 404, 200),
        ),
        Call(
            "GET", f"/api/v1/leads/{leads.anna}/decision?agent=anna.schmidt",
            (200, 200, 200, 200, 200),
        ),
        Call(
            "GET", f"/api/v1/leads/{leads.anna}/decision?agent=jonas.weber",
            (200, 200, 200, 404, 200),
        ),
        Call(
            "GET", f"/api/v1/leads/{leads.anna}/decision?agent=sarah.jones",
            (200, 200, 404, 404, 200),
        ),
        Call("GET", f"/api/v1/leads/{leads.anna}/activities", (200, 200, 200, 200, 200)),
        Call("GET", f"/api/v1/leads/{leads.sarah}/activities", (200, 200, 404, 404, 200)),
        Call("GET", "/api/v1/queue", (200, 200, 200, 200, 200)),
        Call("GET", "/api/v1/roster", (200, 200, 200, 200, 200)),
        Call("GET", "/api/v1/agents/anna.schmidt/availability", (200, 200, 200, 200, 200)),
        Call("GET", "/api/v1/agents/jonas.weber/availability", (200, 200, 200, 404, 200)),
        Call("GET", "/api/v1/agents/sarah.jones/availability", (200, 200, 404, 404, 200)),
        Call("GET", "/api/v1/agents", (200, 200, 200, 200, 200)),
        Call("GET", "/api/v1/agents/anna.schmidt", (200, 200, 200, 200, 200)),
        Call("GET", "/api/v1/agents/sarah.jones", (200, 200, 404, 404, 200)),
        Call("GET", "/api/v1/config", (200, 200, 403, 403, 200)),
        Call("GET", "/api/v1/config/versions", (200, 200, 403, 403, 200)),
        Call("GET", f"/api/v1/config/diff?old={version}", (200, 200, 403, 403, 200)),
        # writes
        Call("POST", f"/api/v1/leads/{leads.anna}/activities", (201, 201, 201, 201, 201), note),
        Call("POST", f"/api/v1/leads/{leads.sarah}/activities", (201, 201, 404, 404, 201), note),
        Call(
            "POST", f"/api/v1/leads/{leads.anna}/activities", (201, 201, 403, 403, 201),
            {"kind": "note", "agent": "sarah.jones"},
        ),
        Call("POST", "/api/v1/leads", (201, 403, 403, 403, 201), lead_body(external_id="x1")),
        move(leads.to_anna, "anna.schmidt", (200, 200, 200, 404, 200)),
        move(leads.to_jonas, "jonas.weber", (200, 200, 200, 403, 200)),
        move(leads.to_sarah, "sarah.jones", (200, 200, 403, 403, 200)),
        move(leads.to_tom, "tom.baker", (200, 200, 404, 404, 200)),
        move(leads.queued_de, "anna.schmidt", (200, 200, 200, 404, 200)),
        Call("POST", "/api/v1/simulate", (200, 200, 200, 403, 200), {"lead": lead_body()}),
        Call(
            "POST", "/api/v1/simulate", (200, 200, 403, 403, 200),
            {"lead": lead_body(), "configuration": draft},
        ),
        Call(
            "POST", "/api/v1/agents", (201, 403, 201, 403, 201),
            {"key": "lena.vogel", "name": "Lena Vogel", "team": "german"},
        ),
        Call(
            "POST", "/api/v1/agents", (201, 403, 403, 403, 201),
            {"key": "emma.clark", "name": "Emma Clark", "team": "english"},
        ),
        Call(
            "PATCH", "/api/v1/agents/anna.schmidt", (200, 403, 200, 403, 200),
            {"languages": ["de", "en", "tr"]},
        ),
        Call(
            "PATCH", "/api/v1/agents/sarah.jones", (200, 403, 404, 403, 200),
            {"caps": {"day": 5}},
        ),
        Call(
            "PATCH", "/api/v1/agents/anna.schmidt", (200, 403, 403, 403, 200),
            {"team": "english"},
        ),
        Call("POST", "/api/v1/config?comment=again", (201, 403, 403, 403, 201), draft),
        Call("POST", f"/api/v1/config/rollback/{version}", (201, 403, 403, 403, 201)),
    ]  # fmt: skip


@pytest.mark.parametrize("caller", CALLERS)
async def test_every_endpoint_answers_each_caller_by_their_scope(
    api: httpx.AsyncClient, leads: Leads, scenario: Scenario, caller: str
) -> None:
    calls = _calls(leads, scenario.version)
    column = CALLERS.index(caller)
    expected = {
        f"{i:02} {c.method} {c.path}": 401 if caller == "anonymous" else c.expected[column]
        for i, c in enumerate(calls)
    }
    answers = {
        f"{i:02} {c.method} {c.path}": (
            await api.request(c.method, c.path, json=c.body)
        ).status_code
        for i, c in enumerate(calls)
    }
    assert answers == expected


@pytest.mark.parametrize(
    ("caller", "queued"),
    [
        ("admin", {"queued_de", "queued_en"}),
        ("integration", {"queued_de", "queued_en"}),
        ("team_lead", {"queued_de"}),
        ("agent", set()),  # a queued lead has no owner yet
    ],
)
async def test_the_queue_lists_only_the_callers_leads(
    api: httpx.AsyncClient, leads: Leads, caller: str, queued: set[str]
) -> None:
    names = {leads.queued_de: "queued_de", leads.queued_en: "queued_en"}
    rows = (await api.get("/api/v1/queue")).json()
    assert {names[row["lead_id"]] for row in rows} == queued


@pytest.mark.parametrize(
    ("caller", "teams"),
    [("manager", {"german", "english", "arabic", "russian", "french", "virtual"}),
     ("team_lead", {"german"})],
)  # fmt: skip
async def test_the_roster_lists_only_the_callers_teams(
    api: httpx.AsyncClient, caller: str, teams: set[str]
) -> None:
    rows = (await api.get("/api/v1/roster")).json()
    assert {row["team"] for row in rows} == teams
    assert (await api.get("/api/v1/roster?team=english")).json() == (
        [] if caller == "team_lead" else [row for row in rows if row["team"] == "english"]
    )


@pytest.mark.parametrize("caller", ["agent"])
async def test_an_agent_finds_only_themselves_on_the_roster(
    api: httpx.AsyncClient, caller: str
) -> None:
    rows = (await api.get("/api/v1/roster")).json()
    assert [row["key"] for row in rows] == ["anna.schmidt"]


@pytest.mark.parametrize("caller", ["team_lead"])
async def test_a_lead_outside_ones_teams_looks_like_a_missing_one(
    api: httpx.AsyncClient, leads: Leads, caller: str
) -> None:
    hidden = await api.get(f"/api/v1/leads/{leads.sarah}/decision")
    missing = await api.get("/api/v1/leads/999999/decision")
    assert hidden.json() == {"detail": f"lead {leads.sarah} does not exist"}
    assert missing.json() == {"detail": "lead 999999 does not exist"}


@pytest.mark.parametrize("caller", ["team_lead"])
async def test_a_signed_in_users_reassignment_is_recorded_under_their_own_name(
    api: httpx.AsyncClient, leads: Leads, caller: str
) -> None:
    body = {"agent": "anna.schmidt", "reason": "covers the morning", "actor": "someone else"}
    assert (await api.post(f"/api/v1/leads/{leads.to_anna}/reassign", json=body)).is_success
    history = (await api.get(f"/api/v1/leads/{leads.to_anna}/decision")).json()["history"]
    assert history[-1]["actor"] == EMAILS["team_lead"]


UNSAFE = [
    ("/api/v1/leads/{anna}/activities", {"kind": "note"}),
    ("/api/v1/leads/{jonas}/reassign", {"agent": "anna.schmidt", "reason": "covers"}),
    ("/api/v1/simulate", {"lead": lead_body()}),
    ("/api/v1/leads", lead_body(external_id="csrf")),
    ("/api/v1/config/rollback/{version}", None),
]


@pytest.mark.parametrize("caller", ["admin"])
@pytest.mark.parametrize(("path", "body"), UNSAFE)
async def test_a_session_without_the_csrf_header_changes_nothing(
    api: httpx.AsyncClient,
    store: Store,
    leads: Leads,
    scenario: Scenario,
    caller: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    del api.headers["X-CSRF-Token"]
    target = path.format(anna=leads.anna, jonas=leads.jonas, version=scenario.version)
    before = await store.leads.count(), await store.configs.active_id()
    answer = await api.post(target, json=body)
    assert (answer.status_code, answer.json()) == (403, {"detail": "CSRF token missing or invalid"})
    assert (await store.leads.count(), await store.configs.active_id()) == before
    assert (await api.get(f"/api/v1/leads/{leads.anna}/activities")).json() == []
    assert (await api.get(f"/api/v1/leads/{leads.jonas}")).json()["owner"] == "jonas.weber"


async def test_the_api_documents_both_ways_to_authenticate(bound: Database, clock: Clock) -> None:
    async with browser(bound, clock) as client:
        schema = (await client.get("/openapi.json")).json()
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    cookie = next(s for s in schemes.values() if s["type"] == "apiKey")
    assert (cookie["in"], cookie["name"]) == ("cookie", "leadflow_session")
    queue = schema["paths"]["/api/v1/queue"]["get"]["security"]
    assert {name for option in queue for name in option} == set(schemes)
