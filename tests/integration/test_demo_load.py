"""The demo month, loaded as `leadflow demo` loads it: its leads, closings and counters agree."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio
from sqlalchemy import text

from leadflow.services import demo
from leadflow.storage.database import Database
from tests.integration.conftest import emptied_afterwards

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def loaded(database_url: str) -> AsyncIterator[Database]:
    async with emptied_afterwards(database_url, pool_size=2) as database:
        await demo.load(database_url, days=6, now=NOW, per_day=40)
        yield database


async def test_the_demo_closes_leads_and_every_agents_open_count_matches_its_leads(
    loaded: Database,
) -> None:
    async with loaded.engine.connect() as connection:
        stages = dict(
            (
                await connection.execute(
                    text(
                        "SELECT stage_key, count(*) FROM leads WHERE closed_at IS NOT NULL"
                        " GROUP BY stage_key"
                    )
                )
            ).all()
        )
        drift = (
            await connection.execute(
                text(
                    "SELECT a.key, a.open_leads, count(l.id) AS open_rows FROM agents a"
                    " LEFT JOIN leads l ON l.owner_agent_key = a.key AND l.closed_at IS NULL"
                    " GROUP BY a.key, a.open_leads HAVING a.open_leads <> count(l.id)"
                )
            )
        ).all()
    assert set(stages) == {"won", "lost"}
    assert drift == []
