"""Meta's webhook, pure: the subscription handshake, the `X-Hub-Signature-256` check and the
`leadgen` notifications read into receipts.

Meta signs the raw body with the app secret (HMAC-SHA256, lowercase hex, `sha256=` prefix);
the check runs on the bytes as received, since a re-serialised body would not match. Both secret
comparisons take constant time. Sources: developers.facebook.com/docs/graph-api/webhooks/
getting-started; protocols.md A1.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from leadflow.connectors.inbound import Receipt

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def challenge_answer(query: Mapping[str, str], verify_token: str) -> str | None:
    """The body that accepts a subscription handshake (`hub.challenge` echoed), or None when
    the request is not a handshake with our verify token (answered 403)."""
    mode = query.get("hub.mode")
    token = query.get("hub.verify_token")
    challenge = query.get("hub.challenge")
    if mode != "subscribe" or token is None or challenge is None or not verify_token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge


def signature(body: bytes, app_secret: str) -> str:
    """The header value Meta sends with `body` (what a test or the fake sends)."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signed(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` is the app secret's signature of exactly these bytes."""
    if not header or not app_secret or not header.startswith(_PREFIX):
        return False
    expected = signature(body, app_secret).encode()
    return hmac.compare_digest(header.strip().lower().encode("ascii", "replace"), expected)


class MalformedNotification(ValueError):
    """A signed body that is not a notification as Meta documents it; names what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where


@dataclass(frozen=True)
class Leadgen:
    """One `leadgen` change: a lead was submitted. Ids only; the lead is fetched from Graph."""

    leadgen_id: str
    page_id: str | None
    form_id: str | None
    ad_id: str | None
    adgroup_id: str | None
    created_at: datetime | None
    value: dict[str, Any]
    """The change's value as Meta sent it (stored with the event)."""


def leadgen_changes(body: bytes) -> list[Leadgen]:
    """The `leadgen` changes of a notification, in the order sent. Several entries and changes
    may come in one POST; other objects and fields are none of ours and skipped."""
    document = _json(body)
    if document.get("object") != "page":
        return []
    entries = document.get("entry")
    if not isinstance(entries, list):
        raise MalformedNotification("entry", "must be a list")
    found: list[Leadgen] = []
    for e, entry in enumerate(entries):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise MalformedNotification(f"entry[{e}].changes", "must be a list")
        for c, change in enumerate(changes):
            if isinstance(change, dict) and change.get("field") == "leadgen":
                found.append(_leadgen(change.get("value"), entry, f"entry[{e}].changes[{c}]"))
    return found


def receipts(body: bytes) -> list[Receipt]:
    """A notification's leads as receipts, one per `leadgen_id` (the change value as Meta sent
    it is the payload; a lead named twice in one POST is one receipt)."""
    seen: dict[str, Receipt] = {}
    for change in leadgen_changes(body):
        seen.setdefault(
            change.leadgen_id,
            Receipt(change.leadgen_id, "lead", change.value, occurred_at=change.created_at),
        )
    return list(seen.values())


def _json(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedNotification("body", "is not JSON") from None
    if not isinstance(document, dict):
        raise MalformedNotification("body", "must be a JSON object")
    return document


def _leadgen(value: Any, entry: dict[str, Any], where: str) -> Leadgen:
    if not isinstance(value, dict):
        raise MalformedNotification(f"{where}.value", "must be an object")
    leadgen_id = _id(value.get("leadgen_id"))
    if leadgen_id is None:
        raise MalformedNotification(f"{where}.value.leadgen_id", "is missing")
    return Leadgen(
        leadgen_id=leadgen_id,
        page_id=_id(value.get("page_id")) or _id(entry.get("id")),
        form_id=_id(value.get("form_id")),
        ad_id=_id(value.get("ad_id")),
        adgroup_id=_id(value.get("adgroup_id")),
        created_at=_unix(value.get("created_time")),
        value=value,
    )


def _id(value: Any) -> str | None:
    """Graph ids are numeric strings; some senders (and Meta's own samples) send numbers."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, int | str):
        return str(value)
    return None


def _unix(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
