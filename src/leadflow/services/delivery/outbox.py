"""Outbox delivery: each side effect written with its state change reaches each recipient once.

A pass claims due messages (FOR UPDATE SKIP LOCKED: concurrent workers share the work and never
hold the same message), expands each into its recipients, sends to those not reached yet and
settles the message: delivered, tried again later with exponential backoff, or dead (listed,
and retried by hand). Every successful send is recorded in `deliveries` in its own transaction
at once, so a worker that dies before settling leaves the message claimable and the next pass
skips whoever was reached. The one gap left, between a receiver accepting and that record
committing, is closed by the Idempotency-Key each receiver gets.

Channels of a message: `sse` (an agent's live event, already sent by NOTIFY when its transaction
committed) and `alert` (a team's) fan out to the team leads by e-mail for the topics in
`notifications.email_topics` and to every webhook subscribed to the topic; `email` and `webhook`
name one recipient each; `whatsapp` is an agent's reply to a person, sent through the WhatsApp
connector the message names (`channels.whatsapp`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from leadflow.domain.configuration import Configuration, Webhook
from leadflow.locale.catalogs import DEFAULT_LOCALE
from leadflow.notify import Channels, DeliveryFailed, Event, WebhookTarget, compose
from leadflow.notify.events import UTC
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.configuration.versions import NoConfiguration
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.storage.tables import OutboxMessage

log = structlog.get_logger(__name__)

CHANNELS = ("sse", "alert", "email", "webhook", "whatsapp")


class UnknownOutboxMessage(Exception):
    def __init__(self, message_id: int) -> None:
        super().__init__(f"outbox message {message_id} does not exist")


class NotDead(Exception):
    def __init__(self, message_id: int, status: str) -> None:
        super().__init__(f"outbox message {message_id} is {status}; only dead ones are retried")


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed message is tried again: base × 2^(attempts-1), capped, `max_attempts`
    tries in all (8 tries span about 42 minutes)."""

    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8

    def delay(self, attempts: int) -> timedelta:
        factor: int = 2 ** max(attempts - 1, 0)
        return min(self.base * factor, self.cap)

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        """None when `attempts` tries are all the message gets."""
        return None if attempts >= self.max_attempts else now + self.delay(attempts)


@dataclass(frozen=True)
class Recipient:
    key: str
    """Unique within a message: `email:ADDRESS`, `webhook:KEY` or `whatsapp:CONNECTOR`."""
    email: str | None = None
    webhook: Webhook | None = None
    whatsapp: str | None = None
    """The WhatsApp connector a reply goes out through."""


def recipients(
    configuration: Configuration | None,
    *,
    topic: str,
    channel: str,
    recipient: str | None,
    email_enabled: bool = True,
) -> list[Recipient]:
    """Who a message goes to, besides the live event an `sse` message already was."""
    if channel not in CHANNELS:
        raise DeliveryFailed(f"unknown channel {channel!r}", permanent=True)
    if channel == "email":
        return [Recipient(f"email:{recipient}", email=recipient)] if recipient else []
    if channel == "whatsapp":
        return [Recipient(f"whatsapp:{recipient}", whatsapp=recipient)] if recipient else []
    if configuration is None:
        return []
    notifications = configuration.notifications
    if channel == "webhook":
        hook = next((h for h in notifications.webhooks if h.key == recipient), None)
        if hook is None:
            raise DeliveryFailed(f"webhook {recipient!r} is not configured", permanent=True)
        return [Recipient(f"webhook:{hook.key}", webhook=hook)]
    found: list[Recipient] = []
    if email_enabled and topic in notifications.email_topics:
        found += [
            Recipient(f"email:{address}", email=address)
            for address in _team_leads(configuration, channel, recipient)
        ]
    found += [
        Recipient(f"webhook:{hook.key}", webhook=hook)
        for hook in notifications.webhooks
        if topic in hook.topics
    ]
    return found


def _team_leads(configuration: Configuration, channel: str, recipient: str | None) -> list[str]:
    """The leads of the team a message concerns: the alerted team, or the agent's team."""
    if recipient is None:
        return []
    if channel == "sse":
        agent = next((a for a in configuration.agents if a.key == recipient), None)
        recipient = agent.team if agent else None
    team = next((t for t in configuration.teams if t.key == recipient), None)
    return list(team.leads) if team else []


