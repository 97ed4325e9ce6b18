"""Meta Lead Ads: a stored `leadgen` notification becomes a lead, fetched from the Graph API with
the connector's page token; a form's leads for a period are pulled the same way (backfill).

Secrets of a Meta connector: `app_secret` (checks the webhook signature), `verify_token` (the
subscription handshake), `page_token` (reads the leads). Settings: `page_id`, `api_base` and
`graph_version` (Graph's address and version: a test's fake, a pinned version), `mappings`
({form id or "*": {question: field}}) and `hints`, as for every connector.

What Graph answers decides what becomes of the event: throttled or down → `Retry` (no sooner than
Graph asked); the token rejected (190) → dead, and the admins are told once per token, so that
a new token and a replay bring the leads in; anything else refused (100: unknown lead, missing
permission) → dead with Graph's reason. One lead per `leadgen_id` whatever the order or the
repetition of deliveries: the event is stored once per leadgen_id, and intake once per
(meta_lead_ads, leadgen_id).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from leadflow.connectors.inbound import Invalid, Outcome, Receipt, Retry
from leadflow.connectors.meta.graph import (
    VERSION,
    GraphClient,
    GraphFailure,
    GraphUnavailable,
    TokenRejected,
)
from leadflow.connectors.meta.leads import field_mapping, graph_time, lead_in, sample_lead
from leadflow.domain.reasons import N_
from leadflow.services.channels.pipeline.inbound import Received, receive
from leadflow.services.channels.pipeline.processors import Channel, Event, Fetching, Processing
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.configuration.versions import NoConfiguration
from leadflow.storage.store import Store

APP_SECRET = "app_secret"
VERIFY_TOKEN = "verify_token"
PAGE_TOKEN = "page_token"
WAITING = N_("leads wait as dead events until a new token is saved and they are replayed")
THROTTLE_PAUSE = timedelta(seconds=30)
"""The least a throttled connector's other notifications wait (Graph's throttling codes
often come without a wait; the event's own backoff starts at 30 s too)."""
PULLED = "graph_lead"
"""The key of a backfilled event's payload holding the lead as Graph gave it (no second fetch)."""


class NoPageToken(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"connector {key!r} has no page token: set its `{PAGE_TOKEN}` secret "
            "(Admin → Channels, or `leadflow channels`)"
        )


def graph_client(channel: Channel, http: httpx.AsyncClient | None = None) -> GraphClient:
    """A Graph client for the connector's Graph (its `api_base` and pinned version), over
    `http` when given (a processing run's shared connections)."""
    options: dict[str, Any] = {}
    if channel.api_base:
        options["api_base"] = channel.api_base
    return GraphClient(
        version=str(channel.settings.get("graph_version") or VERSION),
        app_secret=channel.secrets.get(APP_SECRET) or None,
        http=http,
        **options,
    )


async def process_lead(processing: Processing, channel: Channel, event: Event) -> Outcome:
    """A stored notification's lead: fetched from Graph (unless a backfill stored it pulled, or
    the batch's fetch got it already), then read with the connector's mapping for its form."""
    lead = event.payload.get(PULLED)
    if not isinstance(lead, dict):
        token = channel.secrets.get(PAGE_TOKEN)
        if not token:
            return Invalid(str(NoPageToken(channel.key)))
        fetched = processing.fetched.get(event.id)
        if fetched is None:
            fetched = await _fetch_alone(channel, event.vendor_id, token)
        if isinstance(fetched, GraphFailure):
            return await _failed(processing.store, channel, token, fetched)
        assert isinstance(fetched, dict)
        lead = fetched
    form_id = _text(lead.get("form_id")) or _text(event.payload.get("form_id"))
    return lead_in(
        lead,
        notice=event.payload,
        mapping=field_mapping(channel.settings, form_id),
    )


