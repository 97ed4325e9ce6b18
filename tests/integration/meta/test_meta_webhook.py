"""Meta Lead Ads end to end: Meta's handshake and signed notifications at the webhook, the lead
fetched from a local Graph API by the processing job, once per leadgen_id however Meta delivers."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from leadflow.services.channels.setup import connectors, events
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.fakes.graph import FakeGraph, Injected, notification
from tests.integration.conftest import Clock
from tests.integration.meta.conftest import (
    HOOK,
    VERIFY_TOKEN,
    deliver,
    run_job,
    vault,
)

pytestmark = pytest.mark.usefixtures("meta")


def _lead(graph: FakeGraph, clock: Clock, leadgen_id: str, **answers: str) -> dict[str, object]:
    return graph.add_lead(
        leadgen_id,
        form_id="700",
        created=clock.now - timedelta(minutes=5),
        answers=answers or {"full_name": "Lena Vogel", "email": f"{leadgen_id}@example.de"},
    )


async def _statuses(store: Store) -> dict[str, str]:
    await store.rollback()  # see what the job committed
    return {e.vendor_id: e.status for e in await events.listing(store)}


async def test_handshake_with_our_verify_token_echoes_the_challenge(
    client: httpx.AsyncClient,
) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "8213"}
    answer = await client.get(HOOK, params=query)
    assert answer.status_code == 200
    assert answer.text == "8213"


async def test_handshake_with_another_token_is_refused(client: httpx.AsyncClient) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "8213"}
    answer = await client.get(HOOK, params=query)
    assert answer.status_code == 403
    assert "8213" not in answer.text


async def test_an_unknown_connector_is_not_found(client: httpx.AsyncClient) -> None:
    answer = await client.get("/hooks/meta/nobody", params={"hub.mode": "subscribe"})
    assert answer.status_code == 404


async def test_a_signed_notification_is_stored_before_it_is_acknowledged(
    client: httpx.AsyncClient, graph: FakeGraph, clock: Clock, store: Store
) -> None:
    body = notification(_lead(graph, clock, "9001"), _lead(graph, clock, "9002"))
    answer = await deliver(client, body)
    assert answer.status_code == 200
    assert answer.json() == {"received": 2, "repeated": 0}
    assert await _statuses(store) == {"9001": "received", "9002": "received"}
    assert graph.requests == []  # the lead is fetched by the job, not while Meta waits


@pytest.mark.parametrize(
    "signed_with", [None, "another-apps-secret"], ids=["missing", "wrong secret"]
)
async def test_a_bad_or_missing_signature_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, graph: FakeGraph, clock: Clock, store: Store, signed_with: str | None
) -> None:
    body = notification(_lead(graph, clock, "9001"))
    if signed_with is None:
        answer = await client.post(HOOK, content=body)
    else:
        answer = await deliver(client, body, secret=signed_with)
    assert answer.status_code == 403
    assert await _statuses(store) == {}


async def test_a_signature_of_another_body_is_refused(
    client: httpx.AsyncClient, graph: FakeGraph, clock: Clock, store: Store
) -> None:
    signed_body = notification(_lead(graph, clock, "9001"))
    from leadflow.connectors.meta.webhook import SIGNATURE_HEADER, signature

    header = signature(signed_body, "app-secret-0123456789")
    tampered = signed_body.replace(b"9001", b"9009")
    answer = await client.post(HOOK, content=tampered, headers={SIGNATURE_HEADER: header})
    assert answer.status_code == 403
    assert await _statuses(store) == {}


async def test_a_signed_body_that_is_no_notification_names_what_is_wrong(
    client: httpx.AsyncClient,
) -> None:
    answer = await deliver(client, b'{"object":"page","entry":[{"changes":[{"field":"leadgen"}]}]}')
    assert answer.status_code == 400
    assert "entry[0].changes[0].value" in answer.text


async def test_a_replayed_notification_makes_one_lead(
    client: httpx.AsyncClient,
    graph: FakeGraph,
    clock: Clock,
    store: Store,
    bound: Database,
    live: LiveOrganisation,
) -> None:
    body = notification(_lead(graph, clock, "9001"))
    assert (await deliver(client, body)).json() == {"received": 1, "repeated": 0}
    assert (await deliver(client, body)).json() == {"received": 0, "repeated": 1}
    report = await run_job(bound, clock.now, live)
    assert report.processed == 1
    assert (await deliver(client, body)).json() == {"received": 0, "repeated": 1}
    assert (await run_job(bound, clock.now, live)).processed == 0
    assert graph.lead_fetches("9001") == 1
    lead = await store.leads.by_external_id("meta_lead_ads", "9001")
    assert lead is not None
    assert await store.leads.count() == 1


async def test_out_of_order_and_repeated_deliveries_make_one_lead_each(
    client: httpx.AsyncClient,
    graph: FakeGraph,
    clock: Clock,
    store: Store,
    bound: Database,
    live: LiveOrganisation,
) -> None:
    first, second, third = (_lead(graph, clock, n) for n in ("9001", "9002", "9003"))
    await deliver(client, notification(third))
    await deliver(client, notification(second, first))
    await run_job(bound, clock.now, live)
    await deliver(client, notification(first, third))
    await deliver(client, notification(second))
    await run_job(bound, clock.now + timedelta(minutes=1), live)
    for leadgen_id in ("9001", "9002", "9003"):
        assert await store.leads.by_external_id("meta_lead_ads", leadgen_id) is not None
    assert await store.leads.count() == 3
    assert set((await _statuses(store)).values()) == {"processed"}


async def test_the_lead_keeps_its_answers_and_attribution(
    client: httpx.AsyncClient,
    graph: FakeGraph,
    clock: Clock,
    store: Store,
    bound: Database,
    live: LiveOrganisation,
) -> None:
    _lead(graph, clock, "9001", full_name="Lena Vogel", phone_number="+49 151 23456789",
          which_treatment="hair_transplant")  # fmt: skip
    await connectors.update(
        store, vault(), "clinic-meta",
        settings={"api_base": graph.api_base, "mappings": {"700": {"which_treatment": "treatment"}},
                  "hints": {"clinic": "koeln"}},
    )  # fmt: skip
    await store.commit()
    await deliver(client, notification(graph.leads["9001"]))
    await run_job(bound, clock.now, live)
    lead = await store.leads.by_external_id("meta_lead_ads", "9001")
    assert lead is not None
    assert (lead.first_name, lead.last_name, lead.phone_e164) == ("Lena", "Vogel", "+4915123456789")
    assert lead.treatment == "hair_transplant"
    assert (lead.campaign_id, lead.adset_id, lead.ad_id) == ("campaign-1", "adset-1", "ad-1")
    assert lead.received_at == clock.now - timedelta(minutes=5)
    assert lead.custom["meta_leadgen_id"] == "9001"
    assert lead.custom["form_id"] == "700"
    assert lead.custom["campaign"] == "campaign-1 name"
    assert lead.custom["connector"] == "clinic-meta"
    assert lead.custom["clinic"] == "koeln"


@pytest.mark.parametrize("code", [4, 17, 613])
async def test_graph_throttling_is_retried_with_backoff_then_the_lead_made(
    client: httpx.AsyncClient,
    graph: FakeGraph,
    clock: Clock,
    store: Store,
    bound: Database,
    live: LiveOrganisation,
    code: int,
) -> None:
    await deliver(client, notification(_lead(graph, clock, "9001")))
    graph.fail(Injected(code), Injected(code))
    assert (await run_job(bound, clock.now, live)).retrying == 1
    assert (await run_job(bound, clock.now + timedelta(seconds=5), live)).retrying == 0  # not due
    assert (await run_job(bound, clock.now + timedelta(seconds=31), live)).retrying == 1
    [event] = await events.listing(store)
    assert event.status == "retrying"
    assert f"Graph error {code}" in (event.last_error or "")
    assert event.next_attempt_at == clock.now + timedelta(seconds=31 + 60)
    assert (await run_job(bound, clock.now + timedelta(minutes=2), live)).processed == 1
    assert await store.leads.by_external_id("meta_lead_ads", "9001") is not None
    assert graph.lead_fetches("9001") == 3


async def test_leadgen_throttling_waits_as_long_as_graph_says(
    client: httpx.AsyncClient,
    graph: FakeGraph,
    clock: Clock,
    store: Store,
    bound: Database,
    live: LiveOrganisation,
) -> None:
    await deliver(client, notification(_lead(graph, clock, "9001")))
    graph.fail(Injected(80005))
    await run_job(bound, clock.now, live)
    await store.rollback()
    [event] = await events.listing(store)
    assert event.next_attempt_at == clock.now + timedelta(minutes=1)  # not the 30 s backoff


async def test_a_lead_graph_does_not_know_is_dead_with_graphs_reason(
    client: httpx.AsyncClient, store: Store, bound: Database, clock: Clock, live: LiveOrganisation
) -> None:
    body = notification({"id": "404", "created_time": "2026-05-12T07:00:00+0000"})
    await deliver(client, body)
    assert (await run_job(bound, clock.now, live)).dead == 1
    [event] = await events.listing(store, status="dead")
    assert "Graph error 100/33" in (event.last_error or "")
    assert await store.leads.count() == 0


async def test_the_admins_test_event_makes_a_test_lead_without_asking_graph(
    graph: FakeGraph, clock: Clock, store: Store, live: LiveOrganisation
) -> None:
    from leadflow.services.channels.setup import testing
    from leadflow.services.channels.vendors import REGISTRY

    event_id = await testing.receive_test_event(store, REGISTRY, vault(), "clinic-meta", clock.now)
    tested = await testing.process_test_event(
        store, REGISTRY, vault(), event_id, live=live, threshold=0.5, now=clock.now
    )
    assert tested.status == "processed"
    assert tested.lead is not None
    assert tested.lead.custom["is_test"] is True
    assert tested.lead.email == "test@example.com"
    assert graph.requests == []
