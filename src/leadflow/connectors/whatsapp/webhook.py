"""WhatsApp's webhook, pure: a `whatsapp_business_account` notification read into receipts, and
a stored receipt read into the item it is.

A notification is `entry[].changes[]` of field `messages`; each change's `value` has the
business number (`metadata.phone_number_id`), the people (`contacts[]`: `wa_id`, `profile.name`
and, since April 2026, the business-scoped user id `user_id` like "BR.1502576394655843"), their
`messages[]` and the `statuses[]` of the messages we sent. A user who adopted a username may come
without a phone number: `wa_id` and `from` are then missing and only the BSUID names them
(`user_id`, `from_user_id`). The handshake and signature are Meta's (`connectors.signatures`).
Sources: developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/
messages and …/business-scoped-user-ids; protocols.md A3.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal, cast

from leadflow.connectors.inbound import Attachment, MessageIn, Receipt, Referral, StatusIn

OBJECT = "whatsapp_business_account"
STATUSES = ("sent", "delivered", "read", "failed")
MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
"""Message types that carry a media id (`message[type].id`) to download."""


class MalformedNotification(ValueError):
    """A signed body that is not a notification as Meta documents it; names what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where


def receipts(body: bytes) -> list[Receipt]:
    """A notification's messages (vendor id: the message id) and statuses (vendor id: the
    message id and the status, so `delivered` after `sent` is an event of its own), in the order
    sent. Each message's payload carries the contact who sent it and the business number."""
    document = _json(body)
    if document.get("object") != OBJECT:
        return []
    found: list[Receipt] = []
    for where, value in _values(document):
        found.extend(_receipts_of(value, where))
    unique: dict[tuple[str, str], Receipt] = {}
    for receipt in found:  # an item named twice in one POST is one receipt
        unique.setdefault((receipt.kind, receipt.vendor_id), receipt)
    return list(unique.values())


