"""Signing in and out (throttled: services/signin.py)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from leadflow.services.access import signin as signing_in
from leadflow.services.access.signin import Throttled
from leadflow.web.deps import Now, StoreDep
from leadflow.web.ui.shell import i18n, security
from leadflow.web.ui.shell.context import anonymous_locale, html
from leadflow.web.ui.shell.routers import page_router, safe_next

router = page_router()


@router.get("/signin")
async def signin_form(
    request: Request, db: StoreDep, next: str = "/", lang: str | None = None
) -> Response:
    if lang in i18n.LOCALES:
        security.choose_locale(request, str(lang))
    if await security.session_account(request, db) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    context = {"next": safe_next(next), "email": "", "failed": False, "wait_minutes": 0}
    return html(request, "signin.html", context, locale=anonymous_locale(request))


@router.post("/signin")
async def signin(
    request: Request,
    db: StoreDep,
    now: Now,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = request.client.host if request.client else "unknown"
    outcome = await signing_in.attempt(db, email, password, address=address, now=now)
    if isinstance(outcome, Throttled):
        return _refused(request, next, email, outcome)
    if outcome is None:
        await db.commit()  # the failure counts
        # One message whatever went wrong: it must not tell which e-mails have an account.
        context = {"next": safe_next(next), "email": email, "failed": True, "wait_minutes": 0}
        return html(request, "signin.html", context, locale=anonymous_locale(request), status=400)
    await security.sign_in(request, db, outcome)
    await db.commit()
    return RedirectResponse(safe_next(next), status_code=303)


def _refused(request: Request, next: str, email: str, throttled: Throttled) -> Response:
    """429 with Retry-After: too many failures for this account or from this client."""
    minutes = max(1, math.ceil(throttled.retry_after / 60))
    context = {"next": safe_next(next), "email": email, "failed": False, "wait_minutes": minutes}
    page = html(request, "signin.html", context, locale=anonymous_locale(request), status=429)
    page.headers["Retry-After"] = str(throttled.retry_after)
    return page


@router.post("/signout")
async def signout(request: Request, db: StoreDep) -> Response:
    account = await security.session_account(request, db)
    locale = account.locale if account else anonymous_locale(request)
    await security.sign_out(request, db)
    await db.commit()
    security.choose_locale(request, locale)
    return RedirectResponse("/signin", status_code=303)
