"""A local WhatsApp Cloud API (Messages and Media endpoints), speaking what Meta documents:
`POST /v{N}/{phone_number_id}/messages` with the business token as a bearer, a text or template
message addressed `to` a wa_id or to a business-scoped user id (`recipient`), answered
`{"messaging_product", "contacts": [{"input", "wa_id" | "user_id"}], "messages": [{"id"}]}`;
failures in Graph's error envelope `{"error": {message, type, code, error_data:
{messaging_product, details}, fbtrace_id}}` with the HTTP status Meta uses for each code.

Media a person sent (`add_media`) is described by `GET /v{N}/{media_id}` with the token
(`{"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}`) and served at that
URL to the same bearer token only; `fail_media` injects error codes into the next descriptions.

A test injects the next answers' error codes (`fail`) and reads what was sent (`sent`).
Served by pytest-httpserver (werkzeug in a thread).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

ERRORS = {
    190: (401, "OAuthException", "Error validating access token: Session has expired.",
          "The access token has expired"),
    130429: (429, "OAuthException", "(#130429) Rate limit hit",
             "Cloud API message throughput has been reached."),
    131026: (400, "OAuthException", "(#131026) Message undeliverable",
             "Message Undeliverable."),
    131047: (400, "OAuthException", "(#131047) Re-engagement message",
             "Message failed to send because more than 24 hours have passed since the customer "
             "last replied to this number."),
    131000: (500, "OAuthException", "(#131000) Something went wrong",
             "Message failed to send due to an unknown error."),
    100: (400, "OAuthException", "(#100) Invalid parameter", "Invalid parameter"),
    132000: (400, "OAuthException", "(#132000) Number of parameters does not match the expected "
             "number of params", "body: number of localizable_params (1) does not match the "
             "expected number of params (2)"),
    132001: (404, "OAuthException", "(#132001) Template name does not exist in the translation",
             "The template does not exist in the specified language or is not approved."),
}  # fmt: skip


def error_body(code: int, details: str | None = None) -> tuple[int, dict[str, Any]]:
    status, kind, message, standard = ERRORS[code]
    details = details or standard
    return status, {
        "error": {
            "message": message,
            "type": kind,
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details},
            "fbtrace_id": secrets.token_urlsafe(12),
        }
    }


@dataclass
class FakeWhatsApp:
    server: HTTPServer
    phone_number_id: str = "106540352242922"
    token: str = "EAAG-fake-token-1234"
    version: str = "25.0"
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: deque[int] = field(default_factory=deque)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    media_failures: deque[int] = field(default_factory=deque)
    downloads: list[str] = field(default_factory=list)
    """The media ids whose bytes were downloaded, in order."""
    waba_id: str = "102290129340398"
    manager: list[dict[str, Any]] = field(default_factory=list)
    """The templates WhatsApp Manager lists (`GET /{waba_id}/message_templates`), as Graph
    gives them: name, language, status, components; served two a page."""
    templates: dict[tuple[str, str], int] = field(default_factory=dict)
    """The approved templates, (name, language) → the number of body variables. A template
    message naming another is refused with 132001, one with the wrong number of body
    parameters with 132000."""

    def __post_init__(self) -> None:
        path = f"/v{self.version}/{self.phone_number_id}/messages"
        self.server.expect_request(path, method="POST").respond_with_handler(self._messages)
        self.server.expect_request(ATTACHMENTS, method="GET").respond_with_handler(self._bytes)
        listing = f"/v{self.version}/{self.waba_id}/message_templates"
        self.server.expect_request(listing, method="GET").respond_with_handler(self._listing)
        media = re.compile(rf"^/v{re.escape(self.version)}/[0-9]+$")
        self.server.expect_request(media, method="GET").respond_with_handler(self._describe)

    @property
    def api_base(self) -> str:
        return self.server.url_for("").rstrip("/")

    def fail(self, *codes: int) -> None:
        """The next requests are answered with these WhatsApp error codes, in order."""
        self.failures.extend(codes)

    def add_media(self, media_id: str, content: bytes, mime_type: str) -> None:
        """A file a person sent, to be described and downloaded."""
        self.media[media_id] = (content, mime_type)

    def fail_media(self, *codes: int) -> None:
        """The next media descriptions are answered with these error codes, in order."""
        self.media_failures.extend(codes)

    def _listing(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json(*error_body(190))
        start = int(request.args.get("after") or 0)
        page = self.manager[start : start + 2]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + 2)}}
        if start + 2 < len(self.manager):
            url = self.server.url_for(request.path)
            paging["next"] = f"{url}?fields={request.args.get('fields', '')}&after={start + 2}"
        return _json(200, {"data": page, "paging": paging})

    def _describe(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json(*error_body(190))
        if self.media_failures:
            return _json(*error_body(self.media_failures.popleft()))
        media_id = request.path.rsplit("/", 1)[-1]
        if media_id not in self.media:
            return _json(*error_body(100, f"Unsupported get request. Object with ID '{media_id}' "
                                          "does not exist"))  # fmt: skip
        content, mime_type = self.media[media_id]
        url = self.server.url_for(ATTACHMENTS) + f"?mid={media_id}&ext=1780000000&hash=ATs1"
        return _json(
            200,
            {
                "messaging_product": "whatsapp",
                "url": url,
                "mime_type": mime_type,
                "sha256": hashlib.sha256(content).hexdigest(),
                "file_size": str(len(content)),
                "id": media_id,
            },
        )

    def _bytes(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Response("", status=401)
        media_id = request.args.get("mid", "")
        if media_id not in self.media:
            return Response("", status=404)
        content, mime_type = self.media[media_id]
        self.downloads.append(media_id)
        return Response(content, status=200, content_type=mime_type)

    def _messages(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json(*error_body(190))
        if self.failures:
            return _json(*error_body(self.failures.popleft()))
        body = json.loads(request.get_data())
        problem = _problem(body)
        if problem:
            return _json(*error_body(100, f"Invalid parameter: {problem}"))
        if body["type"] == "template":
            refused = self._template_problem(body["template"])
            if refused:
                return _json(*refused)
        message_id = f"wamid.{secrets.token_hex(16)}"
        self.sent.append({**body, "id": message_id})
        contact = {"input": body.get("to") or body["recipient"]}
        contact |= {"wa_id": body["to"]} if body.get("to") else {"user_id": body["recipient"]}
        return _json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [contact],
                "messages": [{"id": message_id}],
            },
        )

    def _template_problem(self, template: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        name, language = template["name"], template["language"]["code"]
        expected = self.templates.get((name, language))
        if expected is None:
            return error_body(132001, f"template name ({name}) does not exist in {language}")
        given = sum(
            len(component["parameters"])
            for component in template.get("components") or []
            if component["type"] == "body"
        )
        if given != expected:
            return error_body(
                132000,
                f"body: number of localizable_params ({given}) does not match the expected "
                f"number of params ({expected})",
            )
        return None


ATTACHMENTS = "/whatsapp_business/attachments/"
"""Where media URLs point (Meta's are on lookaside.fbsbx.com, valid for 5 minutes)."""


def _problem(body: dict[str, Any]) -> str | None:
    if body.get("messaging_product") != "whatsapp":
        return "messaging_product"
    if not body.get("to") and not body.get("recipient"):
        return "to"
    kind = body.get("type")
    if kind == "text" and not (body.get("text") or {}).get("body"):
        return "text.body"
    if kind == "template":
        template = body.get("template") or {}
        if not template.get("name") or not (template.get("language") or {}).get("code"):
            return "template"
        return _components_problem(template.get("components"))
    elif kind != "text":
        return "type"
    return None


def _components_problem(components: Any) -> str | None:
    """The template object's `components` as Meta documents them: a list of {"type": "header"
    | "body" | "button", "parameters": [{"type": "text", "text": …}, …]}."""
    if components is None:
        return None
    if not isinstance(components, list):
        return "template.components"
    for c, component in enumerate(components):
        where = f"template.components[{c}]"
        if not isinstance(component, dict) or component.get("type") not in (
            "header",
            "body",
            "button",
        ):
            return f"{where}.type"
        parameters = component.get("parameters")
        if not isinstance(parameters, list):
            return f"{where}.parameters"
        for p, parameter in enumerate(parameters):
            if not isinstance(parameter, dict) or parameter.get("type") != "text":
                return f"{where}.parameters[{p}].type"
            text = parameter.get("text")
            if not isinstance(text, str) or not text.strip():
                return f"{where}.parameters[{p}].text"
    return None


def _json(status: int, document: dict[str, Any]) -> Response:
    return Response(json.dumps(document), status=status, content_type="application/json")


def notification(
    *,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    phone_number_id: str = "106540352242922",
) -> dict[str, Any]:
    """A `whatsapp_business_account` notification as Meta sends it (one entry, one change)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }


def text_message(
    message_id: str,
    text: str,
    *,
    wa_id: str | None = "4915123456789",
    user_id: str | None = None,
    name: str = "Lena Vogel",
    timestamp: int = 1_780_000_000,
    referral: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A notification of one text message from one person: by phone (`wa_id`), by BSUID
    (`user_id`), or both."""
    contact: dict[str, Any] = {"profile": {"name": name}}
    message: dict[str, Any] = {
        "id": message_id,
        "timestamp": str(timestamp),
        "type": "text",
        "text": {"body": text},
    }
    if wa_id:
        contact["wa_id"] = wa_id
        message["from"] = wa_id
    if user_id:
        contact["user_id"] = user_id
        message["from_user_id"] = user_id
    if referral:
        message["referral"] = referral
    return notification(messages=[message], contacts=[contact])


def media_message(
    message_id: str,
    kind: str,
    media_id: str,
    mime_type: str,
    *,
    caption: str | None = None,
    filename: str | None = None,
    wa_id: str = "4915123456789",
    name: str = "Lena Vogel",
    timestamp: int = 1_780_000_000,
) -> dict[str, Any]:
    """A notification of one image, document, audio, video or sticker message."""
    part: dict[str, Any] = {"id": media_id, "mime_type": mime_type, "sha256": "ignored-b64="}
    if caption:
        part["caption"] = caption
    if filename:
        part["filename"] = filename
    message: dict[str, Any] = {
        "from": wa_id,
        "id": message_id,
        "timestamp": str(timestamp),
        "type": kind,
    }
    message[kind] = part
    contact = {"wa_id": wa_id, "profile": {"name": name}}
    return notification(messages=[message], contacts=[contact])


def status(
    message_id: str,
    state: str,
    *,
    recipient_id: str = "4915123456789",
    timestamp: int = 1_780_000_100,
    error_code: int | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": message_id,
        "status": state,
        "timestamp": str(timestamp),
        "recipient_id": recipient_id,
    }
    if error_code is not None:
        _, _, title, details = ERRORS[error_code]
        item["errors"] = [
            {"code": error_code, "title": title, "message": title,
             "error_data": {"details": details}}
        ]  # fmt: skip
    return notification(statuses=[item])
