"""Processing stored events: retried with backoff when the vendor is down, dead after the last
attempt or at once when invalid, replayed by an admin; a fault in a processor loses nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadflow.connectors.inbound import Invalid, LeadIn, Outcome, Receipt, Retry
from leadflow.domain.configuration import Configuration
from leadflow.services.channels.pipeline import inbound, leads
from leadflow.services.channels.pipeline.backoff import BACKOFF
from leadflow.services.channels.pipeline.processors import Channel, Event, Processing, Registry
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors, events
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.integration.channels.conftest import process_all
from tests.integration.conftest import Clock


class Vendor:
    """A vendor API as a processor sees it: down until it is brought back."""

    def __init__(self) -> None:
        self.down = True
        self.broken = False

    async def process(self, processing: Processing, channel: Channel, event: Event) -> Outcome:
        if self.broken:
            raise RuntimeError("processor bug")
        if self.down:
            return Retry("vendor answered 503")
        if "email" not in event.payload:
            return Invalid("email: missing")
        return LeadIn(
            source="meta_lead_ads",
            external_id=event.vendor_id,
            fields={"first_name": "Omar", "email": event.payload["email"]},
        )

    def registry(self) -> Registry:
        registry = Registry()
        registry.processor("meta", "lead", self.process)
        registry.handler(LeadIn, leads.deliver_lead)
        return registry


@pytest.fixture
def vendor() -> Vendor:
    return Vendor()


async def stored(store: Store, vault: Vault, clock: Clock, **payload: str) -> int:
    await connectors.create(store, vault, key="page", kind="meta", name="Page")
    channel = await connectors.channel(store, vault, "page")
    assert channel is not None
    received = await inbound.receive(
        store, channel, [Receipt("L-1", "lead", dict(payload))], clock.now
    )
    await store.commit()
    [event_id] = received.stored
    return event_id


async def test_a_vendor_that_is_down_is_retried_with_growing_delays(
    store: Store, bound: Database, vault: Vault, clock: Clock, vendor: Vendor
) -> None:
    event_id = await stored(store, vault, clock, email="omar@example.org")

    first = await process_all(bound, vault, clock.now, vendor.registry())
    again_too_soon = await process_all(bound, vault, clock.now, vendor.registry())

    assert (first.retrying, again_too_soon.retrying) == (1, 0)
    event = await store.channels.event(event_id)
    assert event is not None
    await store.refresh(event)
    assert (event.status, event.attempts, event.last_error) == (
        "retrying",
        1,
        "vendor answered 503",
    )
    assert event.next_attempt_at == clock.now + BACKOFF.first
    await process_all(bound, vault, clock.now + BACKOFF.first, vendor.registry())
    await store.refresh(event)
    assert event.next_attempt_at == clock.now + BACKOFF.first + 2 * BACKOFF.first


async def test_the_lead_exists_once_the_vendor_is_back(
    store: Store, bound: Database, vault: Vault, clock: Clock, vendor: Vendor,
    org: Configuration,
) -> None:  # fmt: skip
    event_id = await stored(store, vault, clock, email="omar@example.org")
    await process_all(bound, vault, clock.now, vendor.registry())
    vendor.down = False

    report = await process_all(bound, vault, clock.now + timedelta(minutes=1), vendor.registry())

    assert report.processed == 1
    event = await store.channels.event(event_id)
    assert event is not None
    await store.refresh(event)
    lead = await store.leads.by_external_id("meta_lead_ads", "L-1")
    assert lead is not None
    assert event.lead_id == lead.id


async def test_after_the_last_attempt_the_event_is_dead_and_a_replay_brings_it_back(
    store: Store, bound: Database, vault: Vault, clock: Clock, vendor: Vendor,
    org: Configuration,
) -> None:  # fmt: skip
    event_id = await stored(store, vault, clock, email="omar@example.org")
    now = clock.now
    for _ in range(BACKOFF.attempts):
        await process_all(bound, vault, now, vendor.registry())
        now += BACKOFF.cap
    event = await store.channels.event(event_id)
    assert event is not None
    await store.refresh(event)
    assert event.status == "dead"
    assert event.last_error == f"gave up after {BACKOFF.attempts} attempts: vendor answered 503"

    vendor.down = False
    await events.replay(store, event_id, now)
    await store.commit()
    await process_all(bound, vault, now, vendor.registry())
    await store.refresh(event)
    assert event.status == "processed"


async def test_an_invalid_item_is_dead_at_once_with_its_reason(
    store: Store, bound: Database, vault: Vault, clock: Clock, vendor: Vendor
) -> None:
    vendor.down = False
    event_id = await stored(store, vault, clock, name="no e-mail")

    report = await process_all(bound, vault, clock.now, vendor.registry())

    assert report.dead == 1
    event = await store.channels.event(event_id)
    assert event is not None
    await store.refresh(event)
    assert (event.status, event.last_error, event.attempts) == ("dead", "email: missing", 1)


async def test_a_lead_intake_refuses_is_dead_naming_the_field(
    store: Store, bound: Database, vault: Vault, clock: Clock, vendor: Vendor,
    org: Configuration,
) -> None:  # fmt: skip
    vendor.down = False
    event_id = await stored(store, vault, clock, email="not-an-address")

    await process_all(bound, vault, clock.now, vendor.registry())

    event = await store.channels.event(event_id)
    assert event is not None
    await store.refresh(event)
    assert event.status == "dead"
    assert event.last_error is not None
    assert "email" in event.last_error


async def test_a_fault_in_a_processor_keeps_the_event_for_a_retry(
    store: Store, bound: Database, vault: Vault, clock: Clock, vendor: Vendor
) -> None:
    vendor.broken = True
    event_id = await stored(store, vault, clock, email="omar@example.org")

    report = await process_all(bound, vault, clock.now, vendor.registry())

    assert report.retrying == 1
    event = await store.channels.event(event_id)
    assert event is not None
    await store.refresh(event)
    assert (event.status, event.last_error) == ("retrying", "RuntimeError: processor bug")


async def test_a_processed_event_is_not_replayed(
    store: Store, bound: Database, vault: Vault, clock: Clock, vendor: Vendor,
    org: Configuration,
) -> None:  # fmt: skip
    vendor.down = False
    event_id = await stored(store, vault, clock, email="omar@example.org")
    await process_all(bound, vault, clock.now, vendor.registry())

    with pytest.raises(events.NotReplayable, match="only dead or retrying"):
        await events.replay(store, event_id, clock.now)


async def test_health_counts_the_days_events_and_the_backlog(
    store: Store, bound: Database, vault: Vault, clock: Clock, vendor: Vendor
) -> None:
    await stored(store, vault, clock, email="omar@example.org")
    await process_all(bound, vault, clock.now, vendor.registry())

    [page] = await events.health(store, clock.now + timedelta(minutes=10))

    assert (page.key, page.retrying, page.dead, page.processed, page.backlog) == (
        "page", 1, 0, 0, 1,
    )  # fmt: skip
    assert page.oldest_waiting == timedelta(minutes=10)
    assert page.last_event_at == clock.now
    assert page.state == "late"
