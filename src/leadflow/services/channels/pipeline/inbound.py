"""Receipt: what a webhook stores before it answers the vendor. Fast, and nothing else: the items
as they came, once each (a repeated delivery is a no-op), and a wake-up for the processing
worker at commit. The caller (the webhook) commits, then acknowledges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from leadflow.connectors.inbound import Receipt
from leadflow.services.channels.pipeline.processors import Channel
from leadflow.storage.repositories.channels.channels import INBOUND_CHANNEL, NewEvent
from leadflow.storage.store import Store

WAKE_CHANNEL = INBOUND_CHANNEL
"""What a worker LISTENs on to process events as soon as they are stored."""


@dataclass(frozen=True)
class Received:
    stored: list[int]
    """The ids of the events stored now."""
    repeated: int
    """Items stored before (repeated deliveries), not stored again."""


async def receive(
    store: Store, connector: Channel, receipts: Sequence[Receipt], now: datetime
) -> Received:
    """Store a delivery's items for `connector` (idempotent on connector, kind and vendor id).
    The caller commits; the processing job is woken at commit."""
    unique = {(receipt.kind, receipt.vendor_id): receipt for receipt in receipts}
    stored = await store.channels.add_events(
        connector.key,
        [
            NewEvent(receipt.vendor_id, receipt.kind, receipt.payload, receipt.occurred_at)
            for receipt in unique.values()
        ],
        now,
    )
    return Received(stored, len(receipts) - len(stored))
