"""WhatsApp conversations in: a message from a new person starts a lead, a later one joins the
contact's open lead as a message activity (firing `message_received`) and reaches its owner
live; a status of a message we sent updates that message.

A person is found by their WhatsApp user id, a contact identity of its own: the wa_id (with the
phone number it is) and, since 2026, the business-scoped user id (BSUID, "CC.xxxx") that a user
with a username may come with alone. Both are claimed for the one contact, so a person who
later withholds their number is still found.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx

from leadflow.connectors.inbound import (
    Attachment,
    Ignored,
    Invalid,
    LeadIn,
    MessageIn,
    Receipt,
    Retry,
    StatusIn,
)
from leadflow.connectors.whatsapp import messages, webhook
from leadflow.connectors.whatsapp.media import MAX_BYTES, Media, MediaFailure, download
from leadflow.connectors.whatsapp.messages import remedy_of
from leadflow.identity import InvalidField, InvalidLead, contact_keys
from leadflow.services.channels.pipeline import leads
from leadflow.services.channels.pipeline.processors import (
    Channel,
    Event,
    Fetching,
    Handled,
    Processing,
)
from leadflow.services.workflow import activities
from leadflow.services.workflow.activities import ActivityIn, ActivityKind
from leadflow.storage.store import ContactDetails, Store
from leadflow.storage.tables import Lead
from leadflow.workflow.actors import Actor, ActorKind

CHANNEL = "whatsapp"
STATUS_ORDER = {"queued": 0, "accepted": 1, "retrying": 1, "sent": 2, "delivered": 3, "read": 4}
"""Statuses arrive out of order: a later one never goes back to an earlier one (failed is final
whatever came before)."""
UNKNOWN_MESSAGE_WAIT = timedelta(seconds=30)
"""A status may outrun the send's own record of its wamid: looked for again after this."""
TEST_MARK = "leadflow_test"
"""In the payload of the admin's test event: its lead is a test lead, routed to nobody."""
TEST_WA_ID = "16505551111"
"""The number Meta's own webhook test sample writes from."""
MEDIA_ATTEMPTS = 4
"""Tries at a message's media (the event retried with its backoff: 30 s, 1 min, 2 min between
them) before the message is kept without it, marked unavailable with the reason."""


def sample(channel: Channel, now: datetime) -> Receipt:
    """The admin's test event: a text message as Meta's webhook test sends one, from a person
    of its own (a new test lead each time, routed to nobody)."""
    message_id = f"wamid.test-{now:%Y%m%dT%H%M%S%f}"
    message = {
        "from": TEST_WA_ID, "id": message_id, "timestamp": str(int(now.timestamp())),
        "type": "text", "text": {"body": "Test message from Leadflow"},
    }  # fmt: skip
    contact = {"wa_id": TEST_WA_ID, "profile": {"name": "Test User"}}
    metadata = {"phone_number_id": str(channel.settings.get("phone_number_id") or "")}
    payload = {"message": message, "contact": contact, "metadata": metadata, TEST_MARK: True}
    return Receipt(message_id, "message", payload, occurred_at=now)


async def process_message(processing: Processing, channel: Channel, event: Event) -> Any:
    """The stored message, with its media downloaded (by the batch's fetch, else here). A
    download that may succeed later retries the event; one that cannot, or that failed
    `MEDIA_ATTEMPTS` times, keeps the message with its media marked unavailable."""
    try:
        message = webhook.message_in(event.payload)
    except webhook.MalformedNotification as malformed:
        return Invalid(str(malformed))
    attachment = message.attachment
    if attachment is None or event.payload.get(TEST_MARK):
        return message
    fetched = processing.fetched.get(event.id)
    if fetched is None:
        async with httpx.AsyncClient(timeout=30.0) as http:
            fetched = await _download(http, channel, attachment)
    if isinstance(fetched, MediaFailure):
        attempt = event.attempts + 1
        if fetched.transient and attempt < MEDIA_ATTEMPTS:
            return Retry(f"media {attachment.media_id}: {fetched.reason}")
        reason = fetched.reason
        if fetched.transient:
            reason = f"gave up after {attempt} attempts: {reason}"
        return replace(message, attachment=replace(attachment, unavailable=reason))
    assert isinstance(fetched, Media)
    got = replace(
        attachment, content=fetched.content, mime_type=fetched.mime_type, sha256=fetched.sha256
    )
    return replace(message, attachment=got)


async def fetch_media(
    fetching: Fetching, batch: Sequence[tuple[Channel, Event]], now: datetime
) -> dict[int, object]:
    """The media of a batch's messages, downloaded at once over the run's connections (at
    most `fetching.concurrency` at a time): per event id, the `Media` or the `MediaFailure`."""
    gate = asyncio.Semaphore(fetching.concurrency)

    async def fetch(channel: Channel, attachment: Attachment) -> object:
        async with gate:
            return await _download(fetching.http, channel, attachment)

    wanted = [
        (event.id, fetch(channel, attachment))
        for channel, event in batch
        if not event.payload.get(TEST_MARK)
        and (attachment := _attachment(event.payload)) is not None
    ]
    answers = await asyncio.gather(*(call for _, call in wanted))
    return {event_id: answer for (event_id, _), answer in zip(wanted, answers, strict=True)}


