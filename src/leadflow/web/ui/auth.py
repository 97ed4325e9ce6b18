"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from leadflow.services import users
from leadflow.web.deps import StoreDep
from leadflow.web.ui import i18n, security
from leadflow.web.ui.context import anonymous_locale, html
from leadflow.web.ui.routers import page_router, safe_next

router = page_router()


@router.get("/signin")
async def signin_form(
    request: Request, db: StoreDep, next: str = "/", lang: str | None = None
) -> Response:
    if lang in i18n.LOCALES:
        security.choose_locale(request, str(lang))
    if await security.session_account(request, db) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    context = {"next": safe_next(next), "email": "", "failed": False}
    return html(request, "signin.html", context, locale=anonymous_locale(request))


@router.post("/signin")
async def signin(
    request: Request,
    db: StoreDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    account = await users.authenticate(db, email, password)
    if account is None:
        # One message whatever went wrong: it must not tell which e-mails have an account.
        context = {"next": safe_next(next), "email": email, "failed": True}
        return html(request, "signin.html", context, locale=anonymous_locale(request), status=400)
    security.sign_in(request, account)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/signout")
async def signout(request: Request, db: StoreDep) -> Response:
    account = await security.session_account(request, db)
    locale = account.locale if account else anonymous_locale(request)
    security.sign_out(request)
    security.choose_locale(request, locale)
    return RedirectResponse("/signin", status_code=303)
