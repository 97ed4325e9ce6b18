"""Webhooks: an HTTP POST per event, plain JSON or a Slack incoming-webhook message, signed
with HMAC-SHA256 when the endpoint has a secret."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

import httpx

from leadflow import __version__
from leadflow.domain.network import is_public
from leadflow.locale.catalogs import DEFAULT_LOCALE
from leadflow.notify.errors import DeliveryFailed
from leadflow.notify.events import UTC, Event, details, headline

SIGNATURE_HEADER = "X-Leadflow-Signature"


@dataclass(frozen=True)
class WebhookTarget:
    key: str
    url: str
    format: Literal["json", "slack"] = "json"
    secret: str | None = None
    allow_private_network: bool = False
    locale: str = DEFAULT_LOCALE
    """The language of its words (the organisation's: a webhook has no reader account)."""
    zone: ZoneInfo = UTC
    """The organisation's time zone, for the moments in its words."""


class WebhookSender(Protocol):
    async def send(self, target: WebhookTarget, event: Event) -> None:
        """POST `event` to `target`; raises DeliveryFailed."""


def body(target: WebhookTarget, event: Event) -> bytes:
    if target.format == "slack":
        document = slack_message(event, target.locale, target.zone)
    else:
        document = json_document(event, target.locale, target.zone)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def json_document(
    event: Event, locale: str = DEFAULT_LOCALE, zone: ZoneInfo = UTC
) -> dict[str, Any]:
    """The event's fields as they are (`data`: the same in every language), and beside them
    its words in `locale`: `text`, one line, and `details`, labelled values."""
    return {
        "id": event.key,
        "topic": event.topic,
        "occurred_at": event.occurred_at.isoformat(),
        "data": dict(event.payload),
        "locale": locale,
        "text": headline(event.topic, event.payload, locale, zone),
        "details": [
            {"label": label, "value": value}
            for label, value in details(event.payload, locale, zone)
        ],
    }


def slack_message(
    event: Event, locale: str = DEFAULT_LOCALE, zone: ZoneInfo = UTC
) -> dict[str, Any]:
    """Slack's incoming-webhook shape: `text` for notifications, `blocks` for the message;
    the words in `locale`."""
    title = headline(event.topic, event.payload, locale, zone)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_escape(title)}*"}}
    ]
    fields = [
        {"type": "mrkdwn", "text": f"*{label}*\n{_escape(value)}"}
        for label, value in details(event.payload, locale, zone)
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


async def resolved_address(target: WebhookTarget, url: httpx.URL) -> str | None:
    """The address to connect to for `url`, after checking every address its host resolves
    to is public; None when the target may use private addresses (the client resolves).

    A private address is refused for good (permanent): retrying cannot change the answer
    until someone changes the configuration."""
    if target.allow_private_network:
        return None
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            url.host, port, type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise DeliveryFailed(f"cannot resolve {url.host}: {exc}") from exc
    addresses = [str(info[4][0]) for info in found]
    private = next((a for a in addresses if not is_public(a)), None)
    if private is not None or not addresses:
        raise DeliveryFailed(
            f"webhook {target.key}: {url.host} resolves to {private}, a private network "
            "address; refused unless the webhook sets allow_private_network: true",
            permanent=True,
        )
    return addresses[0]


class HttpWebhookSender:
    """Sends over one shared httpx client (connection reuse; the caller owns its lifetime)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, target: WebhookTarget, event: Event) -> None:
        content = body(target, event)
        url = httpx.URL(target.url)
        pinned = await resolved_address(target, url)
        request_headers = headers(target, event, content)
        extensions = {}
        if pinned is not None:
            # Connect to the address just checked, not to what a second look-up may answer
            # (DNS rebinding); the Host header and TLS still name the host.
            request_headers["Host"] = url.netloc.decode("ascii")
            extensions["sni_hostname"] = url.host
            url = url.copy_with(host=pinned)
        try:
            response = await self.client.post(
                url,
                content=content,
                headers=request_headers,
                extensions=extensions,
                follow_redirects=False,  # a redirect could lead to a private address
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        failed = failure(response.status_code)
        if failed is not None:
            raise DeliveryFailed(
                f"{failed.reason} from {target.key}: {response.text[:200]}",
                permanent=failed.permanent,
            )
