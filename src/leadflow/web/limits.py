"""Limits on what one caller may send: body sizes, and how often an address may post to the
anonymous endpoints. Every refusal is counted in `/metrics`.

The rate is kept in each server process's memory (the `limits` library's moving window): with
N processes an address may post up to N times the rate, which still bounds a flood, costs no
round trip on the anonymous path and survives a database outage."""

from __future__ import annotations

import json
import time

from fastapi import HTTPException, Request
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from prometheus_client import Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_BODY_BYTES = 1_048_576
"""A lead, an activity or a configuration document: the demo's configuration is ~30 KB."""
FORM_BODY_BYTES = 16_384
"""A website form post: a lead's fields with a long message."""

REFUSED = Counter(
    "leadflow_http_refused_total",
    "Requests refused as too large (413) or too frequent (429), by status",
    ["status"],
)


class PerAddress:
    """At most `per_minute` requests from one client address in any sliding minute."""

    def __init__(self, per_minute: int) -> None:
        self.rate = RateLimitItemPerMinute(per_minute)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, request: Request, scope: str) -> None:
        """Count this request; 429 with `Retry-After` when the address has used its rate."""
        address = request.client.host if request.client else "unknown"
        if self.limiter.hit(self.rate, scope, address):
            return
        reset = self.limiter.get_window_stats(self.rate, scope, address).reset_time
        wait = max(1, int(reset - time.time()) + 1)
        raise HTTPException(
            429,
            f"too many requests from this address: try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )


class Refusals:
    """Counts the answers 413 and 429, whichever layer sent them, and words a 413 in JSON.

    The body limits are set on the routes (`app.router.max_body_size`), inside this middleware:
    FastAPI's application-wide limit would sit outside every middleware and answer a declared
    oversized body in plain text, which an API client cannot read like the others."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def answered(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] in (413, 429):
                REFUSED.labels(str(message["status"])).inc()
                replaced = message["status"] == 413 and not _is_json(message)
                if replaced:
                    await send(_json_start(413, _TOO_LARGE))
                    return
            if replaced and message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": _TOO_LARGE})
                return
            await send(message)

        await self.app(scope, receive, answered)


_TOO_LARGE = json.dumps(
    {
        "detail": "the body is larger than this endpoint accepts: "
        f"{API_BODY_BYTES // 1024} KB ({FORM_BODY_BYTES // 1024} KB for website forms)"
    }
).encode()


def _is_json(message: Message) -> bool:
    return any(
        name.lower() == b"content-type" and value.startswith(b"application/json")
        for name, value in message.get("headers", [])
    )


def _json_start(status: int, body: bytes) -> Message:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return {"type": "http.response.start", "status": status, "headers": headers}
