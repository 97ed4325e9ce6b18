"""The WhatsApp Cloud API's Messages endpoint: a reply sent as free text or as an approved
template, and its errors sorted by what to do about them.

`POST {api_base}/v{version}/{phone_number_id}/messages` with the business token as a bearer.
A person known by phone is addressed with `to` (digits); one known only by a business-scoped
user id with `recipient` (Meta: "use `to` when you can"). Errors come in Graph's envelope
`{"error": {"message", "type", "code", "error_data": {"messaging_product", "details"},
"fbtrace_id"}}`. Sources: developers.facebook.com/documentation/business-messaging/whatsapp/
support/error-codes and …/business-scoped-user-ids; protocols.md A3.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

DEFAULT_API_BASE = "https://graph.facebook.com"
DEFAULT_VERSION = "25.0"

WINDOW_CLOSED = 131047
"""Re-engagement: more than 24 hours since the person last wrote; only a template may go."""
THROUGHPUT = 130429
"""Rate limit hit: the number's messages per second were reached; try again later."""
UNDELIVERABLE = 131026
"""The person cannot receive it (not on WhatsApp, old app, terms not accepted)."""
TEMPLATE_PARAMETERS = 132000
"""The number of parameters does not match the approved template's: not retried."""
TEMPLATE_MISSING = 132001
"""No such template in that language (or not approved): not retried."""
TOKEN = 190
"""The access token expired or was revoked."""
_TRANSIENT = frozenset({1, 2, 4, 17, 80007, 131000, 131016, 131056, 133004, THROUGHPUT})
"""Graph's and WhatsApp's "try again" codes: unknown/service errors, rate limits, pair rate,
service unavailable."""


class Remedy(StrEnum):
    """What a failed send calls for."""

    RETRY = "retry"
    """Transient: the outbox tries again with backoff."""
    TEMPLATE = "template"
    """The 24-hour window is closed: the agent must send a template."""
    RECONNECT = "reconnect"
    """The token is bad: an admin enters a new one, then the message is retried by hand."""
    GIVE_UP = "give_up"
    """It will never go as it is (undeliverable, a bad parameter)."""


@dataclass(frozen=True)
class Address:
    """Who a reply goes to: their wa_id (digits) when WhatsApp shared it, else their BSUID."""

    wa_id: str | None = None
    user_id: str | None = None

    def fields(self) -> dict[str, str]:
        if self.wa_id:
            return {"to": self.wa_id}
        if self.user_id:
            return {"recipient": self.user_id}
        raise ValueError("a reply needs a wa_id or a business-scoped user id")


def text_body(address: Address, text: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **address.fields(),
        "type": "text",
        "text": {"preview_url": False, "body": text},
    }


def template_body(
    address: Address, name: str, language: str, components: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A template message; `components` carry its parameters (`templates.Template.components`)."""
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        template["components"] = components
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **address.fields(),
        "type": "template",
        "template": template,
    }


class SendFailed(Exception):
    """WhatsApp refused a message (or could not be reached): its code and what to do."""

    def __init__(self, code: int | None, message: str, *, http_status: int | None = None) -> None:
        super().__init__(f"WhatsApp error {code}: {message}" if code else message)
        self.code = code
        self.message = message
        self.http_status = http_status

    @property
    def remedy(self) -> Remedy:
        return remedy_of(self.code, self.http_status)


def remedy_of(code: int | None, http_status: int | None = None) -> Remedy:
    """What a WhatsApp error code calls for; without a code (no answer, a proxy's page) a
    server error or a timeout is retried and anything else given up."""
    if code == WINDOW_CLOSED:
        return Remedy.TEMPLATE
    if code in (TOKEN, 102):
        return Remedy.RECONNECT
    if code in _TRANSIENT:
        return Remedy.RETRY
    if code is None and (http_status is None or http_status >= 500 or http_status == 429):
        return Remedy.RETRY
    return Remedy.GIVE_UP


@dataclass(frozen=True)
class Sender:
    """One business number's access to the Messages API."""

    phone_number_id: str
    token: str
    api_base: str = DEFAULT_API_BASE
    version: str = DEFAULT_VERSION

    @property
    def url(self) -> str:
        version = self.version.removeprefix("v")
        return f"{self.api_base.rstrip('/')}/v{version}/{self.phone_number_id}/messages"


async def send(client: httpx.AsyncClient, sender: Sender, body: dict[str, Any]) -> str:
    """Send one message; returns its id (`wamid.…`), which its statuses will name. Raises
    SendFailed with WhatsApp's code."""
    try:
        response = await client.post(
            sender.url, json=body, headers={"Authorization": f"Bearer {sender.token}"}
        )
    except httpx.HTTPError as exc:
        raise SendFailed(None, f"WhatsApp could not be reached: {type(exc).__name__}") from exc
    document = json_of(response)
    if response.is_success:
        messages = document.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            message_id = messages[0].get("id")
            if isinstance(message_id, str) and message_id:
                return message_id
        raise SendFailed(None, "WhatsApp answered without a message id", http_status=502)
    raise _failure(document, response.status_code)


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object; {} when it is none (a proxy's page, an empty body)."""
    try:
        document = response.json()
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _failure(document: dict[str, Any], status: int) -> SendFailed:
    error = _object(document.get("error"))
    code = error.get("code")
    data = _object(error.get("error_data"))
    words = data.get("details") or error.get("message") or f"HTTP {status}"
    return SendFailed(code if isinstance(code, int) else None, str(words), http_status=status)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
