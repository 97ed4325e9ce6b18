"""POST /api/v1/leads/{id}/stage: moves with their required fields, lost reasons, closing."""

from __future__ import annotations

from datetime import timedelta

import httpx

from leadflow.domain.configuration import Configuration
from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.workflow.conftest import fresh, new_lead


async def move(client: httpx.AsyncClient, lead_id: int, **body: object) -> httpx.Response:
    return await client.post(f"/api/v1/leads/{lead_id}/stage", json=body)


async def test_a_move_without_the_stages_required_fields_is_refused_naming_each(
    client: httpx.AsyncClient, store: Store, workflow: Configuration
) -> None:
    lead_id = await new_lead(client)
    response = await move(client, lead_id, stage="qualified", fields={"budget_range": "mid"})
    assert response.status_code == 422, response.text
    locations = [problem["loc"] for problem in response.json()["detail"]]
    assert locations == [["body", "fields", "travel_month"]]
    lead = await fresh(store, lead_id)
    assert (lead.stage_key, lead.custom.get("budget_range")) == ("new", None)


async def test_the_required_fields_sent_with_the_move_let_it_through(
    client: httpx.AsyncClient, store: Store, workflow: Configuration, clock: Clock
) -> None:
    lead_id = await new_lead(client)
    fields = {"budget_range": "mid", "travel_month": "2026-09"}
    response = await move(client, lead_id, stage="qualified", fields=fields)
    assert response.status_code == 200, response.text
    assert response.json()["stage"] == "qualified"
    assert response.json()["closed"] is False
    lead = await fresh(store, lead_id)
    assert lead.custom["budget_range"] == "mid"
    assert lead.stage_entered_at == clock.now
    change = [a for a in await store.leads.activities_of(lead_id) if a.kind == "stage_change"]
    assert [(c.from_stage, c.to_stage, c.actor_kind) for c in change] == [
        ("new", "qualified", "integration")
    ]


async def test_a_field_value_of_the_wrong_type_is_named(
    client: httpx.AsyncClient, workflow: Configuration
) -> None:
    lead_id = await new_lead(client)
    response = await move(
        client, lead_id, stage="contacted", fields={"travel_month": "September", "budget": -5}
    )
    assert response.status_code == 422, response.text
    locations = sorted(problem["loc"] for problem in response.json()["detail"])
    assert locations == [["body", "fields", "budget"], ["body", "fields", "travel_month"]]


async def test_lost_without_a_reason_is_refused(
    client: httpx.AsyncClient, store: Store, workflow: Configuration
) -> None:
    lead_id = await new_lead(client)
    response = await move(client, lead_id, stage="lost")
    assert response.status_code == 422, response.text
    assert [p["loc"] for p in response.json()["detail"]] == [["body", "lost_reason"]]
    unknown = await move(client, lead_id, stage="lost", lost_reason="weather")
    assert unknown.status_code == 422
    assert (await fresh(store, lead_id)).closed_at is None


async def test_an_unknown_stage_is_refused(
    client: httpx.AsyncClient, workflow: Configuration
) -> None:
    lead_id = await new_lead(client)
    response = await move(client, lead_id, stage="offer_sent-typo")
    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [["body", "stage"]]


async def test_closing_frees_a_place_under_the_owners_open_cap_and_reopening_takes_it(
    client: httpx.AsyncClient, store: Store, workflow: Configuration, clock: Clock
) -> None:
    lead_id = await new_lead(client)
    owner = (await fresh(store, lead_id)).owner_agent_key
    assert owner is not None

    async def open_count() -> int:
        return (await store.roster.loads([owner], clock.now))[owner][3]

    before = await open_count()
    won = await move(client, lead_id, stage="lost", lost_reason="price")
    assert won.json()["closed"] is True, won.text
    assert won.json()["lost_reason"] == "price"
    assert await open_count() == before - 1
    clock.now += timedelta(minutes=5)
    reopened = await move(client, lead_id, stage="contacted")
    assert reopened.json()["closed"] is False
    assert reopened.json()["lost_reason"] is None
    assert await open_count() == before


async def test_a_lead_outside_the_api_is_404(
    client: httpx.AsyncClient, workflow: Configuration
) -> None:
    response = await move(client, 987654, stage="contacted")
    assert response.status_code == 404
