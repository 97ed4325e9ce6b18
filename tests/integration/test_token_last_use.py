"""An API token's "Last used": written on its first call and at most once a minute after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from leadflow.config import Settings
from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.services.access.tokens import LiveTokens
from leadflow.storage.store import Store, open_store
from leadflow.web.app import create_app
from tests.integration.conftest import Clock, committing
from tests.integration.test_tokens import Ticking


async def last_used(store: Store, name: str) -> object:
    token = await store.tokens.by_name(name)
    assert token is not None
    await store.session.refresh(token)
    return token.last_used_at


async def test_a_call_with_a_token_records_when_it_was_used(database_url: str) -> None:
    # Committed for real: the use is written in a transaction of its own, beside the request's.
    clock = Clock(datetime(2026, 5, 12, 8, 0, tzinfo=UTC))
    async with committing(database_url, pool_size=4) as database:
        async with open_store(database) as store:
            issued = await tokens.issue(store, "reader", ALL_SCOPES)
            await store.commit()
        app = create_app(Settings(), database, clock=clock, owns_database=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://leadflow.test",
            headers={"Authorization": f"Bearer {issued.secret}"},
        ) as client:
            async with open_store(database) as store:
                assert await last_used(store, "reader") is None
            assert (await client.get("/api/v1/queue")).status_code == 200
            async with open_store(database) as store:
                assert await last_used(store, "reader") == clock.now
            first = clock.now
            clock.now += timedelta(seconds=20)
            assert (await client.get("/api/v1/queue")).status_code == 200
            async with open_store(database) as store:
                assert await last_used(store, "reader") == first  # not a write on every call


async def test_a_process_records_a_tokens_use_at_most_once_a_minute() -> None:
    ticking = Ticking()
    live = LiveTokens(clock=ticking)
    assert live.use_to_record("digest-a")
    ticking.seconds += 59
    assert not live.use_to_record("digest-a")
    assert live.use_to_record("digest-b")
    ticking.seconds += 2
    assert live.use_to_record("digest-a")


async def test_another_process_wrote_the_use_lately_so_it_is_not_written_again(
    store: Store, clock: Clock
) -> None:
    issued = await tokens.issue(store, "website")
    await tokens.record_use(store, issued.secret, clock.now)
    await tokens.record_use(store, issued.secret, clock.now + timedelta(seconds=30))
    assert await last_used(store, "website") == clock.now
    await tokens.record_use(store, issued.secret, clock.now + timedelta(seconds=61))
    assert await last_used(store, "website") == clock.now + timedelta(seconds=61)
