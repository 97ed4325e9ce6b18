"""The Google Ads lead form webhook: key checked, stored before the 200, one lead per lead_id,
test leads kept out of routing, answers mapped by the connector's mapping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from leadflow.connectors import google_ads
from leadflow.domain.configuration import Configuration
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests import factories
from tests.integration.channels.conftest import GOOGLE_KEY, process_all
from tests.integration.conftest import Clock, activate

URL = "/hooks/google-ads/clinic-google"
pytestmark = pytest.mark.usefixtures("google_connector")


def delivery(lead_id: str = "lead-0001", **overrides: Any) -> dict[str, Any]:
    body = google_ads.sample(lead_id=lead_id, google_key=GOOGLE_KEY, is_test=False)
    body["user_column_data"] = [
        {"column_name": "Full Name", "string_value": "Lena Vogel", "column_id": "FULL_NAME"},
        {"column_name": "Email", "string_value": "lena@example.org", "column_id": "EMAIL"},
        {"column_name": "Phone", "string_value": "+49 151 23456789", "column_id": "PHONE_NUMBER"},
        {"column_name": "Country", "string_value": "Germany", "column_id": "COUNTRY"},
        {"column_name": "City", "string_value": "Köln", "column_id": "CITY"},
    ]
    return {**body, **overrides}


async def test_a_lead_is_stored_before_the_answer_and_becomes_a_routed_lead(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    org: Configuration,
) -> None:  # fmt: skip
    answer = await client.post(URL, json=delivery())
    assert answer.status_code == 200
    [event] = await store.channels.events()
    assert (event.kind, event.vendor_id, event.status) == ("lead", "lead-0001", "received")
    assert "google_key" not in event.payload

    report = await process_all(bound, vault, clock.now)

    assert report.processed == 1
    await store.refresh(event)
    assert event.status == "processed"
    lead = await store.leads.get(event.lead_id)
    assert lead is not None
    assert (lead.source, lead.external_id) == ("google_ads", "lead-0001")
    assert (lead.first_name, lead.last_name, lead.phone_e164) == ("Lena", "Vogel", "+4915123456789")
    assert (lead.country, lead.gclid, lead.campaign_id) == ("DE", "TeSter-gclid-123", "20000000001")
    assert (lead.adset_id, lead.ad_id) == ("30000000001", "50000000001")
    assert lead.custom["city"] == "Köln"
    assert lead.custom["channel"] == "google_ads"
    assert lead.custom["campaign"] == "spring"
    assert lead.custom["form_id"] == "40000000001"
    assert lead.routing_status == "assigned"


async def test_a_wrong_key_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, store: Store
) -> None:
    answer = await client.post(URL, json=delivery(google_key="not-the-key"))
    assert answer.status_code == 403
    assert await store.channels.events() == []


async def test_a_refusal_is_logged_without_the_body_or_any_key(client: httpx.AsyncClient) -> None:
    with capture_logs() as logs:
        await client.post(URL, json=delivery(google_key="attacker-guess-123"))
    [refused] = [entry for entry in logs if entry["event"] == "webhook refused"]
    assert (refused["connector"], refused["why"]) == ("clinic-google", "google_key wrong")
    logged = repr(logs)
    assert "attacker-guess-123" not in logged
    assert GOOGLE_KEY not in logged
    assert "Lena" not in logged


async def test_a_missing_key_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, store: Store
) -> None:
    body = delivery()
    del body["google_key"]
    answer = await client.post(URL, json=body)
    assert answer.status_code == 403
    assert "google_key" in answer.json()["detail"]
    assert await store.channels.events() == []


async def test_a_lead_delivered_twice_is_one_event_and_one_lead(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    org: Configuration,
) -> None:  # fmt: skip
    assert (await client.post(URL, json=delivery("lead-twice"))).status_code == 200
    await process_all(bound, vault, clock.now)
    assert (await client.post(URL, json=delivery("lead-twice"))).status_code == 200
    await process_all(bound, vault, clock.now)

    assert len(await store.channels.events()) == 1
    lead = await store.leads.by_external_id("google_ads", "lead-twice")
    assert lead is not None
    assert len(await store.leads.of_contact(lead.contact_id)) == 1


async def test_a_test_lead_is_marked_and_routed_to_nobody(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    org: Configuration,
) -> None:  # fmt: skip
    await client.post(URL, json=delivery("TeSter-123", is_test=True))
    await process_all(bound, vault, clock.now)

    [event] = await store.channels.events()
    lead = await store.leads.get(event.lead_id)
    assert lead is not None
    assert lead.custom["is_test"] is True
    assert (lead.routing_status, lead.owner_agent_key) == ("test", None)
    assert await store.roster.assignments_of(lead.id) == []


async def test_a_test_lead_is_left_out_of_the_dashboards(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    org: Configuration,
) -> None:  # fmt: skip
    await client.post(URL, json=delivery("TeSter-123", is_test=True))
    await client.post(URL, json=delivery("real-1"))
    await process_all(bound, vault, clock.now)

    totals = await store.dashboards.lead_totals(clock.now - timedelta(hours=1), everything=True)

    assert totals["received"] == 1


async def test_an_unparsable_body_is_refused_naming_the_problem(
    client: httpx.AsyncClient, store: Store
) -> None:
    answer = await client.post(
        URL, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("body: not JSON")
    assert await store.channels.events() == []


async def test_a_delivery_without_lead_id_is_kept_dead_with_its_reason(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    org: Configuration,
) -> None:  # fmt: skip
    body = delivery()
    del body["lead_id"]
    assert (await client.post(URL, json=body)).status_code == 200
    await process_all(bound, vault, clock.now)

    [event] = await store.channels.events()
    assert (event.status, event.last_error) == ("dead", "lead_id: missing")


async def test_an_unknown_connector_is_not_found(client: httpx.AsyncClient) -> None:
    answer = await client.post("/hooks/google-ads/nobody", json=delivery())
    assert answer.status_code == 404


async def test_a_custom_question_mapped_to_a_custom_field_steers_a_routing_rule(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    config = factories.organisation(
        [factories.agent("anna"), factories.agent("ben", team="vip")],
        teams=[
            {"key": "german", "name": "German team"},
            {"key": "vip", "name": "VIP team"},
        ],
    )
    document = config.model_dump(mode="json")
    document["pipelines"][0]["pool"]["members"] = [{"agent": "anna", "weight": 1}]
    document["pipelines"].append(
        {**document["pipelines"][0], "key": "vip", "name": "VIP", "team": "vip",
         "pool": {"strategy": "weighted_ratio", "members": [{"agent": "ben", "weight": 1}]}}
    )  # fmt: skip
    document["rules"] = [
        {"key": "vip", "pipeline": "vip", "priority": 10,
         "when": {"field": "custom.procedure", "op": "equals", "value": "FUE"}},
        {"key": "everything", "pipeline": "hair-de", "priority": 100},
    ]  # fmt: skip
    await activate(store, Configuration.model_validate(document))
    await connectors.update(
        store,
        vault,
        "clinic-google",
        settings={"mappings": {"40000000001": {"QUESTION_1": "custom.procedure"}}},
    )
    await store.commit()
    body = delivery("lead-vip")
    body["user_column_data"].append(
        {"column_name": "Which procedure?", "string_value": "FUE", "column_id": "QUESTION_1"}
    )

    await client.post(URL, json=body)
    await process_all(bound, vault, clock.now)

    lead = await store.leads.by_external_id("google_ads", "lead-vip")
    assert lead is not None
    assert lead.custom["procedure"] == "FUE"
    assert (lead.pipeline_key, lead.owner_agent_key) == ("vip", "ben")
