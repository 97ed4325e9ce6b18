"""Connectors and the inbound events their vendors deliver."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import Connector, InboundEvent

DONE = ("processed", "ignored")
"""Events whose processing is over: their raw payload is no longer needed after retention."""
INBOUND_CHANNEL = "leadflow_inbound"
"""NOTIFYed (at commit) when events were stored: a worker LISTENs and defers their processing."""


@dataclass(frozen=True)
class NewEvent:
    vendor_id: str
    kind: str
    payload: dict[str, Any]
    occurred_at: datetime | None


@dataclass(frozen=True)
class EventCounts:
    """One connector's events: the last one, what became of those of a period, the backlog."""

    connector_key: str
    last_received_at: datetime | None
    processed: int
    dead: int
    retrying: int
    backlog: int
    oldest_waiting_at: datetime | None


class ChannelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # connectors

    async def add_connector(self, **values: Any) -> Connector:
        connector = Connector(**values)
        self.session.add(connector)
        await self.session.flush()
        return connector

    async def connector(self, key: str) -> Connector | None:
        statement = select(Connector).where(Connector.key == key)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def connectors(self) -> list[Connector]:
        statement = select(Connector).order_by(Connector.kind, Connector.key)
        return list((await self.session.execute(statement)).scalars())

    async def update_connector(self, key: str, **values: Any) -> None:
        await self.session.execute(
            update(Connector)
            .where(Connector.key == key)
            .values(**values, updated_at=func.now())
            .execution_options(synchronize_session="fetch")
        )

    # events

    async def add_events(
        self, connector_key: str, events: Sequence[NewEvent], now: datetime
    ) -> list[int]:
        """Store events not stored before (one statement); the ids of the new ones. Wakes the
        processing worker at commit when any is new."""
        if not events:
            return []
        rows = [
            {
                "connector_key": connector_key,
                "kind": event.kind,
                "vendor_id": event.vendor_id,
                "payload": event.payload,
                "occurred_at": event.occurred_at,
                "received_at": now,
                "next_attempt_at": now,
            }
            for event in events
        ]
        statement = (
            insert(InboundEvent)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["connector_key", "kind", "vendor_id"])
            .returning(InboundEvent.id)
        )
        ids = list((await self.session.execute(statement)).scalars())
        if ids:
            await self.session.execute(text(f"NOTIFY {INBOUND_CHANNEL}"))
        return ids

    async def event(self, event_id: int) -> InboundEvent | None:
        return await self.session.get(InboundEvent, event_id)

    async def event_by_vendor_id(
        self, connector_key: str, kind: str, vendor_id: str
    ) -> InboundEvent | None:
        statement = select(InboundEvent).where(
            InboundEvent.connector_key == connector_key,
            InboundEvent.kind == kind,
            InboundEvent.vendor_id == vendor_id,
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def call_events(
        self, connector_key: str, call_id: str
    ) -> list[tuple[dict[str, Any], datetime | None]]:
        """The payloads (and times) of a Twilio call's events: the caller's own leg
        (`CallSid`) and the legs it forwarded to (`ParentCallSid`), in the order stored."""
        statement = (
            select(InboundEvent.payload, InboundEvent.occurred_at)
            .where(
                InboundEvent.connector_key == connector_key,
                InboundEvent.kind == "call",
                (InboundEvent.payload["CallSid"].astext == call_id)
                | (InboundEvent.payload["ParentCallSid"].astext == call_id),
            )
            .order_by(InboundEvent.id)
        )
        return [(dict(p), at) for p, at in (await self.session.execute(statement)).all()]

    async def claim_due(self, now: datetime, limit: int = 1) -> list[InboundEvent]:
        """Events waiting (received, or retrying and due) by `now`, oldest first, locked for
        this transaction (other workers skip them)."""
        statement = (
            select(InboundEvent)
            .where(
                InboundEvent.status.in_(("received", "retrying")),
                InboundEvent.next_attempt_at <= now,
            )
            .order_by(InboundEvent.next_attempt_at, InboundEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.execute(statement)).scalars())

    async def claim(self, event_id: int) -> InboundEvent | None:
        """One event, locked (waits for a worker that holds it)."""
        statement = select(InboundEvent).where(InboundEvent.id == event_id).with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def mark_event(self, event_id: int, **values: Any) -> None:
        await self.session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == event_id)
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )

    async def mark_events(self, settled: Sequence[dict[str, Any]]) -> None:
        """Settle many events at once: each dict holds an event's `id` and the same columns."""
        if settled:
            await self.session.execute(update(InboundEvent), list(settled))

    async def blank_payloads(self, received_before: datetime, limit: int) -> int:
        """Blank the raw payloads of at most `limit` processed (or ignored) events received
        before `received_before`; how many were blanked."""
        chosen = (
            select(InboundEvent.id)
            .where(
                InboundEvent.status.in_(DONE),
                InboundEvent.received_at < received_before,
                InboundEvent.payload != text("'{}'::jsonb"),
            )
            .order_by(InboundEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        statement = (
            update(InboundEvent)
            .where(InboundEvent.id.in_(chosen))
            .values(payload=text("'{}'::jsonb"))
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def events(
        self,
        *,
        connector_key: str | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> list[InboundEvent]:
        statement = select(InboundEvent).order_by(InboundEvent.id.desc()).limit(limit)
        if connector_key is not None:
            statement = statement.where(InboundEvent.connector_key == connector_key)
        if status is not None:
            statement = statement.where(InboundEvent.status == status)
        return list((await self.session.execute(statement)).scalars())

    async def counts(self, since: datetime) -> list[EventCounts]:
        """Per connector with events: the last event, the events received since `since` that
        were processed, are dead or retrying, and the backlog (received or retrying, any age)
        with its oldest."""
        waiting = InboundEvent.status.in_(("received", "retrying"))
        recent = InboundEvent.received_at >= since
        statement = select(
            InboundEvent.connector_key,
            func.max(InboundEvent.received_at),
            func.count().filter(recent, InboundEvent.status == "processed"),
            func.count().filter(recent, InboundEvent.status == "dead"),
            func.count().filter(recent, InboundEvent.status == "retrying"),
            func.count().filter(waiting),
            func.min(InboundEvent.received_at).filter(waiting),
        ).group_by(InboundEvent.connector_key)
        return [EventCounts(*row) for row in (await self.session.execute(statement)).all()]
