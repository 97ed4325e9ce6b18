"""Agents' WhatsApp replies: free text inside the 24-hour customer service window (counted from
the contact's last message to us), an approved template outside it; written as an outbound
message activity and sent through the outbox (channel `whatsapp`), whose sender here calls the
Messages API and records what WhatsApp answered on the activity.

WhatsApp's refusals: 131047 (the window closed meanwhile) is not retried and the agent is asked
for a template; 130429 (throughput) is retried with the outbox's backoff; 131026
(undeliverable) fails and is shown; 190 (token) fails until an admin enters a new token and
retries the message from the outbox list; the admins are told, as for a Meta page token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx

from leadflow.connectors.whatsapp import messages, templates
from leadflow.connectors.whatsapp.messages import Address, Remedy, SendFailed
from leadflow.connectors.whatsapp.templates import Template, TemplateError
from leadflow.domain.reasons import N_
from leadflow.identity import InvalidField, InvalidLead, normalise_whatsapp_id
from leadflow.notify import DeliveryFailed, Event
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.channels.pipeline.processing import channel_of
from leadflow.services.channels.pipeline.processors import Channel
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.services.channels.vendors.whatsapp import sender_of
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.workflow import activities
from leadflow.services.workflow.activities import ActivityIn, ActivityKind
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.storage.tables import Activity, Lead
from leadflow.workflow.actors import Actor

CHANNEL = "whatsapp"
WINDOW = timedelta(hours=24)
"""WhatsApp's customer service window: free-form messages only this long after the person's
last message."""
TOPIC = "whatsapp.reply"
RECONNECT = N_("replies fail until a new token is saved and they are retried from the outbox")


class Mode(StrEnum):
    TEXT = "text"
    """Inside the window: anything the agent writes."""
    TEMPLATE = "template"
    """Outside it: only one of the connector's approved templates."""
    NONE = "none"
    """Outside it with no template configured: nothing can be sent."""


@dataclass(frozen=True)
class Conversation:
    """What the lead page's WhatsApp panel shows and allows."""

    connector_key: str
    address: Address
    last_inbound_at: datetime | None
    window_closes_at: datetime | None
    templates: list[Template]
    """The connector's approved templates (name, language, body with its variables)."""
    messages: list[Activity]
    """Newest first."""
    mode: Mode
    first_name: str | None = None
    """The lead's first name: what `{{1}}` is prefilled with."""

    def template(self, name: str, language: str | None) -> Template | None:
        """The template of that name (and language; without one, the first of that name)."""
        return next(
            (
                template
                for template in self.templates
                if template.name == name and language in (None, "", template.language)
            ),
            None,
        )

    def suggested(self, template: Template) -> list[str]:
        """What each of the template's parameters is prefilled with: {{1}} the lead's first
        name, the others empty (the agent fills them in)."""
        first = [self.first_name or ""] if template.parameter_count else []
        return first + [""] * (template.parameter_count - len(first))


class ReplyRefused(Exception):
    """A reply that cannot be sent as asked; `why` is one of the reasons the page words."""

    def __init__(self, why: str, message: str) -> None:
        super().__init__(message)
        self.why = why


def mode_of(last_inbound_at: datetime | None, has_template: bool, now: datetime) -> Mode:
    """Pure: how an agent may write now."""
    if last_inbound_at is not None and now < last_inbound_at + WINDOW:
        return Mode.TEXT
    return Mode.TEMPLATE if has_template else Mode.NONE


def address_of(whatsapp_id: str) -> Address:
    """A stored wa_id is digits (a phone) or a business-scoped user id."""
    wa = normalise_whatsapp_id(whatsapp_id)
    return Address(wa_id=wa.wa_id) if wa.wa_id.isdigit() else Address(user_id=wa.wa_id)


async def conversation(store: Store, lead: Lead, now: datetime) -> Conversation | None:
    """The lead's WhatsApp conversation, or None when the lead has no WhatsApp id or no
    WhatsApp connector is set up."""
    if not lead.whatsapp_id:
        return None
    connector = await _connector_of(store, lead)
    if connector is None:
        return None
    settings = dict(connector.settings)
    last = await store.conversations.last_inbound(lead.contact_id, CHANNEL)
    try:
        approved = templates.of_settings(settings)
    except TemplateError:  # checked when saved; an older connector's typo offers none
        approved = []
    return Conversation(
        connector_key=connector.key,
        address=address_of(lead.whatsapp_id),
        last_inbound_at=last,
        window_closes_at=last + WINDOW if last else None,
        templates=approved,
        messages=await store.conversations.messages(lead.id, CHANNEL),
        mode=mode_of(last, bool(approved), now),
        first_name=lead.first_name,
    )


async def _connector_of(store: Store, lead: Lead) -> Any:
    """The connector the lead came in through, else the first enabled WhatsApp connector."""
    named = (lead.custom or {}).get("connector")
    if isinstance(named, str):
        row = await store.channels.connector(named)
        if row is not None and row.kind == CHANNEL and row.enabled:
            return row
    rows = [row for row in await store.channels.connectors() if row.kind == CHANNEL]
    return next((row for row in rows if row.enabled), None)


