"""What every page handler receives: the signed-in user, their language, time zone and scope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from leadflow.domain.configuration import Configuration
from leadflow.services.access.scoping import Viewer
from leadflow.services.access.users import Account
from leadflow.storage.store import Store
from leadflow.web.deps import AppState, Now, State, StoreDep
from leadflow.web.ui.shell import i18n, security, templating
from leadflow.web.ui.shell.formatting import Formatter
from leadflow.web.ui.shell.navigation import navigation

# Pages hold personal data and load nothing from elsewhere: say so to the browser.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def html(
    request: Request, template: str, context: dict[str, Any], *, locale: str, status: int = 200
) -> HTMLResponse:
    """Render `template` in `locale` with what every page shows (CSRF token, messages)."""
    full = {
        "request": request,
        "csrf_token": security.csrf_token(request),
        "flashes": security.take_flashes(request),
        "locale": locale,
        "locales": i18n.LOCALES,
        "path": request.url.path,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    }
    body = templating.render(template, full, locale=locale)
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


def anonymous_locale(request: Request) -> str:
    return security.chosen_locale(request) or i18n.negotiate(request.headers.get("accept-language"))


@dataclass
class Page:
    """A signed-in user's request."""

    request: Request
    account: Account
    store: Store
    state: AppState
    now: datetime

    @property
    def viewer(self) -> Viewer:
        return self.account.viewer

    @property
    def locale(self) -> str:
        return self.account.locale

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.account.locale, self.account.timezone)

    def gettext(self, message: str, **variables: Any) -> str:
        translated = i18n.translations(self.locale).gettext(message)
        return translated % variables if variables else translated

    def flash(self, message: str, kind: str = "success") -> None:
        security.flash(self.request, message, kind)

    async def versioned_configuration(self) -> tuple[int, Configuration]:
        """The active configuration and its version (compiled once per version, shared)."""
        organisation = await self.state.organisation.get(self.store)
        return organisation.version, organisation.configuration

    async def configuration(self) -> Configuration:
        return (await self.versioned_configuration())[1]

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        return render_for(self.request, self.account, template, context, status=status)


def render_for(
    request: Request,
    account: Account,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HTMLResponse:
    full = {
        "account": account,
        "viewer": account.viewer,
        "fmt": Formatter(account.locale, account.timezone),
        "nav": navigation(account.viewer),
        **context,
    }
    return html(request, template, full, locale=account.locale, status=status)


async def current_page(
    request: Request, db: StoreDep, state: State, now: Now
) -> AsyncIterator[Page]:
    """The signed-in user's page; after the handler, before the response leaves, the messages
    still to show are stored with the session (function scope: the store is still open)."""
    account = await security.session_account(request, db)
    if account is None:
        raise security.SignInRequired()
    request.state.account = account
    yield Page(request=request, account=account, store=db, state=state, now=now)
    await security.keep_flashes(request, db)


PageDep = Annotated[Page, Depends(current_page, scope="function")]
