"""A local Graph API for Lead Ads, speaking what Meta documents: `GET /v{N}/{leadgen_id}` and
`GET /v{N}/{form_id}/leads` (time filtering, cursor paging), the page token as a bearer header
or `access_token`, `appsecret_proof` when the app requires it, and failures in Graph's error
envelope {"error": {message, type, code, error_subcode, fbtrace_id}} with the usage headers
Graph sends alongside its throttling codes.

A test injects errors for the next requests (`fail`), swaps the valid token, or takes the
server down and brings it back on the same port (`stop`/`start`: connection refused between),
or answers 503 while "down" (`outage`). Served by uvicorn in a thread, so it works from sync
and async tests and from a benchmark alike.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

_MESSAGES = {
    1: ("OAuthException", "An unknown error occurred"),
    2: ("OAuthException", "An unexpected error has occurred. Please retry your request later."),
    4: ("OAuthException", "(#4) Application request limit reached"),
    10: ("OAuthException", "(#10) Application does not have permission for this action"),
    17: ("OAuthException", "(#17) User request limit reached"),
    100: ("GraphMethodException", "Unsupported get request."),
    190: ("OAuthException", "Error validating access token: Session has expired."),
    341: ("OAuthException", "(#341) Application limit reached"),
    613: ("OAuthException", "(#613) Calls to this api have exceeded the rate limit."),
    80005: ("OAuthException", "(#80005) There have been too many leadgen api calls to this "
            "Page. Wait a bit and try again."),
}  # fmt: skip


@dataclass(frozen=True)
class Injected:
    """One failure to answer with: a Graph error code, or a bare HTTP status."""

    code: int | None = None
    subcode: int | None = None
    status: int = 400
    headers: dict[str, str] = field(default_factory=dict)
    path: str | None = None
    """Only for requests to this path (e.g. "/123"); any request when None."""


def usage_headers(code: int) -> dict[str, str]:
    """The headers Graph sends with a throttling error (minutes to regain access for BUC)."""
    if code == 80005:
        usage = {"page": [{"type": "leadgen", "call_count": 100, "total_cputime": 5,
                           "total_time": 5, "estimated_time_to_regain_access": 1}]}  # fmt: skip
        return {"X-Business-Use-Case-Usage": json.dumps(usage)}
    if code in (4, 17, 613):
        return {"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 3, "total_time": 4})}
    return {}


def error_body(code: int, subcode: int | None = None, message: str | None = None) -> dict[str, Any]:
    kind, text = _MESSAGES.get(code, ("OAuthException", f"(#{code}) error"))
    error: dict[str, Any] = {
        "message": message or text,
        "type": kind,
        "code": code,
        "fbtrace_id": secrets.token_urlsafe(8),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if code in (1, 2):
        error["is_transient"] = True
    return {"error": error}


def graph_time(at: datetime) -> str:
    """Graph's time format, e.g. 2026-05-12T08:00:00+0000."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class FakeGraph:
    def __init__(self, *, token: str = "page-token", app_secret: str | None = None) -> None:
        self.token = token
        self.app_secret = app_secret
        self.leads: dict[str, dict[str, Any]] = {}
        self.forms: dict[str, list[str]] = {}
        self.injected: deque[Injected] = deque()
        self.outage = False
        """Answer every request with 503 (a load balancer in front of a Graph that is down)."""
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self.port = _free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = Starlette(
            routes=[
                Route("/v{version}/{object_id}", self._object),
                Route("/v{version}/{form_id}/leads", self._form_leads),
            ]
        )

    # --- what a test sets up ---------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_lead(
        self,
        leadgen_id: str,
        *,
        form_id: str = "form-1",
        created: datetime,
        answers: dict[str, str | list[str]],
        ad_id: str | None = "ad-1",
        adset_id: str | None = "adset-1",
        campaign_id: str | None = "campaign-1",
    ) -> dict[str, Any]:
        lead: dict[str, Any] = {
            "id": leadgen_id,
            "created_time": graph_time(created),
            "form_id": form_id,
            "field_data": [
                {"name": name, "values": value if isinstance(value, list) else [value]}
                for name, value in answers.items()
            ],
            "is_organic": ad_id is None,
            "platform": "fb",
        }
        for key, value in (("ad_id", ad_id), ("adset_id", adset_id), ("campaign_id", campaign_id)):
            if value is not None:
                lead[key] = value
                lead[key.replace("_id", "_name")] = f"{value} name"
        with self._lock:
            self.leads[leadgen_id] = lead
            self.forms.setdefault(form_id, []).append(leadgen_id)
        return lead

    def fail(self, *failures: Injected) -> None:
        """Answer the next matching requests with these failures, in order."""
        with self._lock:
            self.injected.extend(failures)

    def lead_fetches(self, leadgen_id: str) -> int:
        return sum(1 for path, _ in self.requests if path.endswith(f"/{leadgen_id}"))

    # --- serving -----------------------------------------------------------------------------

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="error")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Graph API did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Down: connections are refused until `start` serves on the same port again."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = None

    # --- the API -----------------------------------------------------------------------------

    async def _object(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        lead = self.leads.get(request.path_params["object_id"])
        if lead is None:
            return _error(100, 33, message=_missing(request.path_params["object_id"]))
        return JSONResponse(_fields(lead, request.query_params.get("fields")))

    async def _form_leads(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        form_id = request.path_params["form_id"]
        if form_id not in self.forms:
            return _error(100, 33, message=_missing(form_id))
        try:
            since, until = _time_window(request.query_params.get("filtering"))
            limit = min(int(request.query_params.get("limit", "25")), 100)
        except (ValueError, KeyError, TypeError):
            return _error(100, message="(#100) Invalid filtering or limit parameter")
        chosen = [
            self.leads[lead_id]
            for lead_id in self.forms[form_id]
            if since < _unix(self.leads[lead_id]["created_time"]) < until
        ]
        start = int(request.query_params.get("after") or 0)
        page = chosen[start : start + limit]
        fields = request.query_params.get("fields")
        body: dict[str, Any] = {"data": [_fields(lead, fields) for lead in page]}
        if page:
            body["paging"] = {"cursors": {"before": str(start), "after": str(start + len(page))}}
            if start + len(page) < len(chosen):
                body["paging"]["next"] = str(
                    request.url.include_query_params(after=str(start + len(page)))
                )
        return JSONResponse(body)

    def _refusal(self, request: Request) -> Response | None:
        """An outage, an injected failure, or a token Graph would not accept."""
        token = _token(request)
        with self._lock:
            self.requests.append((request.url.path, dict(request.query_params)))
            injected = self._take(request.url.path)
        if self.outage:
            return JSONResponse({"error": "service unavailable"}, status_code=503)
        if injected is not None:
            if injected.code is None:
                return Response("upstream unavailable", status_code=injected.status,
                                headers=injected.headers)  # fmt: skip
            headers = {**usage_headers(injected.code), **injected.headers}
            return _error(injected.code, injected.subcode, status=injected.status, headers=headers)
        if token is None:
            return _error(2500, message="An active access token must be used to query information.")
        if token != self.token:
            return _error(190, 463)
        if self.app_secret is not None:
            proof = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            given = request.query_params.get("appsecret_proof", "")
            if not hmac.compare_digest(proof, given):
                return _error(100, message="Invalid appsecret_proof provided in the API argument")
        return None

    def _take(self, path: str) -> Injected | None:
        for index, injected in enumerate(self.injected):
            if injected.path is None or path.endswith(injected.path):
                del self.injected[index]
                return injected
        return None


def _error(
    code: int,
    subcode: int | None = None,
    *,
    message: str | None = None,
    status: int = 400,
    headers: dict[str, str] | None = None,
) -> Response:
    body = error_body(code, subcode, message)
    challenge = 'OAuth "Facebook Platform" "invalid_token"'
    answer = {"WWW-Authenticate": challenge} if code == 190 else {}
    return JSONResponse(body, status_code=status, headers={**answer, **(headers or {})})


def _missing(object_id: str) -> str:
    return (
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation."
    )


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    for scheme in ("Bearer ", "OAuth "):
        if header.startswith(scheme):
            return header[len(scheme) :]
    return request.query_params.get("access_token")


def _fields(lead: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return {"id": lead["id"], "created_time": lead["created_time"]}
    wanted = {name.strip() for name in fields.split(",")} | {"id"}
    return {name: value for name, value in lead.items() if name in wanted}


def _time_window(filtering: str | None) -> tuple[float, float]:
    since, until = float("-inf"), float("inf")
    for rule in json.loads(filtering) if filtering else []:
        if rule["field"] != "time_created":
            raise ValueError(rule["field"])
        if rule["operator"] == "GREATER_THAN":
            since = max(since, float(rule["value"]))
        elif rule["operator"] == "LESS_THAN":
            until = min(until, float(rule["value"]))
        else:
            raise ValueError(rule["operator"])
    return since, until


def _unix(graph_time_text: str) -> float:
    return datetime.strptime(graph_time_text, "%Y-%m-%dT%H:%M:%S%z").timestamp()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def notification(
    *leads: dict[str, Any], page_id: str = "page-1", at: datetime | None = None
) -> bytes:
    """A `leadgen` notification for these leads (one entry, a change each), as Meta serialises
    it (ASCII-escaped JSON)."""
    when = int((at or datetime.now(UTC)).timestamp())
    changes = [
        {
            "field": "leadgen",
            "value": {
                "leadgen_id": lead["id"],
                "page_id": page_id,
                "form_id": lead.get("form_id"),
                "adgroup_id": lead.get("ad_id"),
                "ad_id": lead.get("ad_id"),
                "created_time": int(_unix(lead["created_time"])),
            },
        }
        for lead in leads
    ]
    document = {"object": "page", "entry": [{"id": page_id, "time": when, "changes": changes}]}
    return json.dumps(document, ensure_ascii=True).encode()
