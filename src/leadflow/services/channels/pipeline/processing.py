"""Processing stored inbound events: the due events a batch per transaction, claimed with SKIP
LOCKED (workers share the backlog), each given to the processor registered for its connector's
kind, and what that yields handed on (leads together to intake's batch path, a message or call
to the workflow). The vendor calls of a batch are made at once, over the run's one HTTP client.
A fault fails its own event only (a savepoint each); a batch that fails as a whole is processed
again event by event, each in a transaction of its own.

Vendor down or rate-limited (`Retry`), or a fault in our code: retried with exponential backoff,
then dead. `Invalid`: dead at once with its reason. Dead events are replayed by an admin."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog

from leadflow.connectors.inbound import Ignored, Invalid, Item, Retry
from leadflow.services.channels.pipeline.backoff import BACKOFF, Backoff
from leadflow.services.channels.pipeline.processors import (
    Channel,
    Event,
    Fetching,
    Handled,
    Processing,
    Registry,
)
from leadflow.services.channels.pipeline.secrets import UnreadableSecrets, Vault
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
    skipped: int = 0
    """Events of a failed batch that another worker processed meanwhile."""


WAITING = ("received", "retrying")


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


def settlement(
    row: InboundEvent, result: Result, now: datetime, backoff: Backoff = BACKOFF
) -> tuple[str, dict[str, Any]]:
    """What becomes of an event after `result`: its new status, and every column settled."""
    attempts = row.attempts + 1
    values: dict[str, Any] = {
        "attempts": attempts, "processed_at": row.processed_at, "lead_id": row.lead_id,
        "activity_id": row.activity_id, "next_attempt_at": row.next_attempt_at,
    }  # fmt: skip
    if isinstance(result, Handled):
        values.update(processed_at=now, lead_id=result.lead_id, activity_id=result.activity_id)
        return "processed", {**values, "status": "processed", "last_error": None}
    if isinstance(result, Ignored):
        values.update(processed_at=now)
        return "ignored", {**values, "status": "ignored", "last_error": result.reason}
    if isinstance(result, Retry):
        after = backoff.next_attempt(attempts, now, result.after)
        if after is not None:
            values.update(next_attempt_at=after)
            return "retrying", {**values, "status": "retrying", "last_error": result.reason}
        result = Invalid(f"gave up after {attempts} attempts: {result.reason}")
    return "dead", {**values, "status": "dead", "last_error": result.reason}


async def settle(
    store: Store, row: InboundEvent, result: Result, now: datetime, backoff: Backoff = BACKOFF
) -> str:
    """Record what became of an event; its new status."""
    status, values = settlement(row, result, now, backoff)
    await store.channels.mark_event(row.id, **values)
    return status


async def process_due(
    database: Database,
    registry: Registry,
    vault: Vault,
    *,
    live: LiveOrganisation,
    threshold: float,
    clock: Callable[[], datetime],
    limit: int = 500,
    batch: int = 32,
    http: httpx.AsyncClient | None = None,
) -> ProcessReport:
    """Process the events due, a batch per transaction (committed in steps: a lead a vendor
    sent is stored even if a later batch fails), at most `limit` of them. Each batch is claimed
    at `clock()`, so that events stored during the run are taken by it. The vendor calls go over
    `http` (kept alive across batches; a client of the run's own when None)."""
    report = ProcessReport()
    async with contextlib.AsyncExitStack() as stack:
        if http is None:
            http = await stack.enter_async_context(httpx.AsyncClient(timeout=10.0))
        fetching = Fetching(http)
        while limit > 0:
            now = clock()
            async with open_store(database) as store:
                rows = await store.channels.claim_due(now, limit=min(batch, limit))
                if not rows:
                    return report
                ids = [row.id for row in rows]
                try:
                    statuses = await process_batch(
                        store, registry, vault, rows, fetching=fetching, live=live,
                        threshold=threshold, now=now,
                    )  # fmt: skip
                    await store.commit()
                except Exception:
                    await store.rollback()
                    log.exception("inbound batch failed; its events are processed one by one")
                    statuses = None
            if statuses is None:
                statuses = []
                for event_id in ids:
                    async with open_store(database) as store:
                        statuses.append(
                            await _process_alone(
                                store, registry, vault, event_id, live, threshold, now
                            )
                        )
                        await store.commit()
            limit -= len(ids)
            for status in statuses:
                setattr(report, status, getattr(report, status) + 1)
    return report


async def process_batch(
    store: Store,
    registry: Registry,
    vault: Vault,
    rows: Sequence[InboundEvent],
    *,
    fetching: Fetching,
    live: LiveOrganisation,
    threshold: float,
    now: datetime,
) -> list[str]:
    """Process claimed events together; their new statuses, in order. The vendor calls of the
    whole batch are made first, at once; each event is then processed in a savepoint of its
    own (a fault fails its event alone, to be retried); the items of a type with a batch
    handler (leads) are handled together; every event is settled by one statement. The caller
    commits."""
    results: dict[int, Result] = {}
    ready: list[tuple[InboundEvent, Channel, Event]] = []
    channels = {
        key: await channel_for(store, vault, key) for key in {r.connector_key for r in rows}
    }
    for row in rows:
        channel = channels[row.connector_key]
        if isinstance(channel, Channel):
            ready.append((row, channel, event_of(row)))
        else:
            results[row.id] = channel
    fetched = await _fetch(registry, fetching, [(c, e) for _, c, e in ready], now)
    processing = Processing(store=store, live=live, threshold=threshold, now=now, fetched=fetched)
    together: dict[type, list[tuple[int, Channel, Event, Item]]] = {}
    for row, channel, event in ready:
        outcome = await _processed(processing, registry, channel, event)
        if isinstance(outcome, Handled | Retry | Invalid | Ignored):
            results[row.id] = outcome
        else:
            together.setdefault(type(outcome), []).append((row.id, channel, event, outcome))
    for item_type, items in together.items():
        handled = await registry.batch_handlers[item_type](
            processing, [(channel, event, item) for _, channel, event, item in items]
        )
        results.update(
            (event_id, result) for (event_id, *_), result in zip(items, handled, strict=True)
        )
    settled = [settlement(row, results[row.id], now) for row in rows]
    await store.channels.mark_events(
        [{"id": row.id, **values} for row, (_, values) in zip(rows, settled, strict=True)]
    )
    return [status for status, _ in settled]


async def _fetch(
    registry: Registry, fetching: Fetching, batch: Sequence[tuple[Channel, Event]], now: datetime
) -> dict[int, object]:
    groups: dict[tuple[str, str], list[tuple[Channel, Event]]] = {}
    for channel, event in batch:
        groups.setdefault((channel.kind, event.kind), []).append((channel, event))
    fetched: dict[int, object] = {}
    for kinds, group in groups.items():
        fetcher = registry.fetchers.get(kinds)
        if fetcher is not None:
            fetched.update(await fetcher(fetching, group, now))
    return fetched


async def _processed(
    processing: Processing, registry: Registry, channel: Channel, event: Event
) -> Result | Item:
    """The event's result, or the item its processor yielded when a batch handler takes that
    type. In a savepoint: a fault undoes this event's work alone and retries it."""
    try:
        async with processing.store.savepoint():
            processor = registry.processor_for(channel.kind, event.kind)
            if processor is None:
                return Invalid(f"no processor for {event.kind} events of {channel.kind} connectors")
            outcome = await processor(processing, channel, event)
            if isinstance(outcome, Retry | Invalid | Ignored):
                return outcome
            if type(outcome) in registry.batch_handlers:
                return outcome
            return await handle(processing, registry, channel, event, outcome)
    except Exception as fault:
        log.exception("inbound event failed", event_id=event.id, connector=channel.key)
        return Retry(f"{type(fault).__name__}: {fault}")


async def _process_alone(
    store: Store,
    registry: Registry,
    vault: Vault,
    event_id: int,
    live: LiveOrganisation,
    threshold: float,
    now: datetime,
) -> str:
    """One event of a failed batch, settled (unless another worker took it meanwhile). The
    caller commits: a transaction of its own."""
    row = await store.channels.claim(event_id)
    if row is None or row.status not in WAITING or row.next_attempt_at > now:
        return "skipped"
    try:
        result = await process_row(
            store, registry, vault, row, live=live, threshold=threshold, now=now
        )
        return await settle(store, row, result, now)
    except Exception as fault:
        await store.rollback()
        log.exception("inbound event failed", event_id=event_id)
        return await _record_fault(store, event_id, fault, now)


async def channel_for(store: Store, vault: Vault, key: str) -> Channel | Invalid | Retry:
    """The connector `key` as processing sees it, or why its events cannot be processed now."""
    connector = await store.channels.connector(key)
    if connector is None:
        return Invalid(f"connector {key!r} no longer exists")
    if not connector.enabled:
        return Retry(f"connector {key!r} is disabled", after=timedelta(hours=1))
    try:
        return channel_of(connector, vault)
    except UnreadableSecrets as unreadable:
        return Invalid(str(unreadable))


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
    channel = await channel_for(store, vault, row.connector_key)
    if not isinstance(channel, Channel):
        return channel
    processing = Processing(store=store, live=live, threshold=threshold, now=now)
    return await process(processing, registry, channel, event_of(row))


async def _record_fault(store: Store, event_id: int, fault: Exception, now: datetime) -> str:
    row = await store.channels.claim(event_id)
    assert row is not None
    return await settle(store, row, Retry(f"{type(fault).__name__}: {fault}"), now)