def _attachment(payload: dict[str, Any]) -> Attachment | None:
    message = payload.get("message")
    return webhook.attachment_of(message) if isinstance(message, dict) else None


def sender_of(channel: Channel) -> messages.Sender | None:
    """The connector's access to the Cloud API (None without a phone_number_id or token)."""
    settings = channel.settings
    phone_number_id = settings.get("phone_number_id")
    token = channel.secrets.get("access_token")
    if not phone_number_id or not token:
        return None
    return messages.Sender(
        phone_number_id=str(phone_number_id),
        token=token,
        api_base=channel.api_base or messages.DEFAULT_API_BASE,
        version=str(settings.get("api_version") or messages.DEFAULT_VERSION),
    )


def media_limit(channel: Channel) -> int:
    """The largest file kept: the connector's `media_max_bytes`, at most 16 MB."""
    try:
        asked = int(channel.settings.get("media_max_bytes") or MAX_BYTES)
    except (TypeError, ValueError):
        asked = MAX_BYTES
    return max(1, min(asked, MAX_BYTES))


async def _download(
    http: httpx.AsyncClient, channel: Channel, attachment: Attachment
) -> Media | MediaFailure:
    sender = sender_of(channel)
    if sender is None:
        return MediaFailure(
            f"connector {channel.key!r} needs a phone_number_id and an access_token",
            transient=False,
        )
    try:
        return await download(http, sender, attachment.media_id, max_bytes=media_limit(channel))
    except MediaFailure as failure:
        return failure


async def process_status(processing: Processing, channel: Channel, event: Event) -> Any:
    try:
        return webhook.status_in(event.payload)
    except webhook.MalformedNotification as malformed:
        return Invalid(str(malformed))


def identity_keys(message: MessageIn) -> list[tuple[str, str]]:
    """Every key the sender is known by: their phone and wa_id when shared, their BSUID."""
    try:
        keys = contact_keys(None, None, message.phone) if message.phone else []
        if message.sender != message.phone:
            keys += contact_keys(None, None, message.sender)
    except InvalidField as invalid:
        raise InvalidLead([invalid]) from None
    return list(dict.fromkeys((key.kind, key.value) for key in keys))


async def deliver_message(
    processing: Processing, channel: Channel, event: Event, message: MessageIn
) -> Handled | Invalid | Retry | Ignored:
    """The message joins its sender's open lead, or starts one."""
    store = processing.store
    try:
        keys = identity_keys(message)
    except InvalidLead as invalid:
        return Invalid(str(invalid))
    if await store.conversations.message(CHANNEL, message.message_id) is not None:
        return Ignored(f"message {message.message_id} is already recorded")
    test = bool(event.payload.get(TEST_MARK))
    contact_id = None if test else await store.contacts.find(keys)
    lead = await _open_lead(store, contact_id) if contact_id is not None else None
    note, detail = "joined the contact's open lead", {}
    if lead is None:
        new_lead = replace(_lead_of(message), is_test=test)
        started = await leads.deliver_lead(processing, channel, event, new_lead)
        if not isinstance(started, Handled) or started.lead_id is None:
            return started
        lead = await store.leads.get(started.lead_id)
        assert lead is not None
        note, detail = f"started lead {lead.id}: {started.note}", started.detail
    if not lead.whatsapp_id:  # a lead from a form: replies go to the number that wrote
        lead.whatsapp_id = message.phone or message.sender
    await _claim_identities(store, keys, lead, message)
    recorded = await _record(processing, channel, lead, message)
    if message.attachment is not None:
        await _keep_media(store, recorded.activity, message.attachment)
    await _tell_owner(store, recorded.lead, recorded.activity.id, message)
    return Handled(lead_id=lead.id, activity_id=recorded.activity.id, note=note, detail=detail)


async def _open_lead(store: Store, contact_id: int) -> Lead | None:
    open_leads = [
        lead for lead in await store.leads.of_contact(contact_id) if lead.closed_at is None
    ]
    return max(open_leads, key=lambda lead: (lead.received_at, lead.id), default=None)


def _lead_of(message: MessageIn) -> LeadIn:
    referral = message.referral
    fields: dict[str, Any] = {
        "first_name": message.name,
        "whatsapp_id": message.phone or message.sender,
        "message": message.text,
    }
    hints: dict[str, str] = {"channel": CHANNEL}
    if referral is not None:
        fields["ctwa_clid"] = referral.ctwa_clid
        fields["landing_url"] = referral.source_url
        if referral.source_type == "ad":
            fields["ad_id"] = referral.source_id
        hints |= {
            name: value
            for name, value in (
                ("referral_source_type", referral.source_type),
                ("referral_source_id", referral.source_id),
                ("referral_headline", referral.headline),
            )
            if value
        }
    fields = {name: value for name, value in fields.items() if value not in (None, "")}
    return LeadIn(source=CHANNEL, external_id=message.message_id, fields=fields, hints=hints)


