"""Which configuration routes: a version activated in this process at once, one activated by
another process within a second (the active version is no longer asked on every lead)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import text

from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests import factories
from tests.integration.conftest import committing


class Ticking:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest_asyncio.fixture
async def shared(database_url: str) -> AsyncIterator[Database]:
    async with committing(database_url, pool_size=4) as database:
        yield database


async def version_seen(database: Database, live: LiveOrganisation) -> int:
    async with open_store(database) as store:
        return (await live.get(store)).version


async def test_a_version_activated_in_this_process_routes_the_next_lead(
    shared: Database,
) -> None:
    live = LiveOrganisation(recheck_after=3600, clock=Ticking())
    first = await version_seen(shared, live)
    async with open_store(shared) as store:
        second = await configuration.apply(
            store, factories.organisation(strategy="round_robin"), actor="test"
        )
        assert (await live.get(store)).version == second  # inside its own transaction, too
        await store.commit()
    assert second != first
    assert await version_seen(shared, live) == second


async def test_a_version_activated_by_another_process_routes_within_a_second(
    shared: Database,
) -> None:
    clock = Ticking()
    live = LiveOrganisation(recheck_after=1.0, clock=clock)
    first = await version_seen(shared, live)
    async with shared.engine.begin() as elsewhere:  # the CLI's `config apply`, say
        await elsewhere.execute(text("UPDATE config_versions SET is_active = false"))
        second = (
            await elsewhere.execute(
                text(
                    "INSERT INTO config_versions (created_by, document, is_active)"
                    " SELECT 'elsewhere', document, true FROM config_versions WHERE id = :id"
                    " RETURNING id"
                ),
                {"id": first},
            )
        ).scalar_one()
    clock.seconds += 0.9
    assert await version_seen(shared, live) == first
    clock.seconds += 0.1
    assert await version_seen(shared, live) == second
