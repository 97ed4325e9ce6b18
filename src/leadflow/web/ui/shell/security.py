"""The browser's session and CSRF protection, shared by the pages and the JSON API.

The session cookie holds a random id, signed with the secret key (HttpOnly, SameSite=Lax, Secure
over HTTPS) and nothing else: the user, the pending messages and the expiry live in the
`web_sessions` row (services/sessions.py), which sign-out deletes. The CSRF token is derived from
the id (an HMAC under the secret key), so an anonymous visitor's sign-in form needs no row; every
unsafe request must echo it as the `csrf_token` form field or the `X-CSRF-Token` header (HTMX
sends it from `hx-headers` on <body>). The language chosen before signing in is a cookie of its
own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import Request

from leadflow.services.access import sessions
from leadflow.services.access.sessions import Flash, Resumed
from leadflow.services.access.users import Account
from leadflow.storage.store import Store

SESSION_COOKIE = "leadflow_session"
LOCALE_COOKIE = "leadflow_locale"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
BROWSER = "leadflow.browser"
"""Where the request's BrowserState lives in the ASGI scope."""


class CsrfRejected(Exception):
    """An unsafe request without the session's CSRF token: refused with 403."""


class SignInRequired(Exception):
    """The page needs a signed-in user: the browser is sent to the sign-in page."""


@dataclass
class BrowserState:
    """What the request's cookies said, and what the response must send back (transport.py)."""

    secret: bytes
    session_id: str | None = None
    locale: str | None = None
    session_changed: bool = False
    locale_changed: bool = False
    resumed: Resumed | None = None
    looked_up: bool = False
    flashes: list[Flash] = field(default_factory=list)
    flashes_changed: bool = False


def browser(request: Request) -> BrowserState:
    state: BrowserState = request.scope[BROWSER]
    return state


def has_session(request: Request) -> bool:
    return browser(request).session_id is not None


def _session_id(request: Request) -> str:
    """The browser's session id; an anonymous visitor gets one (no row: nothing to store)."""
    state = browser(request)
    if state.session_id is None:
        state.session_id = secrets.token_urlsafe(32)
        state.session_changed = True
    return state.session_id


def csrf_token(request: Request) -> str:
    state = browser(request)
    message = b"csrf:" + _session_id(request).encode()
    return hmac.new(state.secret, message, hashlib.sha256).hexdigest()


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token is missing or wrong (CsrfRejected)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field_value = (await request.form()).get(CSRF_FIELD)
        sent = field_value if isinstance(field_value, str) else None
    if (
        not sent
        or not has_session(request)
        or not secrets.compare_digest(sent, csrf_token(request))
    ):
        raise CsrfRejected()


async def session_account(request: Request, store: Store) -> Account | None:
    """The signed-in account, while its session row lasts (looked up once per request)."""
    state = browser(request)
    if not state.looked_up and state.session_id is not None:
        now = request.app.state.leadflow.clock()
        state.resumed = await sessions.resume(store, state.session_id, now=now)
        state.flashes = list(state.resumed.flashes) if state.resumed else []
    state.looked_up = True
    return state.resumed.account if state.resumed else None


async def sign_in(request: Request, store: Store, account: Account) -> None:
    """Start a fresh session under a new id (a new CSRF token too: nothing from before sign-in
    carries over; a session the browser had before ends); the caller commits."""
    app_state = request.app.state.leadflow
    lasts = timedelta(seconds=app_state.settings.session_max_age)
    state = browser(request)
    if state.session_id is not None:
        await sessions.end(store, state.session_id)
    state.session_id = await sessions.start(store, account, now=app_state.clock(), lasts=lasts)
    state.session_changed = True
    state.resumed, state.looked_up = Resumed(account), True


async def sign_out(request: Request, store: Store) -> None:
    """End the session on the server: its cookie, wherever copied, opens nothing any more."""
    state = browser(request)
    if state.session_id is not None:
        await sessions.end(store, state.session_id)
    state.session_id, state.session_changed = None, True
    state.resumed, state.looked_up, state.flashes = None, True, []


def current_session_id(request: Request) -> str | None:
    """The signed-in session's id (kept when the user changes their password)."""
    state = browser(request)
    return state.session_id if state.resumed else None


def chosen_locale(request: Request) -> str | None:
    return browser(request).locale


def choose_locale(request: Request, locale: str) -> None:
    """The language of pages before sign-in."""
    state = browser(request)
    state.locale, state.locale_changed = locale, True


def flash(request: Request, message: str, kind: str = "success") -> None:
    """A message shown once on the next page (already translated)."""
    state = browser(request)
    state.flashes.append((kind, message))
    state.flashes_changed = True


def take_flashes(request: Request) -> list[Flash]:
    state = browser(request)
    taken, state.flashes = state.flashes, []
    state.flashes_changed = state.flashes_changed or bool(taken)
    return taken


async def keep_flashes(request: Request, store: Store) -> None:
    """Store the messages still to show with the session (they outlive a redirect)."""
    state = browser(request)
    if state.flashes_changed and state.resumed and state.session_id:
        await sessions.keep_flashes(store, state.session_id, state.flashes)
        await store.commit()
        state.flashes_changed = False
