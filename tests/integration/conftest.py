"""Integration fixtures: each test runs in a transaction that is rolled back at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from leadflow.config import Settings
from leadflow.domain.configuration import Configuration
from leadflow.domain.submission import LeadSubmission
from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake import ingest as intake
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.web.app import create_app
from tests import factories

if TYPE_CHECKING:
    from tests.integration.ui import Scenario


class Clock:
    """The time the app sees; tests move it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest_asyncio.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url, pool_size=5)
    yield db
    await db.dispose()


@pytest_asyncio.fixture
async def bound(database: Database) -> AsyncIterator[Database]:
    """The database with every session inside one outer transaction, rolled back after."""
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        database.bind_to(connection)
        try:
            yield database
        finally:
            database.bind_to(None)
            await transaction.rollback()


@pytest_asyncio.fixture
async def store(bound: Database) -> AsyncIterator[Store]:
    async with open_store(bound) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    # A Tuesday 10:00 in Berlin.
    return Clock(datetime(2026, 5, 12, 8, 0, tzinfo=UTC))


async def activate(store: Store, config: Configuration) -> int:
    version = await configuration.apply(store, config, actor="test")
    await store.commit()
    return version


@pytest_asyncio.fixture
async def org(store: Store) -> Configuration:
    config = factories.organisation()
    await activate(store, config)
    return config


@pytest_asyncio.fixture
async def client(bound: Database, clock: Clock, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(), bound, clock=clock, owns_database=False)
    issued = await tokens.issue(store, "test-client", ALL_SCOPES)
    await store.commit()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://leadflow.test",
        headers={"Authorization": f"Bearer {issued.secret}"},
    ) as http:
        yield http


async def empty_committed(connection: AsyncConnection) -> None:
    """Remove what a test committed for real: every table but the schema's version (the next
    test starts from an empty, migrated database, whatever tables later migrations add)."""
    names = (
        await connection.execute(
            text(
                "SELECT quote_ident(tablename) FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        )
    ).scalars()
    await connection.execute(text(f"TRUNCATE {', '.join(names)} CASCADE"))


@asynccontextmanager
async def emptied_afterwards(database_url: str, *, pool_size: int) -> AsyncIterator[Database]:
    """A database whose sessions commit for real; emptied again afterwards."""
    database = Database(database_url, pool_size=pool_size)
    try:
        yield database
    finally:
        async with database.engine.begin() as connection:
            await empty_committed(connection)
        await database.dispose()


@asynccontextmanager
async def committing(database_url: str, *, pool_size: int) -> AsyncIterator[Database]:
    """A database whose sessions commit for real (races, bulk imports), with the test
    organisation applied; emptied again afterwards."""
    async with emptied_afterwards(database_url, pool_size=pool_size) as database:
        async with open_store(database) as opened:
            await configuration.apply(opened, factories.organisation(), actor="test")
            await opened.commit()
        yield database


@pytest_asyncio.fixture
async def committed(database_url: str) -> AsyncIterator[Database]:
    """The test organisation on a database whose sessions commit for real (a CLI command runs
    in its own process state and sees only committed rows), with five connections."""
    async with committing(database_url, pool_size=5) as database:
        yield database


async def arrive(
    database: Database, live: LiveOrganisation, count: int, *, at: datetime, prefix: str
) -> None:
    """`count` German leads from different people, each ingested in a transaction of its own
    at `at` (external ids `prefix-0`, `prefix-1`, …)."""
    for number in range(count):
        async with open_store(database) as store:
            body = factories.lead_body(
                external_id=f"{prefix}-{number}", phone=f"+49 151 {10000000 + number}", email=None
            )
            await intake.ingest(
                store, LeadSubmission.model_validate(body), live=live, threshold=0.6, now=at
            )
            await store.commit()


# --- the web interface: the demo organisation with one user per role ------------------------


@pytest_asyncio.fixture
async def scenario(store: Store) -> Scenario:
    from tests.integration.ui import demo_scenario  # ui imports this module

    return await demo_scenario(store)


@pytest_asyncio.fixture
async def web(
    bound: Database, clock: Clock, scenario: Scenario
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client (cookies, same origin) of the app, nobody signed in yet."""
    from tests.integration.ui import browser

    async with browser(bound, clock) as client:
        yield client
