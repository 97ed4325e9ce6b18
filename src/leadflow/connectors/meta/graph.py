"""The Graph API as Lead Ads uses it: one lead by its id, a form's leads for a period.

Every failure is one of three kinds, by Graph's documented error codes (developers.facebook.com/
docs/graph-api/guides/error-handling; protocols.md A1), so the caller knows what to do:
`GraphUnavailable` (down, throttled: try again later, maybe not before `after`),
`TokenRejected` (the page token is invalid or expired: an admin must give a new one) and
`GraphRefused` (this request will never succeed as is: unknown object, missing permission).

The page token travels in the Authorization header, never in a URL, so no error message or log
line carries it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import httpx

GRAPH = "https://graph.facebook.com"
VERSION = "25.0"
LEAD_FIELDS = (
    "id,created_time,field_data,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,"
    "form_id,is_organic,platform,partner_name,custom_disclaimer_responses"
)
PAGE_SIZE = 100

TRANSIENT = frozenset({1, 2, 4, 17, 341, 613, *range(80000, 80006)})
"""Unknown/service errors (1, 2), app/user/page throttling (4, 17, 341, 613) and the business
use case rate limits (80000–80005; 80005 is LeadGen's)."""
THROTTLING = frozenset({4, 17, 341, 613, *range(80000, 80006)})
"""Of those, the rate limits: the next requests with the same token would be refused too."""
TOKEN = frozenset({102, 190})
"""The access token is invalid, expired or revoked: only a new token helps."""


class GraphFailure(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GraphUnavailable(GraphFailure):
    """Down, timing out or throttling: the same request may succeed later."""

    def __init__(
        self, reason: str, after: timedelta | None = None, *, throttled: bool = False
    ) -> None:
        super().__init__(reason)
        self.after = after
        """Not before this long, when Graph said so (usage headers, Retry-After)."""
        self.throttled = throttled
        """A rate limit (not a fault of this one request): hold the other requests too."""


class TokenRejected(GraphFailure):
    """The page token is invalid or expired (codes 190, 102)."""


class GraphRefused(GraphFailure):
    """The request can never succeed as is: unknown object (100), permission (10, 200–299)…"""


@dataclass(frozen=True)
class GraphError:
    """Graph's error envelope: {"error": {message, type, code, error_subcode, fbtrace_id}}."""

    code: int | None
    subcode: int | None
    type: str | None
    message: str
    fbtrace_id: str | None
    transient: bool = False

    @classmethod
    def of(cls, document: Any) -> GraphError | None:
        error = document.get("error") if isinstance(document, dict) else None
        if not isinstance(error, dict):
            return None
        return cls(
            code=_int(error.get("code")),
            subcode=_int(error.get("error_subcode")),
            type=_str(error.get("type")),
            message=_str(error.get("message")) or "no message",
            fbtrace_id=_str(error.get("fbtrace_id")),
            transient=error.get("is_transient") is True,
        )

    def describe(self) -> str:
        code = f"{self.code}/{self.subcode}" if self.subcode else f"{self.code}"
        trace = f" [fbtrace_id {self.fbtrace_id}]" if self.fbtrace_id else ""
        return f"Graph error {code} ({self.type or 'unknown type'}): {self.message[:300]}{trace}"


def failure_of(status: int, document: Any, headers: Mapping[str, str]) -> GraphFailure:
    """What an unsuccessful answer means, by its error code first and its HTTP status after."""
    error = GraphError.of(document)
    if error is None:
        reason = f"Graph answered HTTP {status} without an error envelope"
        if status >= 500 or status in (200, 429):  # 200: not JSON, e.g. a proxy's page
            return GraphUnavailable(reason, retry_after(headers), throttled=status == 429)
        return GraphRefused(reason)
    if error.code in TOKEN:
        return TokenRejected(error.describe())
    if error.code in TRANSIENT or error.transient or (error.code is None and status >= 500):
        throttled = error.code in THROTTLING or status == 429
        return GraphUnavailable(error.describe(), retry_after(headers), throttled=throttled)
    return GraphRefused(error.describe())


def retry_after(headers: Mapping[str, str]) -> timedelta | None:
    """The longest wait Graph asked for: `Retry-After` seconds, or the business use case
    usage's `estimated_time_to_regain_access` (minutes). None: it did not say."""
    waits: list[timedelta] = []
    seconds = headers.get("retry-after")
    if seconds and seconds.strip().isdigit():
        waits.append(timedelta(seconds=int(seconds)))
    usage = _json_header(headers.get("x-business-use-case-usage"))
    for entries in usage.values() if isinstance(usage, dict) else []:
        for entry in entries if isinstance(entries, list) else []:
            usable = isinstance(entry, dict)
            minutes = _int(entry.get("estimated_time_to_regain_access")) if usable else None
            if minutes:
                waits.append(timedelta(minutes=minutes))
    return max(waits) if waits else None


def appsecret_proof(token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token with the app secret: what an app that requires it sends."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def time_filter(since: datetime | None, until: datetime | None) -> str:
    """Graph's `filtering` parameter for leads created after `since` and before `until`."""
    filters = []
    if since is not None:
        since_unix = int(since.timestamp()) - 1  # GREATER_THAN is strict
        filters.append({"field": "time_created", "operator": "GREATER_THAN", "value": since_unix})
    if until is not None:
        until_unix = int(until.timestamp())
        filters.append({"field": "time_created", "operator": "LESS_THAN", "value": until_unix})
    return json.dumps(filters, separators=(",", ":"))


class GraphClient:
    """Lead retrieval over one HTTP connection pool. `api_base` is Graph's address (a test's
    local fake), `version` the pinned Graph version without its `v`."""

    def __init__(
        self,
        *,
        api_base: str = GRAPH,
        version: str = VERSION,
        app_secret: str | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.root = f"{api_base.rstrip('/')}/v{version.lstrip('v')}"
        self.app_secret = app_secret
        self.http = http or httpx.AsyncClient(timeout=timeout, verify=_tls())
        self._owns_http = http is None

    async def close(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def lead(self, leadgen_id: str, token: str) -> dict[str, Any]:
        """The lead (`GET /{leadgen_id}`): field_data, created_time, ad, ad set, campaign, form."""
        return await self._get(f"/{leadgen_id}", token, {"fields": LEAD_FIELDS})

    async def form_leads(
        self, form_id: str, token: str, *, since: datetime | None, until: datetime | None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """A form's leads created in [since, until), a page at a time, following
        `paging.cursors.after` while Graph says there is a `paging.next`."""
        params = {"fields": LEAD_FIELDS, "limit": str(PAGE_SIZE)}
        if since is not None or until is not None:
            params["filtering"] = time_filter(since, until)
        while True:
            page = await self._get(f"/{form_id}/leads", token, params)
            data = page.get("data")
            leads = data if isinstance(data, list) else []
            yield [lead for lead in leads if isinstance(lead, dict)]
            paging = page.get("paging")
            paging = paging if isinstance(paging, dict) else {}
            cursors = paging.get("cursors")
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not paging.get("next") or not after:
                return
            params = {**params, "after": str(after)}

    async def _get(self, path: str, token: str, params: dict[str, str]) -> dict[str, Any]:
        query = dict(params)
        if self.app_secret:
            query["appsecret_proof"] = appsecret_proof(token, self.app_secret)
        try:
            answer = await self.http.get(
                self.root + path, params=query, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.TimeoutException:
            raise GraphUnavailable("Graph did not answer in time") from None
        except httpx.TransportError as exc:
            raise GraphUnavailable(f"Graph could not be reached ({type(exc).__name__})") from None
        document = _document(answer)
        if answer.status_code != 200 or not isinstance(document, dict) or "error" in document:
            raise failure_of(answer.status_code, document, answer.headers)
        return document


@cache
def _tls() -> ssl.SSLContext:
    """The CA bundle, read once: loading it costs ~80 ms, more than a lead's fetch."""
    return ssl.create_default_context()


def _document(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _json_header(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
