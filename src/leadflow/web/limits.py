"""Limits on what one caller may send: body sizes, and how often an address may post to the
anonymous endpoints. Every refusal is counted in `/metrics`.

The rate is kept in each server process's memory (the `limits` library's moving window): with
N processes an address may post up to N times the rate, which still bounds a flood, costs no
round trip on the anonymous path and survives a database outage."""

from __future__ import annotations

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


class CountRefusals:
    """Counts the answers 413 and 429, whichever layer sent them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (413, 429):
                REFUSED.labels(str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, counted)
