"""Two sweeps at once (two workers, or a slow run and the next minute's) fire each automation
once per event: they take turns, and the runs' unique index holds if they did not. These
tests commit for real, on their own database, emptied afterwards."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from leadflow.domain.submission import LeadSubmission
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake import ingest as intake
from leadflow.services.workflow import sweep
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests import factories
from tests.integration.conftest import emptied_afterwards
from tests.integration.workflow.conftest import workflow_organisation

TUESDAY_10_BERLIN = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


async def count(database: Database, sql: str) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(text(sql))).scalar_one())


async def test_two_sweeps_at_once_create_one_task_per_idle_lead(database_url: str) -> None:
    async with emptied_afterwards(database_url, pool_size=6) as database:
        live = LiveOrganisation()
        async with open_store(database) as store:
            await configuration.apply(store, workflow_organisation(), actor="test")
            for i in range(5):
                body = factories.lead_body(phone=f"+49 151 2345678{i}", email=f"p{i}@example.org")
                submission = LeadSubmission.model_validate(body)
                await intake.ingest(
                    store, submission, live=live, threshold=0.6, now=TUESDAY_10_BERLIN
                )
            await store.commit()
        thursday = TUESDAY_10_BERLIN + timedelta(days=2)
        first, second = await asyncio.gather(
            sweep.sweep(database, LiveOrganisation(), thursday),
            sweep.sweep(database, LiveOrganisation(), thursday),
        )
        assert first.idle + second.idle == 5
        assert await count(database, "SELECT count(*) FROM tasks") == 5
        runs = "SELECT count(*) FROM automation_runs WHERE automation_key = 'idle'"
        assert await count(database, runs) == 5
        # A sweep replayed after an outage finds nothing left to do.
        again = await sweep.sweep(database, LiveOrganisation(), thursday + timedelta(hours=1))
        assert again.idle == 0
