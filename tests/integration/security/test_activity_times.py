"""An activity's time is believable, and first contact cannot be backdated to fake the SLA
(issue 14, items 4 and 5)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from leadflow.storage.store import Store
from tests.factories import lead_body
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, Scenario, add_lead, sign_in


async def _lead(client: httpx.AsyncClient, clock: Clock, hours_ago: float) -> dict[str, object]:
    received = (clock.now - timedelta(hours=hours_ago)).isoformat()
    answer = await client.post("/api/v1/leads", json=lead_body(created_at=received))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


@pytest.mark.usefixtures("org")
async def test_an_activity_in_year_one_is_refused_and_history_stays_readable(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    lead = await _lead(client, clock, hours_ago=1)
    refused = await client.post(
        f"/api/v1/leads/{lead['id']}/activities",
        json={"kind": "call", "occurred_at": "0001-01-01T00:00:00+14:00"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "occurred_at"]
    history = await client.get(f"/api/v1/leads/{lead['id']}/activities")
    assert history.status_code == 200
    assert history.json() == []


@pytest.mark.usefixtures("org")
@pytest.mark.parametrize(
    ("offset", "why"),
    [(timedelta(hours=-30), "before the lead arrived"), (timedelta(hours=2), "in the future")],
)
async def test_an_activity_outside_the_leads_life_is_refused(
    client: httpx.AsyncClient, clock: Clock, offset: timedelta, why: str
) -> None:
    lead = await _lead(client, clock, hours_ago=29)
    at = (clock.now + offset).isoformat()
    refused = await client.post(
        f"/api/v1/leads/{lead['id']}/activities", json={"kind": "call", "occurred_at": at}
    )
    assert refused.status_code == 422
    assert why in refused.json()["detail"][0]["msg"]


async def test_an_agent_cannot_backdate_a_first_contact(
    web: httpx.AsyncClient, scenario: Scenario, store: Store, clock: Clock
) -> None:
    """The review's case: a lead received 29 hours ago, a call logged as one second after."""
    received = clock.now - timedelta(hours=29)
    lead_id = await add_lead(store, owner="anna.schmidt", pipeline="hair-de", received_at=received)
    await store.commit()
    csrf = await sign_in(web, EMAILS["agent"])
    answer = await web.post(
        f"/api/v1/leads/{lead_id}/activities",
        json={"kind": "call", "occurred_at": (received + timedelta(seconds=1)).isoformat()},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["first_contact"] is True
    assert answer.json()["speed_to_lead_s"] == 29 * 3600
    stored = await store.leads.get(lead_id)
    assert stored is not None
    await store.refresh(stored)
    assert stored.first_contact_at == clock.now


@pytest.mark.usefixtures("org")
async def test_the_telephony_integration_reports_when_the_call_happened(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    lead = await _lead(client, clock, hours_ago=2)
    called = clock.now - timedelta(hours=1)
    answer = await client.post(
        f"/api/v1/leads/{lead['id']}/activities",
        json={"kind": "call", "occurred_at": called.isoformat()},
    )
    assert answer.status_code == 201
    assert answer.json()["speed_to_lead_s"] == 3600