def _values(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    entries = document.get("entry")
    if not isinstance(entries, list):
        raise MalformedNotification("entry", "must be a list")
    values = []
    for e, entry in enumerate(entries):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise MalformedNotification(f"entry[{e}].changes", "must be a list")
        for c, change in enumerate(changes):
            if not isinstance(change, dict) or change.get("field") != "messages":
                continue
            where = f"entry[{e}].changes[{c}].value"
            value = change.get("value")
            if not isinstance(value, dict):
                raise MalformedNotification(where, "must be an object")
            values.append((where, value))
    return values


def _receipts_of(value: dict[str, Any], where: str) -> list[Receipt]:
    metadata = _object(value.get("metadata"))
    contacts = [c for c in _list(value, "contacts", where) if isinstance(c, dict)]
    found = []
    for m, message in enumerate(_list(value, "messages", where)):
        here = f"{where}.messages[{m}]"
        message_id = _text(message, "id", here)
        payload = {
            "message": message,
            "contact": _contact_of(message, contacts),
            "metadata": metadata,
        }
        found.append(Receipt(message_id, "message", payload, _time(message, here)))
    for s, status in enumerate(_list(value, "statuses", where)):
        here = f"{where}.statuses[{s}]"
        message_id, state = _text(status, "id", here), _text(status, "status", here)
        payload = {"status": status, "metadata": metadata}
        found.append(Receipt(f"{message_id}:{state}", "status", payload, _time(status, here)))
    return found


def _contact_of(message: dict[str, Any], contacts: list[dict[str, Any]]) -> dict[str, Any]:
    """The contact who sent `message`: the one with its `from` or `from_user_id`, else the only
    one (Meta sends one contact per message)."""
    for contact in contacts:
        if message.get("from") and contact.get("wa_id") == message.get("from"):
            return contact
        if message.get("from_user_id") and contact.get("user_id") == message.get("from_user_id"):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


# --- a stored receipt read back ------------------------------------------------------------


def message_in(payload: dict[str, Any]) -> MessageIn:
    """The message a stored receipt holds. `sender` is the person's BSUID when given, else their
    wa_id; `phone` their wa_id (digits) when WhatsApp shares it. Raises MalformedNotification."""
    message = payload.get("message")
    if not isinstance(message, dict):
        raise MalformedNotification("message", "must be an object")
    contact = _object(payload.get("contact"))
    wa_id = _optional(message.get("from")) or _optional(contact.get("wa_id"))
    user_id = _optional(message.get("from_user_id")) or _optional(contact.get("user_id"))
    sender = user_id or wa_id
    if sender is None:
        raise MalformedNotification("message.from", "names nobody (no from, no from_user_id)")
    at = _time(message, "message")
    kind = _optional(message.get("type")) or "unknown"
    profile = _object(contact.get("profile"))
    return MessageIn(
        message_id=_text(message, "id", "message"),
        sender=sender,
        at=at or datetime.fromtimestamp(0, UTC),
        phone=wa_id,
        name=_optional(profile.get("name")),
        text=text_of(message),
        message_type=kind,
        referral=_referral(message.get("referral")),
        attachment=attachment_of(message),
    )


def attachment_of(message: dict[str, Any]) -> Attachment | None:
    """The media an image, document, audio, video or sticker message carries: its id, and the
    mime type, file name (documents) and hash the message gives."""
    kind = message.get("type")
    part = message.get(kind) if kind in MEDIA_TYPES else None
    if not isinstance(kind, str) or not isinstance(part, dict):
        return None
    media_id = _optional(part.get("id"))
    if media_id is None:
        return None
    return Attachment(
        media_id=media_id,
        kind=kind,
        mime_type=_optional(part.get("mime_type")),
        filename=_optional(part.get("filename")),
        sha256=_optional(part.get("sha256")),
    )


def text_of(message: dict[str, Any]) -> str | None:
    """What the person wrote or chose: a text's body, a caption, a button's or list reply's
    title; None for what has no words (a sticker, a location)."""
    kind = message.get("type")
    part = message.get(kind) if isinstance(kind, str) else None
    if not isinstance(part, dict):
        return None
    if kind == "text":
        return _optional(part.get("body"))
    if kind == "button":
        return _optional(part.get("text"))
    if kind == "interactive":
        reply = part.get("button_reply") or part.get("list_reply") or {}
        return _optional(reply.get("title")) if isinstance(reply, dict) else None
    return _optional(part.get("caption"))


def _referral(referral: Any) -> Referral | None:
    if not isinstance(referral, dict):
        return None
    return Referral(
        source_id=_optional(referral.get("source_id")),
        source_type=_optional(referral.get("source_type")),
        source_url=_optional(referral.get("source_url")),
        headline=_optional(referral.get("headline")),
        ctwa_clid=_optional(referral.get("ctwa_clid")),
    )


def status_in(payload: dict[str, Any]) -> StatusIn:
    """The status a stored receipt holds, with the first error's code and title when failed."""
    status = payload.get("status")
    if not isinstance(status, dict):
        raise MalformedNotification("status", "must be an object")
    state = _text(status, "status", "status")
    if state not in STATUSES:
        raise MalformedNotification("status.status", f"unknown status {state!r}")
    errors = status.get("errors")
    first = _object(errors[0]) if isinstance(errors, list) and errors else {}
    code = first.get("code")
    return StatusIn(
        message_id=_text(status, "id", "status"),
        status=cast(Literal["sent", "delivered", "read", "failed"], state),
        at=_time(status, "status") or datetime.fromtimestamp(0, UTC),
        error_code=code if isinstance(code, int) else None,
        error=_optional(first.get("title")) or _optional(first.get("message")),
    )


# --- small readers ---------------------------------------------------------------------------


def _json(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedNotification("body", "is not JSON") from None
    if not isinstance(document, dict):
        raise MalformedNotification("body", "must be a JSON object")
    return document


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: dict[str, Any], name: str, where: str) -> list[Any]:
    items = value.get(name)
    if items is None:
        return []
    if not isinstance(items, list):
        raise MalformedNotification(f"{where}.{name}", "must be a list")
    return items


def _text(item: Any, name: str, where: str) -> str:
    value = item.get(name) if isinstance(item, dict) else None
    text = _optional(value)
    if text is None:
        raise MalformedNotification(f"{where}.{name}", "is missing")
    return text


def _optional(value: Any) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return None


def _time(item: Any, where: str) -> datetime | None:
    """A Unix timestamp (WhatsApp sends it as a string of seconds)."""
    raw = item.get("timestamp") if isinstance(item, dict) else None
    if raw is None:
        return None
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (TypeError, ValueError, OverflowError):
        raise MalformedNotification(f"{where}.timestamp", "is not a Unix time") from None
