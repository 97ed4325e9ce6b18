"""Domain errors → HTTP answers, in one place. Bodies follow FastAPI's 422 shape."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from leadflow.identity import InvalidLead
from leadflow.services.assignment.decisions import AgentCannotTakeLeads, UnknownAgent, UnknownLead
from leadflow.services.assignment.replays import BadPeriod
from leadflow.services.channels.setup.connectors import ConnectorError
from leadflow.services.configuration.agent_settings import StaleVersion
from leadflow.services.configuration.versions import (
    ConfigurationError,
    NoConfiguration,
    UnknownVersion,
)
from leadflow.services.intake.deadletters import AlreadyReplayed, UnknownDeadLetter
from leadflow.services.intake.payloads import UnreadablePayload
from leadflow.services.leads.listing import BadFilter
from leadflow.services.workflow.stages import MoveRefused
from leadflow.services.workflow.tasks import UnknownTask
from leadflow.storage.database import DatabaseUnavailable

RETRY_AFTER = {"Retry-After": "5"}
"""How long a client waits before sending again while the database is away: PostgreSQL
restarts (or fails over) in a few seconds."""


class NotFound(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class AsciiJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped: an error that names what the caller sent
    (a key with an unpaired surrogate, say) can always be encoded."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode("ascii")


def _detail(status: int, detail: Any) -> JSONResponse:
    return AsciiJSONResponse({"detail": detail}, status_code=status)


def _named(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error without the value sent (`input`): it is the caller's own, may be
    megabytes, and echoing it reflects whatever it holds."""
    return {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method the request's path answers, for `Allow`: Starlette names only those of
    the first route that matches the path, though `/api/v1/config` has a GET and a POST."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """An HTTP error as JSON; a 405 lists every method of the path in `Allow`."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    return AsciiJSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)


def database_unavailable(exc: DatabaseUnavailable) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=503, headers=RETRY_AFTER)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _detail(422, [_named(error) for error in exc.errors()])

    @app.exception_handler(InvalidLead)
    async def invalid_lead(_: Request, exc: InvalidLead) -> JSONResponse:
        return _detail(
            422,
            [
                {"loc": ["body", *e.field.split(".")], "msg": e.message, "type": "value_error"}
                for e in exc.errors
            ],
        )

    @app.exception_handler(MoveRefused)
    async def refused_move(_: Request, exc: MoveRefused) -> JSONResponse:
        return _detail(
            422,
            [
                {"loc": ["body", *p.location], "msg": p.message, "type": "value_error"}
                for p in exc.problems
            ],
        )

    @app.exception_handler(BadFilter)
    async def bad_filter(_: Request, exc: BadFilter) -> JSONResponse:
        return _detail(
            422, [{"loc": ["query", exc.field], "msg": exc.message, "type": "value_error"}]
        )

    @app.exception_handler(ConfigurationError)
    async def invalid_config(_: Request, exc: ConfigurationError) -> JSONResponse:
        return _detail(
            422,
            [
                {"loc": ["body", *p.location.split(".")], "msg": p.message, "type": "value_error"}
                for p in exc.problems
            ],
        )

    @app.exception_handler(ConnectorError)
    async def invalid_connector(_: Request, exc: ConnectorError) -> JSONResponse:
        message = str(exc).removeprefix(f"{exc.field}: ")
        location = ["body", *exc.field.split(".")]
        return _detail(422, [{"loc": location, "msg": message, "type": "value_error"}])

    @app.exception_handler(NoConfiguration)
    async def no_config(_: Request, exc: NoConfiguration) -> JSONResponse:
        return _detail(503, str(exc))

    @app.exception_handler(DatabaseUnavailable)
    async def outage(_: Request, exc: DatabaseUnavailable) -> JSONResponse:
        return database_unavailable(exc)

    @app.exception_handler(UnknownAgent)
    @app.exception_handler(AgentCannotTakeLeads)
    async def unprocessable(_: Request, exc: Exception) -> JSONResponse:
        return _detail(422, [{"loc": ["body", "agent"], "msg": str(exc), "type": "value_error"}])

    @app.exception_handler(BadPeriod)
    async def bad_period(_: Request, exc: BadPeriod) -> JSONResponse:
        field = {"version": "draft_version"}.get(exc.field, exc.field)
        return _detail(422, [{"loc": ["body", field], "msg": str(exc), "type": "value_error"}])

    @app.exception_handler(UnreadablePayload)
    async def unreadable(_: Request, exc: UnreadablePayload) -> JSONResponse:
        return _detail(400, exc.reason)

    @app.exception_handler(UnknownLead)
    @app.exception_handler(UnknownVersion)
    @app.exception_handler(UnknownDeadLetter)
    @app.exception_handler(UnknownTask)
    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return _detail(404, str(exc))

    @app.exception_handler(StaleVersion)
    async def stale(_: Request, exc: StaleVersion) -> JSONResponse:
        detail = f"the change was based on version {exc.expected}; version {exc.active} is active"
        body = {"detail": detail, "active_version": exc.active}
        return AsciiJSONResponse(body, status_code=409, headers={"ETag": f'"{exc.active}"'})

    @app.exception_handler(AlreadyReplayed)
    async def conflict(_: Request, exc: Exception) -> JSONResponse:
        return _detail(409, str(exc))
