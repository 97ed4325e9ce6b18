"""What processing an inbound event needs, and the registry of who processes what.

A processor is registered per (connector kind, event kind): it reads one stored event and says
what it is (`leadflow.connectors.inbound.Outcome`), calling its vendor's API when the delivery
carried ids only. An item it yields (`LeadIn`, `MessageIn`, `CallIn`, `StatusIn`) then goes to
the handler registered for the item's type: `LeadIn` to `leads.deliver_lead` (intake); the
others to the WhatsApp and telephony handlers. The registry itself is built in `vendors.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from leadflow.connectors.inbound import Ignored, Invalid, Item, Outcome, Receipt, Retry
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.store import Store


@dataclass(frozen=True)
class Channel:
    """A connector as processing sees it: its secrets decrypted."""

    key: str
    kind: str
    name: str
    enabled: bool
    settings: dict[str, Any]
    secrets: dict[str, str]

    @property
    def api_base(self) -> str | None:
        """The vendor API's base URL when set (tests point it at a local fake)."""
        base = self.settings.get("api_base")
        return str(base) if base else None


@dataclass(frozen=True)
class Event:
    """One stored inbound event."""

    id: int
    connector_key: str
    kind: str
    vendor_id: str
    payload: dict[str, Any]
    received_at: datetime
    occurred_at: datetime | None
    attempts: int


@dataclass(frozen=True)
class Processing:
    """The unit of work an event is processed in (the caller commits) and its `now`."""

    store: Store
    live: LiveOrganisation
    threshold: float
    """Language detection's confidence threshold (settings.language_confidence)."""
    now: datetime
    fetched: Mapping[int, object] = field(default_factory=dict)
    """What the vendor answered beforehand for events of the batch, by event id (a fetcher's
    results; an event absent here is fetched by its processor alone)."""


@dataclass
class Fetching:
    """What the vendor calls of one processing run share: one HTTP client (its connections kept
    alive), at most `concurrency` calls at once, and the connectors a vendor throttled, which
    are not called again before the time it gave."""

    http: httpx.AsyncClient
    concurrency: int = 8
    paused: dict[str, tuple[datetime, str]] = field(default_factory=dict)

    def pause(self, key: str, until: datetime, reason: str) -> None:
        held = self.paused.get(key)
        if held is None or held[0] < until:
            self.paused[key] = (until, reason)

    def pause_of(self, key: str, now: datetime) -> tuple[timedelta, str] | None:
        """How long connector `key` is still paused, and why (None: it is not)."""
        held = self.paused.get(key)
        if held is None or held[0] <= now:
            return None
        return held[0] - now, held[1]


@dataclass(frozen=True)
class Handled:
    """An item done: the lead and activity it made or joined, and what happened, in words."""

    lead_id: int | None = None
    activity_id: int | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    """What the admin's test event shows (e.g. the routing decision)."""


Processor = Callable[[Processing, Channel, Event], Awaitable[Outcome]]
Sample = Callable[[Channel, datetime], Receipt]
"""A vendor delivery's item as the vendor's own test tool makes one (the admin's test event)."""
HandlerResult = Handled | Retry | Invalid | Ignored
Handler = Callable[[Processing, Channel, Event, Any], Awaitable[HandlerResult]]
"""Handles an item (`LeadIn`, `MessageIn`, `CallIn`, `StatusIn`) of a processed event."""
BatchHandler = Callable[
    [Processing, Sequence[tuple[Channel, Event, Any]]], Awaitable[list[HandlerResult]]
]
"""Handles the items of one type a batch of events yielded, together (one result each, in
order): leads go to intake's batch path."""
Fetcher = Callable[
    [Fetching, Sequence[tuple[Channel, Event]], datetime], Awaitable[dict[int, object]]
]
"""Calls the vendor for a batch's events at once, before they are processed; what it answered
per event id (`Processing.fetched`). No store: it runs while nothing else does."""


@dataclass
class Registry:
    processors: dict[tuple[str, str], Processor] = field(default_factory=dict)
    handlers: dict[type, Handler] = field(default_factory=dict)
    samples: dict[str, Sample] = field(default_factory=dict)
    batch_handlers: dict[type, BatchHandler] = field(default_factory=dict)
    fetchers: dict[tuple[str, str], Fetcher] = field(default_factory=dict)

    def processor(self, connector_kind: str, event_kind: str, processor: Processor) -> None:
        self.processors[(connector_kind, event_kind)] = processor

    def handler(self, item_type: type, handler: Handler) -> None:
        self.handlers[item_type] = handler

    def sample(self, connector_kind: str, sample: Sample) -> None:
        self.samples[connector_kind] = sample

    def batch_handler(self, item_type: type, handler: BatchHandler) -> None:
        self.batch_handlers[item_type] = handler

    def fetcher(self, connector_kind: str, event_kind: str, fetcher: Fetcher) -> None:
        self.fetchers[(connector_kind, event_kind)] = fetcher

    def processor_for(self, connector_kind: str, event_kind: str) -> Processor | None:
        return self.processors.get((connector_kind, event_kind))

    def handler_for(self, item: Item) -> Handler | None:
        return self.handlers.get(type(item))
