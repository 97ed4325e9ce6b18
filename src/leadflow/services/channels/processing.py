"""Processing stored inbound events: each due event in a transaction of its own, claimed with
SKIP LOCKED (workers share the backlog), given to the processor registered for its connector's
kind, and what that yields handed on (a lead to intake, a message or call to the workflow).

Vendor down or rate-limited (`Retry`), or a fault in our code: retried with exponential backoff,
then dead. `Invalid`: dead at once with its reason. Dead events are replayed by an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from leadflow.connectors.inbound import Ignored, Invalid, Item, Retry
from leadflow.services.channels.backoff import BACKOFF, Backoff
from leadflow.services.channels.processors import (
    Channel,
    Event,
    Handled,
    Processing,
    Registry,
)
from leadflow.services.channels.secrets import UnreadableSecrets, Vault
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.storage.tables import Connector, InboundEvent

log = structlog.get_logger(__name__)

Result = Handled | Retry | Invalid | Ignored


@dataclass
class ProcessReport:
    processed: int = 0
    retrying: int = 0
    dead: int = 0
    ignored: int = 0


def channel_of(connector: Connector, vault: Vault) -> Channel:
    return Channel(
        key=connector.key,
        kind=connector.kind,
        name=connector.name,
        enabled=connector.enabled,
        settings=dict(connector.settings),
        secrets=vault.open(connector.secrets),
    )


def event_of(row: InboundEvent) -> Event:
    return Event(
        id=row.id,
        connector_key=row.connector_key,
        kind=row.kind,
        vendor_id=row.vendor_id,
        payload=dict(row.payload),
        received_at=row.received_at,
        occurred_at=row.occurred_at,
        attempts=row.attempts,
    )


async def process(
    processing: Processing, registry: Registry, channel: Channel, event: Event
) -> Result:
    """What becomes of one event: its processor's outcome, and an item's handling."""
    processor = registry.processor_for(channel.kind, event.kind)
    if processor is None:
        return Invalid(f"no processor for {event.kind} events of {channel.kind} connectors")
    outcome = await processor(processing, channel, event)
    if isinstance(outcome, Retry | Invalid | Ignored):
        return outcome
    return await handle(processing, registry, channel, event, outcome)


async def handle(
    processing: Processing, registry: Registry, channel: Channel, event: Event, item: Item
) -> Result:
    handler = registry.handler_for(item)
    if handler is None:
        return Invalid(f"nothing handles {type(item).__name__} yet")
    return await handler(processing, channel, event, item)


async def settle(
    store: Store, row: InboundEvent, result: Result, now: datetime, backoff: Backoff = BACKOFF
) -> str:
    """Record what became of an event; its new status."""
    attempts = row.attempts + 1
    if isinstance(result, Handled):
        values = {
            "status": "processed", "lead_id": result.lead_id,
            "activity_id": result.activity_id, "last_error": None,
        }  # fmt: skip
        await store.channels.mark_event(row.id, attempts=attempts, processed_at=now, **values)
        return "processed"
    if isinstance(result, Ignored):
        await store.channels.mark_event(
            row.id, attempts=attempts, status="ignored", processed_at=now, last_error=result.reason
        )
        return "ignored"
    if isinstance(result, Retry):
        after = backoff.next_attempt(attempts, now, result.after)
        if after is not None:
            await store.channels.mark_event(
                row.id, attempts=attempts, status="retrying", next_attempt_at=after,
                last_error=result.reason,
            )  # fmt: skip
            return "retrying"
        result = Invalid(f"gave up after {attempts} attempts: {result.reason}")
    await store.channels.mark_event(
        row.id, attempts=attempts, status="dead", last_error=result.reason
    )
    return "dead"


async def process_due(
    database: Database,
    registry: Registry,
    vault: Vault,
    *,
    live: LiveOrganisation,
    threshold: float,
    now: datetime,
    limit: int = 500,
) -> ProcessReport:
    """Process the events due by `now`, one transaction each (committed in steps: a lead a
    vendor sent is stored even if the next one fails), at most `limit` of them."""
    report = ProcessReport()
    for _ in range(limit):
        async with open_store(database) as store:
            claimed = await store.channels.claim_due(now, limit=1)
            if not claimed:
                return report
            row = claimed[0]
            event_id, connector_key = row.id, row.connector_key
            try:
                status = await _process_row(store, registry, vault, row, live, threshold, now)
            except Exception as fault:
                await store.rollback()
                log.exception("inbound event failed", event_id=event_id, connector=connector_key)
                status = await _record_fault(store, event_id, fault, now)
            await store.commit()
        setattr(report, status, getattr(report, status) + 1)
    return report


async def _process_row(
    store: Store,
    registry: Registry,
    vault: Vault,
    row: InboundEvent,
    live: LiveOrganisation,
    threshold: float,
    now: datetime,
) -> str:
    result = await process_row(store, registry, vault, row, live=live, threshold=threshold, now=now)
    return await settle(store, row, result, now)


async def process_row(
    store: Store,
    registry: Registry,
    vault: Vault,
    row: InboundEvent,
    *,
    live: LiveOrganisation,
    threshold: float,
    now: datetime,
) -> Result:
    """Process one claimed event (not settled: the caller records the result)."""
    connector = await store.channels.connector(row.connector_key)
    if connector is None:
        return Invalid(f"connector {row.connector_key!r} no longer exists")
    if not connector.enabled:
        return Retry(f"connector {row.connector_key!r} is disabled", after=timedelta(hours=1))
    try:
        channel = channel_of(connector, vault)
    except UnreadableSecrets as unreadable:
        return Invalid(str(unreadable))
    processing = Processing(store=store, live=live, threshold=threshold, now=now)
    return await process(processing, registry, channel, event_of(row))


async def _record_fault(store: Store, event_id: int, fault: Exception, now: datetime) -> str:
    row = await store.channels.claim(event_id)
    assert row is not None
    return await settle(store, row, Retry(f"{type(fault).__name__}: {fault}"), now)
