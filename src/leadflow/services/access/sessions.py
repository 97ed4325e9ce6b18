"""Signed-in browsers: a random id in the cookie, a row on the server that ending deletes.

The cookie carries nothing but the id; the row stores its SHA-256, so a copy of the table opens
no session. Every signed-in request reads one row (joined with its user); sign-out, a password
change, a reset or a deactivation delete rows, and a copied cookie is refused from then on.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadflow.services.access.tokens import hash_token
from leadflow.services.access.users import Account, account_of
from leadflow.storage.store import Store

Flash = tuple[str, str]
"""(kind, already translated text)"""


@dataclass(frozen=True)
class Resumed:
    account: Account
    flashes: list[Flash] = field(default_factory=list)


async def start(store: Store, account: Account, *, now: datetime, lasts: timedelta) -> str:
    """A new session for `account`; returns the id for the cookie (the caller commits)."""
    session_id = secrets.token_urlsafe(32)
    await store.sessions.drop_expired(account.id, now)
    await store.sessions.add(
        id_hash=hash_token(session_id), user_id=account.id, expires_at=now + lasts
    )
    return session_id


async def resume(store: Store, session_id: str, *, now: datetime) -> Resumed | None:
    """The session's account while it lasts and the user is active; None once it ended."""
    found = await store.sessions.resume(hash_token(session_id), now)
    if found is None:
        return None
    user, flashes = found
    return Resumed(account_of(user), [(str(kind), str(text)) for kind, text in flashes])


async def keep_flashes(store: Store, session_id: str, flashes: list[Flash]) -> None:
    await store.sessions.set_flashes(hash_token(session_id), [list(item) for item in flashes])


async def end(store: Store, session_id: str) -> None:
    await store.sessions.end(hash_token(session_id))
