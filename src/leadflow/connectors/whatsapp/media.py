"""Downloading a message's media from the WhatsApp Cloud API, the documented way.

1. `GET {api_base}/v{version}/{media_id}` with the business token as a bearer answers
   `{"messaging_product": "whatsapp", "url", "mime_type", "sha256", "file_size", "id"}`
   (`file_size` in bytes, sometimes as a string; `sha256` in hex; the URL lives 5 minutes).
2. `GET url` with the same bearer token answers the bytes.

Errors come in Graph's envelope as for sending (`messages.remedy_of` sorts the codes): a
throttled or failing API, a server error or a timeout is worth another try; a refused token, an
unknown media id, a file over the size cap or a hash that does not match the bytes twice is not.
Sources: developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-
numbers/media (retrieve media URL, download media); protocols.md A3.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

from leadflow.connectors.whatsapp.messages import Remedy, Sender, json_of, remedy_of

MAX_BYTES = 16 * 1024 * 1024
"""The largest file kept: WhatsApp's own limit for audio and video (images are at most 5 MB)."""


class MediaFailure(Exception):
    """The media could not be had; `transient` when another try may succeed."""

    def __init__(self, reason: str, *, transient: bool, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.code = code


@dataclass(frozen=True)
class Media:
    content: bytes
    mime_type: str
    sha256: str
    """Hex, checked against the bytes."""


def media_url(sender: Sender, media_id: str) -> str:
    version = sender.version.removeprefix("v")
    return f"{sender.api_base.rstrip('/')}/v{version}/{media_id}"


async def download(
    client: httpx.AsyncClient, sender: Sender, media_id: str, *, max_bytes: int = MAX_BYTES
) -> Media:
    """The media's bytes, checked (size, sha256). Raises MediaFailure."""
    headers = {"Authorization": f"Bearer {sender.token}"}
    document = await _get_json(client, media_url(sender, media_id), headers)
    url = document.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise MediaFailure("WhatsApp gave no download URL for the media", transient=True)
    declared = _size(document.get("file_size"))
    if declared is not None and declared > max_bytes:
        raise MediaFailure(_too_big(declared, max_bytes), transient=False)
    content = await _get_bytes(client, url, headers, max_bytes)
    digest = hashlib.sha256(content).hexdigest()
    expected = str(document.get("sha256") or "").lower()
    if expected and expected != digest:
        raise MediaFailure(
            f"the file's sha256 {digest[:12]}… does not match WhatsApp's {expected[:12]}…",
            transient=True,
        )
    mime_type = str(document.get("mime_type") or "application/octet-stream")
    return Media(content=content, mime_type=mime_type[:255], sha256=digest)


async def _get_json(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    try:
        response = await client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise MediaFailure(
            f"WhatsApp could not be reached: {type(exc).__name__}", transient=True
        ) from exc
    document = json_of(response)
    if not response.is_success:
        raise _failure(document, response.status_code)
    return document


async def _get_bytes(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], max_bytes: int
) -> bytes:
    try:
        async with client.stream("GET", url, headers=headers) as response:
            if not response.is_success:
                await response.aread()
                raise _failure({}, response.status_code)
            chunks: list[bytes] = []
            received = 0
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > max_bytes:
                    raise MediaFailure(_too_big(received, max_bytes), transient=False)
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise MediaFailure(
            f"the media download failed: {type(exc).__name__}", transient=True
        ) from exc
    return b"".join(chunks)


def _failure(document: dict[str, Any], status: int) -> MediaFailure:
    error = document.get("error") if isinstance(document.get("error"), dict) else {}
    assert isinstance(error, dict)
    code = error.get("code") if isinstance(error.get("code"), int) else None
    data = error.get("error_data") if isinstance(error.get("error_data"), dict) else {}
    assert isinstance(data, dict)
    words = str(data.get("details") or error.get("message") or f"HTTP {status}")
    remedy = remedy_of(code, status)
    if remedy is Remedy.RECONNECT or status == 401:
        words = f"the access token was refused ({words})"
    reason = f"WhatsApp error {code}: {words}" if code else words
    return MediaFailure(reason, transient=remedy is Remedy.RETRY, code=code)


def _size(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _too_big(size: int, max_bytes: int) -> str:
    limit = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
    return f"the file is larger than {limit} ({size} bytes or more): not kept"
