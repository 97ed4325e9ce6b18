"""API tokens for machine clients: shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from leadflow.storage.store import Store

PREFIX = "lf_"


class TokenExists(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"a token named {name!r} exists already")


@dataclass(frozen=True)
class IssuedToken:
    name: str
    secret: str
    """Shown once; only its SHA-256 is stored."""


def hash_token(secret: str) -> str:
    # A random 256-bit secret needs no slow hash: SHA-256 cannot be reversed and is cheap per call.
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue(store: Store, name: str) -> IssuedToken:
    if await store.tokens.by_name(name) is not None:
        raise TokenExists(name)
    secret = PREFIX + secrets.token_urlsafe(32)
    await store.tokens.add(name=name, token_hash=hash_token(secret), prefix=secret[:10])
    await store.audit.record(
        actor="cli", action="token.create", entity="api_token", entity_id=name, detail={}
    )
    return IssuedToken(name=name, secret=secret)


class LiveTokens:
    """The tokens this process found live lately, trusted for `ttl` seconds without asking the
    database again: the look-up was one round trip on every API request. A token revoked in
    this process is refused at once; one revoked elsewhere (the CLI, another server process)
    at most `ttl` seconds later. Only live tokens are kept, so unknown secrets cannot fill it."""

    def __init__(self, ttl: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._names: dict[str, tuple[str, float]] = {}

    def __len__(self) -> int:
        return len(self._names)

    def get(self, digest: str) -> str | None:
        found = self._names.get(digest)
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def keep(self, digest: str, name: str | None) -> None:
        if name is None:
            self._names.pop(digest, None)
        else:
            self._names[digest] = (name, self.clock() + self.ttl)

    def forget(self, name: str) -> None:
        self._names = {d: kept for d, kept in self._names.items() if kept[0] != name}


LIVE = LiveTokens()


async def authenticate(store: Store, secret: str, *, live: LiveTokens = LIVE) -> str | None:
    """The token's name when `secret` is a live token, else None."""
    digest = hash_token(secret)
    name = live.get(digest)
    if name is None:
        name = await store.tokens.live_name(digest)
        live.keep(digest, name)
    return name


async def revoke(store: Store, name: str, now: datetime, *, live: LiveTokens = LIVE) -> bool:
    revoked = await store.tokens.revoke(name, now)
    live.forget(name)
    return revoked
