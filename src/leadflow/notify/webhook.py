"""Webhooks: an HTTP POST per event, plain JSON or a Slack incoming-webhook message, signed
with HMAC-SHA256 when the endpoint has a secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx

from leadflow import __version__
from leadflow.notify.errors import DeliveryFailed
from leadflow.notify.events import Event, details, headline

SIGNATURE_HEADER = "X-Leadflow-Signature"


@dataclass(frozen=True)
class WebhookTarget:
    key: str
    url: str
    format: Literal["json", "slack"] = "json"
    secret: str | None = None


class WebhookSender(Protocol):
    async def send(self, target: WebhookTarget, event: Event) -> None:
        """POST `event` to `target`; raises DeliveryFailed."""


def body(target: WebhookTarget, event: Event) -> bytes:
    document = slack_message(event) if target.format == "slack" else json_document(event)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def json_document(event: Event) -> dict[str, Any]:
    return {
        "id": event.key,
        "topic": event.topic,
        "occurred_at": event.occurred_at.isoformat(),
        "data": dict(event.payload),
    }


def slack_message(event: Event) -> dict[str, Any]:
    """Slack's incoming-webhook shape: `text` for notifications, `blocks` for the message."""
    title = headline(event.topic, event.payload)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_escape(title)}*"}}
    ]
    fields = [
        {"type": "mrkdwn", "text": f"*{label}*\n{_escape(value)}"}
        for label, value in details(event.payload)
    ]
    if fields:
        blocks.append({"type": "section", "fields": fields[:10]})  # Slack's limit per section
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"`{event.topic}`"}]})
    return {"text": title, "blocks": blocks}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def signature(secret: str, content: bytes) -> str:
    """`sha256=<hex>`: receivers recompute it over the raw body with the shared secret."""
    digest = hmac.new(secret.encode(), content, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def headers(target: WebhookTarget, event: Event, content: bytes) -> dict[str, str]:
    found = {
        "Content-Type": "application/json",
        "User-Agent": f"Leadflow/{__version__}",
        "Idempotency-Key": event.key,
        "X-Leadflow-Topic": event.topic,
    }
    if target.secret:
        found[SIGNATURE_HEADER] = signature(target.secret, content)
    return found


def failure(status: int) -> DeliveryFailed | None:
    """None for 2xx; a 4xx other than 408 and 429 is the receiver's final answer."""
    if 200 <= status < 300:
        return None
    permanent = 400 <= status < 500 and status not in (408, 429)
    return DeliveryFailed(f"HTTP {status}", permanent=permanent)


class HttpWebhookSender:
    """Sends over one shared httpx client (connection reuse; the caller owns its lifetime)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, target: WebhookTarget, event: Event) -> None:
        content = body(target, event)
        try:
            response = await self.client.post(
                target.url, content=content, headers=headers(target, event, content)
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        failed = failure(response.status_code)
        if failed is not None:
            raise DeliveryFailed(
                f"{failed.reason} from {target.key}: {response.text[:200]}",
                permanent=failed.permanent,
            )
