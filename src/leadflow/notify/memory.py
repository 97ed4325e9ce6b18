"""In-memory fakes of every notify Protocol, for tests of code that merely uses them (the real
adapters are tested against a real SMTP server, HTTP server and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from leadflow.notify.email import Email
from leadflow.notify.errors import DeliveryFailed
from leadflow.notify.events import Event
from leadflow.notify.live import Fanout, LiveEvent, Subscription
from leadflow.notify.webhook import WebhookTarget


class MemoryEmailSender:
    """Keeps what it sends; the failures queued in `failures` are raised first, in order."""

    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.failures: list[DeliveryFailed] = []

    async def send(self, email: Email) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(email)


class MemoryWebhookSender:
    """Keeps what it posts; the failures queued in `failures` are raised first, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[WebhookTarget, Event]] = []
        self.failures: list[DeliveryFailed] = []

    async def send(self, target: WebhookTarget, event: Event) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((target, event))


class MemoryLiveHub:
    """A LiveFeed and LivePublisher inside one process."""

    def __init__(self) -> None:
        self.fanout = Fanout()
        self.published: list[LiveEvent] = []

    @asynccontextmanager
    async def subscribe(self, agent: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(agent)
        self.fanout.add(subscription)
        try:
            yield subscription
        finally:
            self.fanout.remove(subscription)

    async def publish(self, event: LiveEvent) -> None:
        self.published.append(event)
        self.fanout.deliver(event)

    async def close(self) -> None:
        return None
