"""API tokens as administrators see them in the web interface: list, issue, revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadflow.services.access import tokens
from leadflow.services.access.scoping import Scope
from leadflow.services.access.tokens import IssuedToken
from leadflow.storage.store import Store


@dataclass(frozen=True)
class TokenLine:
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def list_tokens(store: Store) -> list[TokenLine]:
    return [
        TokenLine(t.name, t.prefix, list(t.scopes), t.created_at, t.last_used_at, t.revoked_at)
        for t in await store.tokens.all()
    ]


async def issue(store: Store, name: str, scopes: frozenset[Scope], *, actor: str) -> IssuedToken:
    """A new token (TokenExists when the name is taken); its secret is shown once."""
    return await tokens.issue(store, name.strip(), scopes, actor=actor)


async def revoke(store: Store, name: str, *, actor: str, now: datetime) -> bool:
    revoked = await tokens.revoke(store, name, now)
    if revoked:
        await store.audit.record(
            actor=actor, action="token.revoke", entity="api_token", entity_id=name, detail={}
        )
    return revoked
