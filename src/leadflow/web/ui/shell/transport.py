"""What travels with every request and response: the session and language cookies, and HSTS.

The session cookie is the session's random id signed with the secret key (a forged or stale
value is dropped here, without a database query). It is `Secure` when the request came over
HTTPS — uvicorn sets the scheme from `X-Forwarded-Proto` when the proxy is trusted
(`LEADFLOW_TRUSTED_PROXIES`) — or when `LEADFLOW_SECURE_COOKIES` says the site is HTTPS only.
"""

from __future__ import annotations

from itsdangerous import BadSignature, Signer
from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadflow.web.ui.shell.i18n import LOCALES
from leadflow.web.ui.shell.security import BROWSER, LOCALE_COOKIE, SESSION_COOKIE, BrowserState

HSTS = "max-age=31536000"
"""A year: browsers that met the site over HTTPS never try it over plain HTTP again."""
LOCALE_MAX_AGE = 365 * 24 * 3600


class BrowserCookies:
    """Reads the cookies into a BrowserState (security.py) and writes back what changed."""

    def __init__(self, app: ASGIApp, *, secret: str, max_age: int, secure: bool) -> None:
        self.app = app
        self.signer = Signer(secret, salt="leadflow.session")
        self.secret = secret.encode()
        self.max_age = max_age
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self._read(scope)
        scope[BROWSER] = state
        secure = self.secure or scope.get("scheme") == "https"

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for cookie in self._changed(state, secure=secure):
                    headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookies)

    def _read(self, scope: Scope) -> BrowserState:
        state = BrowserState(secret=self.secret)
        jar: dict[str, str] = {}
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                jar.update(cookie_parser(value.decode("latin-1")))
        if SESSION_COOKIE in jar:
            try:
                state.session_id = self.signer.unsign(jar[SESSION_COOKIE]).decode()
            except BadSignature:
                state.session_id = None
        if jar.get(LOCALE_COOKIE) in LOCALES:
            state.locale = jar[LOCALE_COOKIE]
        return state

    def _changed(self, state: BrowserState, *, secure: bool) -> list[str]:
        cookies = []
        if state.session_changed:
            value = self.signer.sign(state.session_id).decode() if state.session_id else ""
            max_age = self.max_age if state.session_id else 0
            cookies.append(_cookie(SESSION_COOKIE, value, max_age, secure=secure))
        if state.locale_changed and state.locale:
            cookies.append(_cookie(LOCALE_COOKIE, state.locale, LOCALE_MAX_AGE, secure=secure))
        return cookies


def _cookie(name: str, value: str, max_age: int, *, secure: bool) -> str:
    cookie = f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
    return cookie + "; Secure" if secure else cookie


class StrictTransport:
    """Strict-Transport-Security on every response that went out over HTTPS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_hsts)
