"""Session cookie contents and CSRF protection, shared by the pages and the JSON API.

The session is Starlette's signed cookie (HttpOnly, SameSite=Lax, signed with the secret key). It
holds the user's id, a fingerprint of their password hash (a password change ends every other
session), and a random CSRF token that every unsafe request must echo: as the `csrf_token` form
field, or as the `X-CSRF-Token` header (HTMX sends it from `hx-headers` on <body>).
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request

from leadflow.services import users
from leadflow.services.users import Account
from leadflow.storage.store import Store

SESSION_COOKIE = "leadflow_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_USER = "uid"
_FINGERPRINT = "fp"
_CSRF = "csrf"
_LOCALE = "locale"
_FLASH = "flash"


class CsrfRejected(Exception):
    """An unsafe request without the session's CSRF token: refused with 403."""


class SignInRequired(Exception):
    """The page needs a signed-in user: the browser is sent to the sign-in page."""


def session_of(request: Request) -> dict[str, Any]:
    """The request's session, or an empty one where no session middleware runs."""
    session: dict[str, Any] = request.scope.get("session", {})
    return session


def csrf_token(request: Request) -> str:
    session = session_of(request)
    token = session.get(_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_CSRF] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token is missing or wrong (CsrfRejected)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    expected = session_of(request).get(_CSRF)
    if not sent or not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
        raise CsrfRejected()


async def session_account(request: Request, store: Store) -> Account | None:
    """The signed-in account, if the session names an active user whose password is unchanged."""
    session = session_of(request)
    user_id, fingerprint = session.get(_USER), session.get(_FINGERPRINT)
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    account = await users.session_account(store, user_id, fingerprint)
    if account is None:
        session.pop(_USER, None)
        session.pop(_FINGERPRINT, None)
    return account


def sign_in(request: Request, account: Account) -> None:
    """Start a fresh session (a new CSRF token too: nothing from before sign-in carries over)."""
    session = session_of(request)
    session.clear()
    session[_USER] = account.id
    session[_FINGERPRINT] = account.fingerprint
    session[_CSRF] = secrets.token_urlsafe(32)


def refresh_fingerprint(request: Request, account: Account) -> None:
    """After the user changed their own password, keep this session signed in."""
    session_of(request)[_FINGERPRINT] = account.fingerprint


def sign_out(request: Request) -> None:
    session_of(request).clear()


def chosen_locale(request: Request) -> str | None:
    value = session_of(request).get(_LOCALE)
    return value if isinstance(value, str) else None


def choose_locale(request: Request, locale: str) -> None:
    """The language of pages before sign-in."""
    session_of(request)[_LOCALE] = locale


def flash(request: Request, message: str, kind: str = "success") -> None:
    """A message shown once on the next page (already translated)."""
    messages = session_of(request).setdefault(_FLASH, [])
    messages.append([kind, message])


def take_flashes(request: Request) -> list[tuple[str, str]]:
    messages = session_of(request).pop(_FLASH, [])
    return [(str(kind), str(text)) for kind, text in messages]
