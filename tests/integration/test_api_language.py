"""The API's sentences about a decision in the caller's language: a signed-in user's account
language, else (an API token) the Accept-Language header, else English; the codes and
parameters beside them are the same in every language."""

from __future__ import annotations

import httpx
import pytest

from leadflow.storage.store import Store
from tests import factories
from tests.factories import agent, lead_body
from tests.integration.conftest import activate
from tests.integration.test_ui_turkish import english_in, routed_leads, turkish_admin
from tests.integration.ui import Scenario

TURKISH = {"Accept-Language": "en;q=0.5, tr-TR;q=0.9, de"}
"""German first (we do not speak it), then Turkish before English by q-value."""


@pytest.fixture
async def clinic(store: Store) -> None:
    """Anna takes German leads; Cem speaks only Turkish (excluded), Dora is paused."""
    agents = [agent("anna"), agent("cem", languages=["tr"]), agent("dora", status="paused")]
    await activate(store, factories.organisation(agents))


async def submit(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> dict:
    answer = await client.post("/api/v1/leads", json=lead_body(language="de"), headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.mark.usefixtures("clinic")
async def test_a_token_asking_for_turkish_reads_the_decision_in_turkish(
    client: httpx.AsyncClient,
) -> None:
    lead = await submit(client, TURKISH)
    assert lead["assignment"]["reason"].startswith("ağırlıklı oran: ")
    answer = await client.get(f"/api/v1/leads/{lead['id']}/decision?agent=cem", headers=TURKISH)
    assert answer.status_code == 200, answer.text
    decision = answer.json()
    trace = decision["trace"]
    assert trace["reason"].startswith("ağırlıklı oran: ")
    assert trace["why"]["code"] == "choice.weighted_ratio"  # the codes do not change
    assert decision["history"][0]["reason"] == trace["reason"]
    [attempt] = trace["attempts"]
    exclusions = {e["agent"]: e for e in attempt["exclusions"]}
    assert exclusions["cem"]["reason"] == "language"
    assert exclusions["cem"]["params"] == {"agent": "cem", "language": "de", "languages": "tr"}
    assert exclusions["cem"]["message"] == "cem de konuşmuyor (konuştukları: tr)"
    assert exclusions["dora"]["message"] == "dora duraklatıldı"
    explanation = decision["explanation"]
    assert "hair-de satış hattında havuz yoluyla anna kişisine atandı" in explanation
    assert "cem elendi — dil: cem de konuşmuyor (konuştukları: tr)" in explanation
    assert decision["why_not"] == "hair-de hattında cem dil nedeniyle elendi: " + (
        "cem de konuşmuyor (konuştukları: tr)"
    )
    assert decision["why_not_reasons"][0]["params"]["check"] == "language"
    for sentence in (explanation, decision["why_not"], trace["reason"]):
        assert english_in(sentence) == []


@pytest.mark.usefixtures("clinic")
async def test_without_accept_language_a_token_reads_english(client: httpx.AsyncClient) -> None:
    lead = await submit(client)
    assert lead["assignment"]["reason"].startswith("weighted ratio: ")
    decision = (await client.get(f"/api/v1/leads/{lead['id']}/decision")).json()
    assert "Assigned to anna via pool in pipeline hair-de" in decision["explanation"]
    [attempt] = decision["trace"]["attempts"]
    messages = {e["agent"]: e["message"] for e in attempt["exclusions"]}
    assert messages["cem"] == "cem does not speak de (speaks tr)"
    fetched = (await client.get(f"/api/v1/leads/{lead['id']}", headers=TURKISH)).json()
    assert fetched["assignment"]["reason"].startswith("ağırlıklı oran: ")


@pytest.mark.usefixtures("clinic")
async def test_a_simulation_explains_itself_in_the_callers_language(
    client: httpx.AsyncClient,
) -> None:
    body = {"lead": lead_body(language="de"), "at": "2026-05-12T09:00:00Z"}
    answer = await client.post("/api/v1/simulate", json=body, headers=TURKISH)
    assert answer.status_code == 200, answer.text
    simulated = answer.json()
    assert "Neden: ağırlıklı oran:" in simulated["explanation"]
    assert "Yapılandırma sürümü" in simulated["explanation"]
    assert english_in(simulated["explanation"]) == []
    [attempt] = simulated["decision"]["attempts"]
    assert {e["reason"] for e in attempt["exclusions"]} == {"language", "paused"}


async def test_a_turkish_users_session_reads_the_decision_in_turkish(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    [lead_id, *_] = await routed_leads(web, store)
    await turkish_admin(web)
    # The browser says English; the account's language wins.
    answer = await web.get(f"/api/v1/leads/{lead_id}/decision", headers={"Accept-Language": "en"})
    assert answer.status_code == 200, answer.text
    decision = answer.json()
    assert "Neden: " in decision["explanation"]
    assert "Yapılandırma sürümü" in decision["explanation"]
    assert english_in(decision["explanation"]) == []
    assert english_in(decision["trace"]["reason"]) == []


async def test_the_roster_tells_why_an_agent_is_away_in_the_callers_language(
    client: httpx.AsyncClient, store: Store
) -> None:
    weekdays = {day: "09:00-17:00" for day in ("mon", "tue", "wed", "thu", "fri")}
    await activate(store, factories.organisation([agent("anna", schedule={"weekly": weekdays})]))
    sunday = "2026-05-10T12:00:00Z"
    answer = await client.get(f"/api/v1/roster?at={sunday}", headers=TURKISH)
    assert answer.status_code == 200, answer.text
    [anna] = answer.json()
    assert anna["detail_reason"]["code"] == "away.next_shift"
    assert anna["detail"] == "vardiya dışında; sonraki vardiya Pzt 11 May 09:00 Europe/Berlin"
    english = (await client.get(f"/api/v1/agents/anna/availability?at={sunday}")).json()
    assert english["detail"] == "off shift; next shift Mon 11 May 09:00 Europe/Berlin"