@dataclass
class DeliveryReport:
    messages: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    sends: int = 0


@dataclass(frozen=True)
class _Attempt:
    sends: int = 0
    failures: Sequence[tuple[str, DeliveryFailed]] = field(default_factory=tuple)


async def deliver_due(
    database: Database,
    channels: Channels,
    *,
    now: datetime,
    policy: RetryPolicy | None = None,
    batch: int = 100,
    limit: int = 500,
    parallel: int = 8,
    live: LiveOrganisation | None = None,
) -> DeliveryReport:
    """Deliver messages due by `now`, batch by batch, until none is left or `limit` were
    handled. Owns its transactions (one per batch, one per recorded send). A worker passes its
    `live` organisation, compiled once per configuration version."""
    report = DeliveryReport()
    live = live or LiveOrganisation()
    while report.messages < limit:
        claimed = await _deliver_batch(
            database, channels, now, policy or RetryPolicy(), batch, parallel, report, live
        )
        if claimed < batch:
            break
    return report


async def _deliver_batch(
    database: Database,
    channels: Channels,
    now: datetime,
    policy: RetryPolicy,
    batch: int,
    parallel: int,
    report: DeliveryReport,
    live: LiveOrganisation,
) -> int:
    async with open_store(database) as store:
        messages = await store.outbox.claim_due(now, limit=batch)
        if not messages:
            return 0
        configuration = await _active_configuration(store, live)
        reached = await store.deliveries.done(m.id for m in messages)
        locales = await _locales(store)
        gate = asyncio.Semaphore(parallel)

        async def attempt(message: OutboxMessage) -> _Attempt:
            async with gate:
                return await _deliver(
                    database, channels, configuration, message, reached[message.id], locales
                )

        attempts = await asyncio.gather(*(attempt(m) for m in messages))
        delivered = []
        for message, outcome in zip(messages, attempts, strict=True):
            settled = _settlement(message, outcome.failures, policy, now)
            if settled["status"] == "delivered":
                delivered.append(message.id)
            else:
                await store.outbox.mark(message.id, **settled)
            _count(report, settled["status"], outcome.sends)
        await store.outbox.mark_delivered(delivered, now)
        await store.commit()
        return len(messages)


async def _deliver(
    database: Database,
    channels: Channels,
    configuration: Configuration | None,
    message: OutboxMessage,
    reached: set[str],
    locales: dict[str, str],
) -> _Attempt:
    try:
        targets = recipients(
            configuration,
            topic=message.topic,
            channel=message.channel,
            recipient=message.recipient,
            email_enabled=channels.email is not None,
        )
    except DeliveryFailed as failure:
        return _Attempt(failures=((message.channel, failure),))
    sends = 0
    failures: list[tuple[str, DeliveryFailed]] = []
    for target in targets:
        if target.key in reached:
            continue
        try:
            reader = _reader(configuration, locales, target)
            await _send(channels, target, _event(message, target), reader)
        except DeliveryFailed as failure:
            failures.append((target.key, failure))
            continue
        await _record(database, message.id, target.key)
        sends += 1
    return _Attempt(sends, tuple(failures))


async def _locales(store: Store) -> dict[str, str]:
    """The language each account's e-mails are written in (read once a batch, in the batch's
    own transaction: a delivery opens no session of its own for it)."""
    return {u.email.lower(): u.locale for u in await store.users.listing() if u.locale}


@dataclass(frozen=True)
class _Reader:
    """How a recipient reads: their language and the organisation's time zone."""

    locale: str = DEFAULT_LOCALE
    zone: ZoneInfo = UTC


def _reader(
    configuration: Configuration | None, locales: dict[str, str], target: Recipient
) -> _Reader:
    """An e-mail in its recipient's account language (English for an address without an
    account); a webhook or Slack message in the organisation's `locale` (English if unset)."""
    if configuration is None:
        return _Reader()
    organisation = configuration.organisation
    zone = ZoneInfo(organisation.timezone)
    if target.email is not None:
        return _Reader(locales.get(target.email.lower(), DEFAULT_LOCALE), zone)
    return _Reader(organisation.locale or DEFAULT_LOCALE, zone)