async def fetch_leads(
    fetching: Fetching, batch: Sequence[tuple[Channel, Event]], now: datetime
) -> dict[int, object]:
    """The leads of a batch's notifications, fetched at once over the run's shared connections
    (at most `fetching.concurrency` requests in flight): per event id, Graph's lead or the
    `GraphFailure` it answered. A connector Graph throttles is paused for the run: its other
    notifications are not asked for before the wait Graph gave (at least `THROTTLE_PAUSE`),
    they are retried then."""
    gate = asyncio.Semaphore(fetching.concurrency)
    clients: dict[str, GraphClient] = {}

    async def fetch(channel: Channel, event: Event, token: str) -> object:
        async with gate:
            paused = fetching.pause_of(channel.key, now)
            if paused is not None:
                return GraphUnavailable(f"not asked: {paused[1]}", paused[0], throttled=True)
            client = clients.setdefault(channel.key, graph_client(channel, fetching.http))
            try:
                return await client.lead(event.vendor_id, token)
            except GraphFailure as failure:
                if isinstance(failure, GraphUnavailable) and failure.throttled:
                    wait = max(failure.after or THROTTLE_PAUSE, THROTTLE_PAUSE)
                    fetching.pause(channel.key, now + wait, failure.reason)
                return failure

    wanted = [
        (event.id, fetch(channel, event, token))
        for channel, event in batch
        if not isinstance(event.payload.get(PULLED), dict)
        and (token := channel.secrets.get(PAGE_TOKEN))
    ]
    answers = await asyncio.gather(*(call for _, call in wanted))
    return {event_id: answer for (event_id, _), answer in zip(wanted, answers, strict=True)}


async def _fetch_alone(channel: Channel, leadgen_id: str, token: str) -> object:
    client = graph_client(channel)
    try:
        return await client.lead(leadgen_id, token)
    except GraphFailure as failure:
        return failure
    finally:
        await client.close()


async def _failed(store: Store, channel: Channel, token: str, failure: GraphFailure) -> Outcome:
    """What Graph's refusal makes of the event (the admins told when the token is rejected)."""
    if isinstance(failure, GraphUnavailable):
        return Retry(failure.reason, failure.after)
    if isinstance(failure, TokenRejected):
        await connectors.alert_token_invalid(
            store, channel, token, failure.reason, secret=N_("page token"), meanwhile=WAITING
        )
        return Invalid(
            f"the page token was rejected ({failure.reason}); give the connector a new "
            "page token, then replay this event"
        )
    return Invalid(failure.reason)


def sample(channel: Channel, now: datetime) -> Receipt:
    """The admin's test event: a notification whose lead comes with it, as a backfill stores
    one (a made-up leadgen id is unknown to Graph, which would refuse it)."""
    leadgen_id = f"test-{now:%Y%m%dT%H%M%S%f}"
    lead = sample_lead(leadgen_id, now)
    payload = {"leadgen_id": leadgen_id, "form_id": lead["form_id"], PULLED: lead}
    return Receipt(leadgen_id, "lead", payload, occurred_at=now)


# --- backfill ----------------------------------------------------------------------------------


class NotMeta(ValueError):
    pass


async def backfill_channel(store: Store, vault: Vault, key: str) -> Channel:
    """The Meta connector `key` with its secrets opened; NotMeta names what is wrong."""
    found = await connectors.channel(store, vault, key)
    if found is None:
        raise NotMeta(f"no connector {key!r}")
    if found.kind != "meta":
        raise NotMeta(f"connector {key!r} is a {found.kind} connector; backfill pulls Meta forms")
    return found


async def backfill_period(
    store: Store, live: LiveOrganisation, first: date, last: date
) -> tuple[datetime, datetime]:
    """[start, end) of the days `first`…`last` in the organisation's time zone."""
    try:
        zone = ZoneInfo((await live.get(store)).configuration.organisation.timezone)
    except NoConfiguration:
        zone = ZoneInfo("UTC")
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return start, end


async def form_pages(
    channel: Channel, form_id: str, *, since: datetime, until: datetime
) -> AsyncIterator[list[dict[str, Any]]]:
    """The form's leads created in [since, until), a Graph page at a time. Raises NoPageToken,
    or the Graph failure that stopped it."""
    token = channel.secrets.get(PAGE_TOKEN)
    if not token:
        raise NoPageToken(channel.key)
    client = graph_client(channel)
    try:
        async for page in client.form_leads(form_id, token, since=since, until=until):
            yield page
    finally:
        await client.close()


async def store_pulled(
    store: Store, channel: Channel, form_id: str, leads: Sequence[dict[str, Any]], now: datetime
) -> Received:
    """Pulled leads as inbound events of the connector, like notifications (a lead a webhook
    delivered already is not stored again), each carrying the lead Graph gave. The caller
    commits; processing makes the leads."""
    receipts = [
        Receipt(
            str(lead["id"]),
            "lead",
            {"leadgen_id": str(lead["id"]), "form_id": form_id, PULLED: lead},
            occurred_at=graph_time(lead.get("created_time")),
        )
        for lead in leads
        if lead.get("id")
    ]
    return await receive(store, channel, receipts, now)


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, int | str) and value != "" else None
