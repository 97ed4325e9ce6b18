"""The admin's view of inbound events: listing, replay of dead ones, each connector's health.
The caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from leadflow.services.channels.setup import connectors
from leadflow.storage.store import Store
from leadflow.storage.tables import InboundEvent

STATUSES = ("received", "processed", "retrying", "dead", "ignored")
HEALTH_WINDOW = timedelta(hours=24)


async def forget_payloads(
    store: Store, *, keep: timedelta, now: datetime, limit: int = 5000
) -> int:
    """Blank the raw payloads (the vendor's delivery: personal data) of events processed or
    ignored and received longer than `keep` ago, at most `limit` a call; how many. Dead and
    waiting events keep theirs: a replay needs it. What the events made (leads, activities)
    stays. The caller commits."""
    return await store.channels.blank_payloads(now - keep, limit)


class NotReplayable(ValueError):
    pass


async def listing(
    store: Store, *, connector_key: str | None = None, status: str | None = None, limit: int = 100
) -> list[InboundEvent]:
    if status is not None and status not in STATUSES:
        raise ValueError(f"status: one of {', '.join(STATUSES)}")
    return await store.channels.events(connector_key=connector_key, status=status, limit=limit)


async def replay(store: Store, event_id: int, now: datetime) -> InboundEvent:
    """A dead (or retrying) event back to `received`, due now, its attempts counted afresh."""
    row = await store.channels.claim(event_id)
    if row is None:
        raise NotReplayable(f"no inbound event {event_id}")
    if row.status not in ("dead", "retrying"):
        raise NotReplayable(
            f"event {event_id} is {row.status}: only dead or retrying events are replayed"
        )
    await store.channels.mark_event(
        event_id, status="received", attempts=0, next_attempt_at=now, last_error=None
    )
    await store.refresh(row)
    return row


@dataclass(frozen=True)
class Health:
    """One connector's last day: its last event, what became of the day's events, the backlog
    (events waiting: received or retrying) and how long its oldest has waited."""

    key: str
    kind: str
    name: str
    enabled: bool
    last_event_at: datetime | None
    processed: int
    dead: int
    retrying: int
    backlog: int
    oldest_waiting: timedelta | None

    @property
    def state(self) -> str:
        """ok, failing (dead events today), late (a backlog older than 5 minutes), disabled,
        idle (no events yet)."""
        if not self.enabled:
            return "disabled"
        if self.oldest_waiting is not None and self.oldest_waiting > timedelta(minutes=5):
            return "late"
        if self.dead or self.retrying:
            return "failing"
        return "ok" if self.last_event_at else "idle"


async def health(store: Store, now: datetime) -> list[Health]:
    counts = {c.connector_key: c for c in await store.channels.counts(now - HEALTH_WINDOW)}
    found = []
    for connector in await connectors.listing(store):
        c = counts.get(connector.key)
        found.append(
            Health(
                key=connector.key, kind=connector.kind, name=connector.name,
                enabled=connector.enabled,
                last_event_at=c.last_received_at if c else None,
                processed=c.processed if c else 0, dead=c.dead if c else 0,
                retrying=c.retrying if c else 0, backlog=c.backlog if c else 0,
                oldest_waiting=now - c.oldest_waiting_at if c and c.oldest_waiting_at else None,
            )
        )  # fmt: skip
    return found
