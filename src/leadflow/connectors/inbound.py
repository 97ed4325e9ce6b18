"""The one inbound shape every channel speaks (pure).

A vendor's webhook handler turns one delivery into `Receipt`s (one per item: a lead, a message,
a status, a call), which are stored as they came before the delivery is acknowledged. Later a
processor registered for the connector's kind reads one stored item and says what it is:

- `LeadIn`: a lead, with its attribution (intake stores and routes it once per external id);
- `MessageIn`: a message from (or to) a person, e.g. WhatsApp;
- `CallIn`: a phone call with its times;
- `StatusIn`: a delivery status of a message we sent;
- `Retry`: not now (the vendor's API is down or rate-limited): try again after `after`;
- `Invalid`: it can never be processed as it is: kept dead with `reason`, replayable after a fix.

Nothing here does I/O; times are given, never read from a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

EventKind = Literal["lead", "message", "status", "call"]
EVENT_KINDS: tuple[EventKind, ...] = ("lead", "message", "status", "call")

ConnectorKind = Literal["meta", "google_ads", "whatsapp", "twilio"]
CONNECTOR_KINDS: tuple[ConnectorKind, ...] = ("meta", "google_ads", "whatsapp", "twilio")


@dataclass(frozen=True)
class Receipt:
    """One item of a vendor delivery, as the vendor sent it.

    `vendor_id` is the vendor's own id of the item (Meta `leadgen_id`, Google `lead_id`,
    WhatsApp message or status id, Twilio CallSid plus status): with the connector and `kind`
    it makes a repeated delivery a no-op."""

    vendor_id: str
    kind: EventKind
    payload: dict[str, Any]
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class LeadIn:
    """A lead a channel produced.

    `fields` are `LeadSubmission` field names (first_name, phone, email, country, message,
    gclid, campaign_id, adset_id, ad_id, utm_*, created_at…) with their values; `custom` the
    answers mapped to custom fields. `source` and `external_id` (the vendor's id) make it
    idempotent. `hints` are the pipeline hints (channel, campaign, form…), stored as custom
    fields that routing rules can read. A test lead (`is_test`, sent from the vendor's UI) is
    stored marked and routed to nobody."""

    source: str
    external_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    is_test: bool = False


@dataclass(frozen=True)
class Referral:
    """Where a conversation started (a click-to-WhatsApp ad): attribution for the lead."""

    source_id: str | None = None
    source_type: str | None = None
    source_url: str | None = None
    headline: str | None = None
    ctwa_clid: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (image, document, audio, video, sticker): the vendor's media
    id and what the message said of it; once downloaded, its bytes (`content`, with their
    checked `sha256` and the vendor's `mime_type`), or why it could not be (`unavailable`)."""

    media_id: str
    kind: str
    mime_type: str | None = None
    filename: str | None = None
    sha256: str | None = None
    content: bytes | None = None
    unavailable: str | None = None


@dataclass(frozen=True)
class MessageIn:
    """A message of a conversation. `sender` is the person's id on the channel (a WhatsApp
    wa_id or business-scoped user id); `phone` their number when the vendor gives it."""

    message_id: str
    sender: str
    at: datetime
    channel: str = "whatsapp"
    direction: Literal["in", "out"] = "in"
    phone: str | None = None
    name: str | None = None
    text: str | None = None
    message_type: str = "text"
    referral: Referral | None = None
    attachment: Attachment | None = None


CallStatus = Literal[
    "ringing", "in-progress", "completed", "busy", "no-answer", "failed", "canceled"
]


@dataclass(frozen=True)
class CallIn:
    """A phone call. `missed` when it ended unanswered (busy, no answer, cancelled)."""

    call_id: str
    caller: str
    called: str | None
    status: str
    ring_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    talk_s: int | None = None
    hold_s: int | None = None
    direction: Literal["in", "out"] = "in"

    @property
    def missed(self) -> bool:
        return self.status in ("busy", "no-answer", "canceled", "failed") or (
            self.status == "completed" and self.answered_at is None and not self.talk_s
        )


@dataclass(frozen=True)
class StatusIn:
    """What became of a message we sent: sent, delivered, read or failed (with the vendor's
    error code and title)."""

    message_id: str
    status: Literal["sent", "delivered", "read", "failed"]
    at: datetime
    error_code: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Retry:
    """Not now: try again no earlier than `after` (None: the backoff decides)."""

    reason: str
    after: timedelta | None = None


@dataclass(frozen=True)
class Invalid:
    """Can never be processed as it is: dead, with the reason an admin reads."""

    reason: str


@dataclass(frozen=True)
class Ignored:
    """Nothing to do (a status of a message we do not know, a vendor's ping)."""

    reason: str


Item = LeadIn | MessageIn | CallIn | StatusIn
Outcome = Item | Retry | Invalid | Ignored
"""What a processor says of one stored event."""
