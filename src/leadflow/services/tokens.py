"""API tokens for machine clients: shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
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


async def authenticate(store: Store, secret: str) -> str | None:
    """The token's name when `secret` is a live token, else None."""
    return await store.tokens.live_name(hash_token(secret))


async def revoke(store: Store, name: str, now: datetime) -> bool:
    return await store.tokens.revoke(name, now)
