"""API tokens: a process trusts a live token for a second; revoking it here ends it at once."""

from __future__ import annotations

from datetime import UTC, datetime

from leadflow.services.access import tokens
from leadflow.services.access.scoping import LEAST_PRIVILEGE
from leadflow.services.access.tokens import TokenIdentity
from leadflow.storage.store import Store

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
META_ADS = TokenIdentity("meta-ads", LEAST_PRIVILEGE)
WEBSITE = TokenIdentity("website", LEAST_PRIVILEGE)


class Ticking:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


async def test_a_token_revoked_in_another_process_is_refused_once_its_second_is_over(
    store: Store,
) -> None:
    clock = Ticking()
    live = tokens.LiveTokens(ttl=1.0, clock=clock)
    issued = await tokens.issue(store, "meta-ads")
    assert await tokens.authenticate(store, issued.secret, live=live) == TokenIdentity(
        "meta-ads", LEAST_PRIVILEGE
    )
    await store.tokens.revoke("meta-ads", NOW)  # what `leadflow token revoke` does elsewhere
    clock.seconds += 0.9
    assert await tokens.authenticate(store, issued.secret, live=live) == TokenIdentity(
        "meta-ads", LEAST_PRIVILEGE
    )
    clock.seconds += 0.1
    assert await tokens.authenticate(store, issued.secret, live=live) is None


async def test_a_token_revoked_in_this_process_is_refused_at_once(store: Store) -> None:
    live = tokens.LiveTokens(ttl=60.0, clock=Ticking())
    issued = await tokens.issue(store, "website")
    assert await tokens.authenticate(store, issued.secret, live=live) == TokenIdentity(
        "website", LEAST_PRIVILEGE
    )
    assert await tokens.revoke(store, "website", NOW, live=live)
    assert await tokens.authenticate(store, issued.secret, live=live) is None


async def test_only_live_tokens_are_kept(store: Store) -> None:
    """Random secrets sent by anyone cannot fill the process's memory."""
    live = tokens.LiveTokens(ttl=60.0, clock=Ticking())
    for attempt in range(50):
        assert await tokens.authenticate(store, f"lf_guess-{attempt}", live=live) is None
    issued = await tokens.issue(store, "website")
    assert await tokens.authenticate(store, issued.secret, live=live) == TokenIdentity(
        "website", LEAST_PRIVILEGE
    )
    assert len(live) == 1