async def _send(channels: Channels, target: Recipient, event: Event, reader: _Reader) -> None:
    try:
        if target.webhook is not None:
            hook = _webhook_target(target.webhook, channels, reader)
            await channels.webhooks.send(hook, event)
        elif target.whatsapp is not None:
            if channels.whatsapp is None:
                raise DeliveryFailed("WhatsApp sending is not set up in this process")
            await channels.whatsapp.send(event, target.whatsapp)
        elif target.email is not None:
            if channels.email is None:
                raise DeliveryFailed(
                    "e-mail is not configured (LEADFLOW_SMTP_HOST)", permanent=True
                )
            email = compose(event, to=target.email, locale=reader.locale, zone=reader.zone)
            await channels.email.send(email)
    except DeliveryFailed:
        raise
    except Exception as exc:
        # A bug or an unforeseen error in one send must not stop the batch: the message is
        # retried (and eventually dead) with the error on it, and the log has the trace.
        log.exception("send failed unexpectedly", recipient=target.key, key=event.key)
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


async def _record(database: Database, message_id: int, recipient: str) -> None:
    """Commit the send now, on its own: a worker dying before the batch settles must not
    make the next pass send it again."""
    async with open_store(database) as store:
        await store.deliveries.record(message_id, recipient)
        await store.commit()


def _event(message: OutboxMessage, target: Recipient) -> Event:
    return Event(
        topic=message.topic,
        payload=message.payload,
        key=f"{message.idempotency_key}/{target.key}",
        occurred_at=message.created_at,
    )


def _webhook_target(hook: Webhook, channels: Channels, reader: _Reader) -> WebhookTarget:
    secret = channels.secrets.get(hook.secret_env) if hook.secret_env else None
    return WebhookTarget(
        key=hook.key,
        url=hook.url,
        format=hook.format,
        secret=secret,
        allow_private_network=hook.allow_private_network,
        locale=reader.locale,
        zone=reader.zone,
    )


def _settlement(
    message: OutboxMessage,
    failures: Sequence[tuple[str, DeliveryFailed]],
    policy: RetryPolicy,
    now: datetime,
) -> dict[str, Any]:
    attempts = message.attempts + 1
    if not failures:
        return {
            "status": "delivered",
            "attempts": attempts,
            "delivered_at": now,
            "last_error": None,
        }
    error = "; ".join(f"{key}: {failure.reason}" for key, failure in failures)[:2000]
    permanent = any(failure.permanent for _, failure in failures)
    retry_at = None if permanent else policy.next_attempt(attempts, now)
    if retry_at is None:
        return {"status": "dead", "attempts": attempts, "last_error": error}
    return {
        "status": "pending",
        "attempts": attempts,
        "next_attempt_at": retry_at,
        "last_error": error,
    }


def _count(report: DeliveryReport, status: str, sends: int) -> None:
    report.messages += 1
    report.sends += sends
    if status == "delivered":
        report.delivered += 1
    elif status == "dead":
        report.dead += 1
    else:
        report.retrying += 1


async def _active_configuration(store: Store, live: LiveOrganisation) -> Configuration | None:
    try:
        return (await live.get(store)).configuration
    except NoConfiguration:
        return None


# --- the dead-letter list ----------------------------------------------------------------------


async def listing(store: Store, status: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    """Messages newest first, optionally of one status (pending, delivered, dead)."""
    return await store.outbox.listing(status, limit)


async def reached(store: Store, message_id: int) -> list[str]:
    """The recipients a message has reached so far."""
    return [row.recipient for row in await store.deliveries.of_message(message_id)]


async def retry(store: Store, message_id: int, now: datetime) -> None:
    """Make a dead message due again with a fresh set of tries; recipients it reached before
    are skipped. The caller commits."""
    message = await store.deliveries.message(message_id, for_update=True)
    if message is None:
        raise UnknownOutboxMessage(message_id)
    if message.status != "dead":
        raise NotDead(message_id, message.status)
    await store.outbox.mark(
        message_id, status="pending", attempts=0, next_attempt_at=now, last_error=None
    )
