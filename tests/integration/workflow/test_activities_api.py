"""POST /api/v1/leads/{id}/activities: the full activity model, validated field by field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from leadflow.domain.configuration import Configuration
from leadflow.storage.store import Store
from tests.integration.conftest import Clock, activate
from tests.integration.workflow.conftest import fresh, new_lead, workflow_organisation


async def post(client: httpx.AsyncClient, lead_id: int, **activity: Any) -> httpx.Response:
    return await client.post(f"/api/v1/leads/{lead_id}/activities", json=activity)


def locations(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 422, response.text
    return [problem["loc"] for problem in response.json()["detail"]]


async def test_a_call_is_stored_with_its_times_seconds_and_who_reported_it(
    client: httpx.AsyncClient, store: Store, workflow: Configuration, clock: Clock
) -> None:
    lead_id = await new_lead(client)
    clock.now += timedelta(minutes=20)
    started = clock.now - timedelta(minutes=10)
    call = {
        "kind": "call",
        "direction": "outbound",
        "occurred_at": started.isoformat(),
        "answered_at": (started + timedelta(seconds=15)).isoformat(),
        "ended_at": (started + timedelta(seconds=415)).isoformat(),
        "wait_s": 15,
        "talk_s": 360,
        "hold_s": 40,
        "wrap_s": 90,
        "outcome": "answered",
    }
    response = await post(client, lead_id, **call)
    assert response.status_code == 201, response.text
    assert response.json()["first_contact"] is True
    # An integration's time is believed: the first contact is when the call started.
    assert response.json()["speed_to_lead_s"] == 600
    stored = (await store.leads.activities_of(lead_id))[0]
    assert (stored.talk_s, stored.hold_s, stored.wait_s, stored.wrap_s) == (360, 40, 15, 90)
    assert stored.ended_at == started + timedelta(seconds=415)
    assert (stored.actor_kind, stored.actor) == ("integration", "token:test-client")
    assert (await fresh(store, lead_id)).last_activity_at == started


async def test_call_times_out_of_order_are_named(
    client: httpx.AsyncClient, workflow: Configuration, clock: Clock
) -> None:
    lead_id = await new_lead(client)
    clock.now += timedelta(minutes=20)
    started = clock.now - timedelta(minutes=10)
    response = await post(
        client,
        lead_id,
        kind="call",
        occurred_at=started.isoformat(),
        answered_at=(started - timedelta(seconds=1)).isoformat(),
        ended_at=(started + timedelta(seconds=60)).isoformat(),
    )
    assert locations(response) == [["body", "answered_at"]]


async def test_fields_of_another_kind_and_values_out_of_range_are_refused(
    client: httpx.AsyncClient, workflow: Configuration
) -> None:
    lead_id = await new_lead(client)
    assert locations(await post(client, lead_id, kind="note", text="hi", score=4)) == [
        ["body", "score"]
    ]
    too_long = await post(client, lead_id, kind="call", talk_s=86401)
    assert ["body", "talk_s"] in locations(too_long)
    wrong = await post(client, lead_id, kind="call", outcome="hung_up")
    assert ["body", "outcome"] in locations(wrong)
    channel = await post(client, lead_id, kind="message", channel="fax")
    assert ["body", "channel"] in locations(channel)
    assert locations(await post(client, lead_id, kind="csat")) == [["body", "score"]]


async def test_a_csat_answer_rates_an_activity_of_the_same_lead_only(
    client: httpx.AsyncClient, store: Store, workflow: Configuration
) -> None:
    lead_id = await new_lead(client)
    other_id = await new_lead(client, phone="+49 151 99999999", email="other@example.org")
    call = await post(client, lead_id, kind="call", outcome="answered")
    call_id = call.json()["id"]
    elsewhere = await post(client, other_id, kind="csat", score=5, rates_activity_id=call_id)
    assert locations(elsewhere) == [["body", "rates_activity_id"]]
    rated = await post(
        client, lead_id, kind="csat", score=4, comment="Kind staff", rates_activity_id=call_id
    )
    assert rated.status_code == 201, rated.text
    answer = next(a for a in await store.leads.activities_of(lead_id) if a.kind == "csat")
    assert (answer.score, answer.rates_activity_id, answer.detail["comment"]) == (
        4,
        call_id,
        "Kind staff",
    )


async def test_an_inbound_message_fires_message_received(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    tell_owner = {
        "key": "whatsapp-reply",
        "trigger": {"event": "message_received", "channel": "whatsapp"},
        "do": [{"do": "notify", "who": "owner", "message": "The patient wrote back"}],
    }
    await activate(store, workflow_organisation(automations=[tell_owner]))
    lead_id = await new_lead(client)
    owner = (await fresh(store, lead_id)).owner_agent_key
    await post(client, lead_id, kind="message", channel="whatsapp", direction="outbound")
    assert not [m for m in await store.outbox.listing() if m.topic == "workflow.notify"]
    await post(client, lead_id, kind="message", channel="whatsapp", direction="inbound")
    told = [m for m in await store.outbox.listing() if m.topic == "workflow.notify"]
    assert [(m.channel, m.recipient, m.payload["message"]) for m in told] == [
        ("sse", owner, "The patient wrote back")
    ]
