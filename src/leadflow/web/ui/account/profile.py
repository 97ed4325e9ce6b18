"""The signed-in user's own account: language, time zone, password."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import RedirectResponse, Response

from leadflow.services.access import users
from leadflow.services.access.users import AccountError
from leadflow.web.ui.shell import security
from leadflow.web.ui.shell.context import PageDep
from leadflow.web.ui.shell.formatting import timezones
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.problems import account_problem
from leadflow.web.ui.shell.routers import page_router, safe_next

router = page_router("/account")


def _form(page: PageDep, *, problem: str | None = None, status: int = 200) -> Response:
    return page.render("account.html", status=status, problem=problem, timezones=timezones())


@router.get("")
async def account(page: PageDep) -> Response:
    return _form(page)


@router.post("/preferences")
async def preferences(
    page: PageDep, locale: Annotated[str, Form()], timezone: Annotated[str, Form()]
) -> Response:
    try:
        page.account = await users.set_preferences(
            page.store, page.account, locale=locale, timezone=timezone
        )
    except AccountError as exc:
        return _form(page, problem=account_problem(exc), status=400)
    await page.store.commit()
    page.flash(page.gettext("Your preferences are saved."))
    return RedirectResponse("/account", status_code=303)


@router.post("/locale")
async def switch_locale(
    page: PageDep, locale: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
) -> Response:
    """The language switcher in the header: keeps the time zone, returns to the same page."""
    try:
        page.account = await users.set_preferences(
            page.store, page.account, locale=locale, timezone=page.account.timezone
        )
    except AccountError:
        return RedirectResponse(safe_next(next), status_code=303)
    await page.store.commit()
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/password")
async def password(
    page: PageDep,
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    if new != confirm:
        return _form(page, problem=N_("The two new passwords differ."), status=400)
    try:
        page.account = await users.change_password(
            page.store,
            page.account,
            current,
            new,
            session_id=security.current_session_id(page.request),
        )
    except AccountError as exc:
        return _form(page, problem=account_problem(exc), status=400)
    await page.store.commit()
    page.flash(page.gettext("Your password is changed. Other sessions are signed out."))
    return RedirectResponse("/account", status_code=303)
