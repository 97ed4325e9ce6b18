"""The admin's "send a test event": a sample of the connector's vendor delivery goes through
the real receipt and processing, at once. Its lead is stored marked as a test (custom.is_test)
and routed to nobody; what routing would decide for it now is shown beside it (simulated:
nothing of the roster moves)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from leadflow.connectors.inbound import LeadIn
from leadflow.routing.decision import Decision
from leadflow.services.assignment import simulation
from leadflow.services.channels.pipeline import inbound, leads, processing
from leadflow.services.channels.pipeline.processors import (
    Channel,
    Event,
    Handled,
    HandlerResult,
    Processing,
    Registry,
)
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead


class NoSample(ValueError):
    pass


@dataclass(frozen=True)
class TestEvent:
    event_id: int
    vendor_id: str
    status: str
    note: str
    """What became of it, in words (the handler's note, or the reason it failed)."""
    lead: Lead | None
    decision: Decision | None
    """Where routing would send this lead now (None: no lead, or it cannot be routed)."""


async def receive_test_event(
    store: Store, registry: Registry, vault: Vault, key: str, now: datetime
) -> int:
    """Store a sample delivery for connector `key`; its event id. The caller commits."""
    channel = await _channel(store, vault, key)
    sample = registry.samples.get(channel.kind)
    if sample is None:
        raise NoSample(f"{channel.kind} connectors have no test event yet")
    receipt = sample(channel, now)
    received = await inbound.receive(store, channel, [receipt], now)
    if not received.stored:
        found = await store.channels.event_by_vendor_id(key, receipt.kind, receipt.vendor_id)
        assert found is not None
        return found.id
    return received.stored[0]


async def process_test_event(
    store: Store,
    registry: Registry,
    vault: Vault,
    event_id: int,
    *,
    live: LiveOrganisation,
    threshold: float,
    now: datetime,
) -> TestEvent:
    """Process the test event now (whatever its turn), as the job would; its lead is a test
    lead whatever the vendor's sample said. The caller commits."""
    row = await store.channels.claim(event_id)
    assert row is not None
    result = await processing.process_row(
        store, _as_tests(registry), vault, row, live=live, threshold=threshold, now=now
    )
    status = await processing.settle(store, row, result, now)
    lead, decision = None, None
    if isinstance(result, Handled) and result.lead_id is not None:
        lead = await store.leads.get(result.lead_id)
    if isinstance(result, Handled) and "submission" in result.detail:
        decision = await simulation.simulate_lead(
            store, live, result.detail["submission"], at=now, draft=None, threshold=threshold
        )
    note = result.note if isinstance(result, Handled) else result.reason
    return TestEvent(event_id, row.vendor_id, status, note, lead, decision)


def _as_tests(registry: Registry) -> Registry:
    async def test_lead(
        processing: Processing, channel: Channel, event: Event, lead: LeadIn
    ) -> HandlerResult:
        return await leads.deliver_lead(processing, channel, event, replace(lead, is_test=True))

    tests = Registry(dict(registry.processors), dict(registry.handlers), dict(registry.samples))
    tests.handler(LeadIn, test_lead)
    return tests


async def _channel(store: Store, vault: Vault, key: str) -> Channel:
    found = await connectors.channel(store, vault, key)
    if found is None:
        raise connectors.ConnectorError("key", f"no connector {key!r}")
    return found
