"""API tokens for machine clients: shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadflow.services.access.scoping import LEAST_PRIVILEGE, Scope
from leadflow.storage.store import Store

PREFIX = "lf_"
USE_RECORDED_EVERY = timedelta(minutes=1)
"""A token's `last_used_at` is written at most this often (per server process): not a write on
every API call."""


class TokenExists(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"a token named {name!r} exists already")


@dataclass(frozen=True)
class IssuedToken:
    name: str
    secret: str
    """Shown once; only its SHA-256 is stored."""
    scopes: frozenset[Scope] = LEAST_PRIVILEGE


@dataclass(frozen=True)
class TokenIdentity:
    """A live token as a request sees it: who calls, and what the token lets them do."""

    name: str
    scopes: frozenset[Scope]


def ordered(scopes: frozenset[Scope]) -> list[str]:
    """Scopes in their documented order, for storage and display."""
    return [scope.value for scope in Scope if scope in scopes]


def hash_token(secret: str) -> str:
    # A random 256-bit secret needs no slow hash: SHA-256 cannot be reversed and is cheap per call.
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue(
    store: Store, name: str, scopes: frozenset[Scope] = LEAST_PRIVILEGE, *, actor: str = "cli"
) -> IssuedToken:
    """A new token holding `scopes` (least privilege by default: submitting leads only)."""
    if await store.tokens.by_name(name) is not None:
        raise TokenExists(name)
    secret = PREFIX + secrets.token_urlsafe(32)
    await store.tokens.add(
        name=name, token_hash=hash_token(secret), prefix=secret[:10], scopes=ordered(scopes)
    )
    await store.audit.record(
        actor=actor,
        action="token.create",
        entity="api_token",
        entity_id=name,
        detail={"scopes": ordered(scopes)},
    )
    return IssuedToken(name=name, secret=secret, scopes=scopes)


class LiveTokens:
    """The tokens this process found live lately, trusted for `ttl` seconds without asking the
    database again: the look-up was one round trip on every API request. A token revoked in
    this process is refused at once; one revoked elsewhere (the CLI, another server process)
    at most `ttl` seconds later. Only live tokens are kept, so unknown secrets cannot fill it."""

    def __init__(self, ttl: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._names: dict[str, tuple[TokenIdentity, float]] = {}
        self._used: dict[str, float] = {}

    def use_to_record(self, digest: str) -> bool:
        """True at the token's first use in this process and once a minute after; the caller
        then records it (`record_use`)."""
        if not self.use_due(digest):
            return False
        self._used[digest] = self.clock()
        return True

    def use_due(self, digest: str) -> bool:
        """Whether the token's use is to be recorded now (`use_to_record` without claiming it)."""
        return self._used.get(digest, -1e18) <= self.clock() - USE_RECORDED_EVERY.total_seconds()

    def __len__(self) -> int:
        return len(self._names)

    def get(self, digest: str) -> TokenIdentity | None:
        found = self._names.get(digest)
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def keep(self, digest: str, identity: TokenIdentity | None) -> None:
        if identity is None:
            self._names.pop(digest, None)
        else:
            self._names[digest] = (identity, self.clock() + self.ttl)

    def forget(self, name: str) -> None:
        self._names = {d: kept for d, kept in self._names.items() if kept[0].name != name}


LIVE = LiveTokens()


def trusted(secret: str, *, live: LiveTokens = LIVE) -> TokenIdentity | None:
    """The token's identity when this process found it live lately and recorded its use within
    the minute: nothing to ask or write (`authenticate` otherwise). Most API calls end here, with
    no database session opened for the token."""
    digest = hash_token(secret)
    identity = live.get(digest)
    return None if identity is None or live.use_due(digest) else identity


async def authenticate(
    store: Store, secret: str, *, now: datetime | None = None, live: LiveTokens = LIVE
) -> TokenIdentity | None:
    """The token's name and scopes when `secret` is a live token, else None. With `now`, a live
    token's use is recorded (at most once a minute per process, `record_use`)."""
    digest = hash_token(secret)
    identity = live.get(digest)
    if identity is None:
        found = await store.tokens.live_token(digest)
        identity = None if found is None else TokenIdentity(found[0], _known(found[1]))
        live.keep(digest, identity)
    if identity is not None and now is not None and live.use_to_record(digest):
        await record_use(store, secret, now)
    return identity


async def record_use(store: Store, secret: str, now: datetime) -> None:
    """Write when the token was last used (at most once a minute, whichever process asks)."""
    await store.tokens.mark_used(hash_token(secret), now, since=now - USE_RECORDED_EVERY)


def _known(stored: list[str]) -> frozenset[Scope]:
    # A scope retired from the code grants nothing; it must not fail every call of the token.
    return frozenset(scope for scope in Scope if scope.value in stored)


async def revoke(store: Store, name: str, now: datetime, *, live: LiveTokens = LIVE) -> bool:
    revoked = await store.tokens.revoke(name, now)
    live.forget(name)
    return revoked
