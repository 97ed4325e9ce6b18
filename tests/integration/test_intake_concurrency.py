"""Dedupe and idempotency hold under concurrency: unique constraints, not check-then-insert.

These tests commit for real (separate sessions race each other), so they use their own
database, emptied after each test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio
from sqlalchemy import text

from leadflow.services import intake
from leadflow.services.intake import LeadSubmission
from leadflow.services.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests import factories
from tests.integration.conftest import committing

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def racing(database_url: str) -> AsyncIterator[Database]:
    async with committing(database_url, pool_size=20) as database:
        yield database


async def submit(database: Database, live: LiveOrganisation, **fields: object) -> tuple[int, bool]:
    async with open_store(database) as store:
        result = await intake.ingest(
            store,
            LeadSubmission.model_validate(factories.lead_body(**fields)),
            live=live,
            threshold=0.6,
            now=NOW,
        )
        await store.commit()
        return result.lead.id, result.created


async def count(database: Database, table: str) -> int:
    async with database.engine.connect() as connection:
        return (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


async def test_the_same_external_id_sent_concurrently_creates_one_lead(racing: Database) -> None:
    live = LiveOrganisation()
    results = await asyncio.gather(
        *(submit(racing, live, source="meta_lead_ads", external_id="l:42") for _ in range(20))
    )
    assert len({lead_id for lead_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await count(racing, "leads") == 1
    assert await count(racing, "assignments") == 1


async def test_one_person_writing_concurrently_is_one_contact(racing: Database) -> None:
    live = LiveOrganisation()
    results = await asyncio.gather(
        *(submit(racing, live, external_id=f"form-{i}") for i in range(20))
    )
    assert len({lead_id for lead_id, _ in results}) == 20
    assert await count(racing, "contacts") == 1
    async with racing.engine.connect() as connection:
        repeats = (
            await connection.execute(text("SELECT count(*) FROM leads WHERE is_repeat"))
        ).scalar_one()
    assert repeats == 19  # leads of one contact take turns: all but the first see an earlier one
