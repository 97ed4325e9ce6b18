"""The live channel: events for one agent's screen, pushed as Server-Sent Events.

Several server processes each hold some agents' streams. A change commits its live event with
NOTIFY on `leadflow_live` (in the same transaction, so it is sent exactly when the change is
visible); every process keeps one LISTEN connection and fans each event out to the streams of
its agent in that process, through a bounded queue per stream.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import psycopg
import structlog

from leadflow.notify.listener import Listener

log = structlog.get_logger(__name__)

CHANNEL = "leadflow_live"


@dataclass(frozen=True)
class LiveEvent:
    agent: str
    topic: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None
    """The outbox message id; streams send it as the SSE `id:` for resuming."""

    def to_json(self) -> str:
        return json.dumps(
            {"id": self.id, "agent": self.agent, "topic": self.topic, "payload": self.payload},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> LiveEvent:
        data = json.loads(text)
        return cls(
            agent=str(data["agent"]),
            topic=str(data["topic"]),
            payload=data.get("payload") or {},
            id=data.get("id"),
        )


class Subscription:
    """One open stream's events, oldest first. A reader that falls `capacity` events behind
    loses the oldest ones rather than holding memory for a stalled connection."""

    def __init__(self, agent: str, capacity: int = 256) -> None:
        self.agent = agent
        self._queue: asyncio.Queue[LiveEvent] = asyncio.Queue(capacity)

    def put(self, event: LiveEvent) -> None:
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(event)

    async def get(self) -> LiveEvent:
        return await self._queue.get()

    def __len__(self) -> int:
        """Events waiting to be read."""
        return self._queue.qsize()

    def __aiter__(self) -> AsyncIterator[LiveEvent]:
        return self

    async def __anext__(self) -> LiveEvent:
        return await self.get()


class LiveFeed(Protocol):
    def subscribe(self, agent: str) -> AbstractAsyncContextManager[Subscription]:
        """Events for `agent` from the moment the context is entered until it exits."""


class LivePublisher(Protocol):
    async def publish(self, event: LiveEvent) -> None:
        """Send `event` to the streams of its agent, in every server process."""


class Fanout:
    """The streams open in this process, by agent."""

    def __init__(self) -> None:
        self._streams: defaultdict[str, set[Subscription]] = defaultdict(set)

    def add(self, subscription: Subscription) -> None:
        self._streams[subscription.agent].add(subscription)

    def remove(self, subscription: Subscription) -> None:
        streams = self._streams.get(subscription.agent)
        if streams is not None:
            streams.discard(subscription)
            if not streams:
                del self._streams[subscription.agent]

    def deliver(self, event: LiveEvent) -> None:
        for subscription in self._streams.get(event.agent, ()):
            subscription.put(event)

    def __len__(self) -> int:
        return sum(len(streams) for streams in self._streams.values())


class PostgresLiveHub:
    """LiveFeed and LivePublisher over PostgreSQL LISTEN/NOTIFY. It connects on the first
    subscription, so a process that serves no stream holds no listening connection."""

    def __init__(self, conninfo: str, *, channel: str = CHANNEL) -> None:
        self.conninfo = conninfo
        self.channel = channel
        self.fanout = Fanout()
        self._listener = Listener(conninfo, channel, self._received)

    @asynccontextmanager
    async def subscribe(self, agent: str) -> AsyncIterator[Subscription]:
        await self._listener.start()
        subscription = Subscription(agent)
        self.fanout.add(subscription)
        try:
            yield subscription
        finally:
            self.fanout.remove(subscription)

    async def publish(self, event: LiveEvent) -> None:
        async with await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True
        ) as connection:
            await connection.execute("SELECT pg_notify(%s, %s)", (self.channel, event.to_json()))

    async def close(self) -> None:
        await self._listener.close()

    def _received(self, payload: str) -> None:
        try:
            event = LiveEvent.from_json(payload)
        except (ValueError, KeyError, TypeError):
            log.exception("unreadable live event ignored", payload=payload[:200])
            return
        self.fanout.deliver(event)