async def reply(
    store: Store,
    organisation: Organisation,
    lead_id: int,
    *,
    text: str | None,
    template: str | None = None,
    parameters: Sequence[str] = (),
    language: str | None = None,
    actor: Actor,
    now: datetime,
) -> activities.Recorded:
    """Write the reply as an outbound message activity and queue it for sending: free text, or
    the approved `template` (by name, and language when it has several) with one parameter per
    variable of its body. Free text is refused outside the window (`window_closed`), a template
    when none is configured (`no_template`); an unknown template, a wrong number of parameters
    or an empty one is `InvalidLead` naming `template`, `parameters` or `parameters.N`. The
    activity's text is what the person reads. The caller has checked the actor may work the
    lead, and commits."""
    lead = await store.leads.get(lead_id)
    if lead is None:
        raise UnknownLead(lead_id)
    found = await conversation(store, lead, now)
    if found is None:
        raise ReplyRefused("no_whatsapp", "this lead has no WhatsApp conversation")
    if template is not None:
        body, detail = _template_message(found, template, language, parameters)
    else:
        body, detail = _text_message(found, text)
    activity = ActivityIn(
        kind=ActivityKind.MESSAGE,
        direction="outbound",
        channel=activities.Channel.WHATSAPP,
        text=detail.get("text"),
        detail={key: value for key, value in detail.items() if key != "text"},
    )
    recorded = await activities.record(store, organisation, lead.id, activity, actor=actor, now=now)
    await store.outbox.add(
        topic=TOPIC,
        channel=CHANNEL,
        recipient=found.connector_key,
        payload={"lead_id": lead.id, "activity_id": recorded.activity.id, "body": body},
        idempotency_key=f"{TOPIC}:{recorded.activity.id}",
    )
    return recorded


def _template_message(
    found: Conversation, name: str, language: str | None, parameters: Sequence[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    if not found.templates:
        raise ReplyRefused("no_template", "no approved template is configured")
    chosen = found.template(name.strip(), language)
    if chosen is None:
        known = ", ".join(f"{t.name} ({t.language})" for t in found.templates)
        raise InvalidLead([InvalidField("template", f"not an approved template here: {known}")])
    try:
        values = templates.checked_parameters(chosen, parameters)
    except InvalidField as invalid:
        raise InvalidLead([invalid]) from None
    body = messages.template_body(
        found.address, chosen.name, chosen.language, chosen.components(values)
    )
    detail = {
        "status": "queued", "type": "template", "template": chosen.name,
        "language": chosen.language, "parameters": values, "text": chosen.render(values)[:5000],
    }  # fmt: skip
    return body, detail


def _text_message(found: Conversation, text: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    words = (text or "").strip()
    if not words:
        raise InvalidLead([InvalidField("text", "write the message")])
    if len(words) > 4096:
        raise InvalidLead([InvalidField("text", "WhatsApp takes at most 4096 characters")])
    if found.mode is not Mode.TEXT:
        raise ReplyRefused(
            "window_closed",
            "more than 24 hours since the person last wrote: only a template may be sent",
        )
    return messages.text_body(found.address, words), {"status": "queued", "type": "text",
                                                      "text": words}  # fmt: skip


# --- the sender the outbox calls -------------------------------------------------------------


class WhatsAppReplies:
    """`notify.MessageSender` for WhatsApp: sends an outbox reply through its connector and
    writes what WhatsApp answered on the message's activity (its own transaction)."""

    def __init__(self, database: Database, vault: Vault, client: httpx.AsyncClient) -> None:
        self.database = database
        self.vault = vault
        self.client = client

    async def send(self, event: Event, connector: str) -> None:
        activity_id = int(event.payload["activity_id"])
        body = dict(event.payload["body"])
        channel = await self._channel(connector)
        try:
            wamid = await messages.send(self.client, _sender(channel), body)
        except SendFailed as failure:
            await self._settle(activity_id, _failed_detail(failure))
            if failure.remedy is Remedy.RECONNECT:
                await self._alert(channel, str(failure))
            raise _delivery_failure(failure) from failure
        await self._settle(activity_id, {"status": "accepted", "wamid": wamid, "error": None})

    async def _channel(self, key: str) -> Channel:
        async with open_store(self.database) as store:
            row = await store.channels.connector(key)
        if row is None or row.kind != CHANNEL:
            raise DeliveryFailed(f"WhatsApp connector {key!r} does not exist", permanent=True)
        if not row.enabled:
            raise DeliveryFailed(f"WhatsApp connector {key!r} is disabled")
        return channel_of(row, self.vault)

    async def _alert(self, channel: Channel, reason: str) -> None:
        """The access token was rejected (190): the admins are told, as for Meta's."""
        async with open_store(self.database) as store:
            await connectors.alert_token_invalid(
                store, channel, channel.secrets.get("access_token", ""), reason,
                secret=N_("access token"), meanwhile=RECONNECT,
            )  # fmt: skip
            await store.commit()

    async def _settle(self, activity_id: int, changes: dict[str, Any]) -> None:
        async with open_store(self.database) as store:
            activity = await store.conversations.activity(activity_id, for_update=True)
            if activity is None:
                return
            detail = dict(activity.detail)
            if detail.get("status") in ("sent", "delivered", "read") and "status" in changes:
                changes = {k: v for k, v in changes.items() if k != "status"}
            await store.conversations.set_detail(activity_id, {**detail, **changes})
            await store.commit()


def _sender(channel: Channel) -> messages.Sender:
    sender = sender_of(channel)
    if sender is None:
        raise DeliveryFailed(
            f"WhatsApp connector {channel.key!r} needs a phone_number_id and an access_token",
            permanent=True,
        )
    return sender


def _failed_detail(failure: SendFailed) -> dict[str, Any]:
    remedy = failure.remedy
    status = "retrying" if remedy is Remedy.RETRY else "failed"
    return {"status": status, "error_code": failure.code, "error": failure.message,
            "remedy": remedy.value}  # fmt: skip


def _delivery_failure(failure: SendFailed) -> DeliveryFailed:
    return DeliveryFailed(str(failure), permanent=failure.remedy is not Remedy.RETRY)
