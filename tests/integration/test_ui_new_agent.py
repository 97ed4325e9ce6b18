"""Configuration → Agents → New agent: adding an agent (team, pools with weights, a start date
for ramp-up, caps) saves a new configuration version; bad fields are named; a team lead adds to
their own team's pools only."""

from __future__ import annotations

from typing import Any

import httpx

from leadflow.services.configuration import versions as configuration
from leadflow.storage.store import Store
from tests.integration.ui import EMAILS, Scenario, sign_in

LENA = {
    "name": "Lena Vogel",
    "key": "lena.vogel",
    "email": "lena.vogel@clinic.example",
    "team": "german",
    "pools": ["hair-de", "dental-de"],
    "weight_hair-de": "3",
    "weight_dental-de": "1",
    "started_on": "2026-06-01",
    "languages": "de, en",
    "skills": ["hair_transplant", "dental"],
    "tier": "developing",
    "timezone": "Europe/Berlin",
    "cap_day": "10",
    "cap_open": "30",
}


async def add(web: httpx.AsyncClient, token: str, version: int, **changes: Any) -> httpx.Response:
    form = {**LENA, "csrf_token": token, "base_version": str(version), **changes}
    return await web.post("/config/agents/new", data=form)


async def test_a_new_agent_is_saved_as_a_new_version_in_their_team_and_pools(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await add(web, token, scenario.version, comment="new hire")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/config/agents/lena.vogel"
    version, document = await configuration.active_document(store)
    assert version > scenario.version
    lena = next(a for a in document["agents"] if a["key"] == "lena.vogel")
    assert (lena["team"], lena["email"], lena["started_on"]) == (
        "german",
        "lena.vogel@clinic.example",
        "2026-06-01",
    )
    assert lena["caps"] == {"day": 10, "open": 30}
    members = {
        p["key"]: {m["agent"]: m.get("weight", 1) for m in p["pool"]["members"]}
        for p in document["pipelines"]
    }
    assert members["hair-de"]["lena.vogel"] == 3
    assert members["dental-de"]["lena.vogel"] == 1
    assert "lena.vogel" not in members["aesthetic-de"]
    assert (await store.audit.recent(1))[0].detail["comment"] == "new hire"
    page = await web.get("/config/agents/lena.vogel")
    assert "Lena Vogel" in page.text


async def test_a_new_agent_with_bad_fields_is_refused_naming_each_field(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await add(
        web, token, scenario.version, key="Lena Vogel", started_on="soon", cap_day="many"
    )
    assert answer.status_code == 400
    for field in ("key", "started_on", "cap_day"):
        assert f'id="{field}-problem"' in answer.text
    assert (await configuration.active_document(store))[0] == scenario.version


async def test_an_existing_key_is_refused(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await add(web, token, scenario.version, key="anna.schmidt")
    assert answer.status_code == 409
    assert "An agent with this key exists already." in answer.text


async def test_a_team_lead_adds_to_their_own_team_only(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    form = await web.get("/config/agents/new")
    assert "hair-de" in form.text
    assert "general-en" not in form.text
    other = await add(web, token, scenario.version, team="english", pools=["general-en"])
    assert other.status_code == 400
    assert 'id="team-problem"' in other.text
    own = await add(web, token, scenario.version)
    assert own.status_code == 303


async def test_an_agent_cannot_open_the_new_agent_form(
    web: httpx.AsyncClient, scenario: Scenario
) -> None:
    await sign_in(web, EMAILS["agent"])
    assert (await web.get("/config/agents/new")).status_code == 403