async def _claim_identities(
    store: Store, keys: list[tuple[str, str]], lead: Lead, message: MessageIn
) -> None:
    """The sender's keys all belong to the lead's contact (a BSUID seen with a phone number for
    the first time joins the contact the number already made)."""
    contact = await store.contacts.get(lead.contact_id)
    assert contact is not None
    details = ContactDetails(
        first_name=message.name, last_name=None, phone_e164=contact.phone_e164, email=None,
        whatsapp_id=message.phone or message.sender, country=contact.country,
        language=contact.language,
    )  # fmt: skip
    await store.contacts.resolve(keys, details)


async def _record(
    processing: Processing, channel: Channel, lead: Lead, message: MessageIn
) -> activities.Recorded:
    organisation = await processing.live.get(processing.store)
    at = min(max(message.at, lead.received_at), processing.now)
    detail: dict[str, Any] = {
        "wamid": message.message_id,
        "type": message.message_type,
        "status": "received",
    }
    if message.referral is not None and message.referral.ctwa_clid:
        detail["ctwa_clid"] = message.referral.ctwa_clid
    if message.attachment is not None:
        detail["media"] = _media_detail(message.attachment)
    activity = ActivityIn(
        kind=ActivityKind.MESSAGE,
        occurred_at=at,
        direction="inbound",
        channel=activities.Channel.WHATSAPP,
        text=(message.text or None) and message.text[:5000],
        detail=detail,
    )
    actor = Actor(ActorKind.INTEGRATION, f"whatsapp:{channel.key}")
    return await activities.record(
        processing.store, organisation, lead.id, activity, actor=actor, now=processing.now
    )


def _media_detail(attachment: Attachment) -> dict[str, Any]:
    """What the message's activity says of its file (its stored id is added once kept)."""
    detail: dict[str, Any] = {
        "kind": attachment.kind,
        "mime_type": attachment.mime_type,
        "filename": attachment.filename,
    }
    if attachment.content is not None:
        detail["size"] = len(attachment.content)
    else:
        detail["unavailable"] = attachment.unavailable or "not downloaded"
    return detail


async def _keep_media(store: Store, activity: Any, attachment: Attachment) -> None:
    """The downloaded file stored, linked to the lead and the message; its id on the message."""
    if attachment.content is None:
        return
    media_id = await store.media.add(
        lead_id=activity.lead_id, activity_id=activity.id, channel=CHANNEL,
        vendor_media_id=attachment.media_id, kind=attachment.kind,
        mime_type=attachment.mime_type or "application/octet-stream",
        size_bytes=len(attachment.content), sha256=attachment.sha256 or "",
        filename=(attachment.filename or None) and attachment.filename[:255],
        content=attachment.content,
    )  # fmt: skip
    detail = dict(activity.detail)
    detail["media"] = {**detail.get("media", {}), "id": media_id}
    await store.conversations.set_detail(activity.id, detail)


async def _tell_owner(store: Store, lead: Lead, activity_id: int, message: MessageIn) -> None:
    """The owner's lead page and inbox hear of the message at once (a live event)."""
    if lead.owner_agent_key is None:
        return
    await store.outbox.add(
        topic="message.received",
        channel="sse",
        recipient=lead.owner_agent_key,
        payload={
            "lead_id": lead.id,
            "activity_id": activity_id,
            "channel": CHANNEL,
            "name": message.name,
            "message": (message.text or "")[:200],
        },
        idempotency_key=f"message.received:{activity_id}",
    )


async def deliver_status(
    processing: Processing, channel: Channel, event: Event, status: StatusIn
) -> Handled | Retry | Ignored:
    """What became of a message we sent, on its activity (`detail.status`, with the error of a
    failed one)."""
    store = processing.store
    found = await store.conversations.message(CHANNEL, status.message_id, for_update=True)
    if found is None:
        if event.attempts < 3:
            return Retry(f"no message {status.message_id} yet", after=UNKNOWN_MESSAGE_WAIT)
        return Ignored(f"{status.message_id} is no message Leadflow sent")
    detail = apply_status(dict(found.detail), status)
    await store.conversations.set_detail(found.id, detail)
    return Handled(lead_id=found.lead_id, activity_id=found.id, note=f"message {status.status}")


def apply_status(detail: dict[str, Any], status: StatusIn) -> dict[str, Any]:
    """A message's detail after a status (pure): each status's time kept, the current one never
    going back (statuses come out of order), a failure with WhatsApp's code and words."""
    times = dict(detail.get("status_times") or {})
    times.setdefault(status.status, status.at.isoformat())
    detail["status_times"] = times
    current = str(detail.get("status") or "queued")
    if status.status == "failed":
        remedy = remedy_of(status.error_code).value if status.error_code else None
        detail |= {
            "status": "failed", "error_code": status.error_code, "error": status.error,
            "remedy": remedy,
        }  # fmt: skip
    elif current != "failed" and STATUS_ORDER[status.status] >= STATUS_ORDER.get(current, 0):
        detail["status"] = status.status
    return detail
