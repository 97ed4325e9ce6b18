"""Refusals and missing pages, answered as pages for browsers and as JSON for the API."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from leadflow.services.access.scoping import Forbidden
from leadflow.services.access.users import Account
from leadflow.services.configuration.versions import NoConfiguration
from leadflow.storage.database import DatabaseUnavailable
from leadflow.storage.store import open_store
from leadflow.web import errors as api_errors
from leadflow.web.errors import RETRY_AFTER, database_unavailable
from leadflow.web.ui.shell import security
from leadflow.web.ui.shell.context import anonymous_locale, html, render_for
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.security import CsrfRejected, SignInRequired

_TITLES = {
    503: N_("Leadflow is not set up yet"),
    403: N_("You cannot open this page"),
    404: N_("Page not found"),
    405: N_("This action is not available here"),
}
_MESSAGES = {
    403: N_(
        "Your role does not give access to this page. If you need it, ask an administrator "
        "of Leadflow."
    ),
    404: N_("There is nothing at this address. Check the link, or start again from the home page."),
    405: N_("This address does not accept this kind of request."),
    503: N_(
        "No configuration is active yet. An administrator applies one with "
        "`leadflow config apply FILE`, or starts the demo with `leadflow demo`."
    ),
    "csrf": N_(
        "This form has expired or was sent from somewhere else. Reload the page and try again."
    ),
}
_OUTAGE_TITLE = N_("The database is unavailable")
_OUTAGE_MESSAGE = N_(
    "Leadflow cannot reach its database at the moment, so nothing was saved. Try again in a "
    "few seconds."
)


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


async def _signed_in(request: Request) -> Account | None:
    """The page's user; for addresses that match no page, read from the session here."""
    account: Account | None = getattr(request.state, "account", None)
    if account is None and security.has_session(request):
        async with open_store(request.app.state.leadflow.database) as store:
            account = await security.session_account(request, store)
    return account


async def error_page(request: Request, status: int, message: str) -> Response:
    context = {"status": status, "title": _TITLES.get(status, _TITLES[404]), "message": message}
    account = await _signed_in(request)
    if account is not None:
        return render_for(request, account, "error.html", context, status=status)
    return html(request, "error.html", context, locale=anonymous_locale(request), status=status)


def outage_page(request: Request) -> Response:
    """In the browser's language: who is signed in cannot be looked up without the database."""
    context = {"status": 503, "title": _OUTAGE_TITLE, "message": _OUTAGE_MESSAGE}
    page = html(request, "error.html", context, locale=anonymous_locale(request), status=503)
    page.headers.update(RETRY_AFTER)
    return page


def install(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, _: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"/signin?next={quote(target, safe='/')}"
        if request.headers.get("hx-request"):
            return Response(status_code=200, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": f"not allowed: {exc.what}"}, status_code=403)
        return await error_page(request, 403, _MESSAGES[403])

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _: CsrfRejected) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "CSRF token missing or invalid"}, status_code=403)
        return await error_page(request, 403, _MESSAGES["csrf"])

    @app.exception_handler(NoConfiguration)
    async def no_configuration(request: Request, exc: NoConfiguration) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=503)
        return await error_page(request, 503, _MESSAGES[503])

    @app.exception_handler(DatabaseUnavailable)
    async def outage(request: Request, exc: DatabaseUnavailable) -> Response:
        if _is_api(request):
            return database_unavailable(exc)
        return outage_page(request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or exc.status_code not in (404, 405):
            return await api_errors.http_error(request, exc)
        page = await error_page(request, exc.status_code, str(_MESSAGES[exc.status_code]))
        if exc.status_code == 405:
            page.headers["Allow"] = api_errors.allowed_methods(request)
        return page
