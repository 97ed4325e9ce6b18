"""The sweep's automations that reassign route their leads again, locking pools and agents as
intake does: they go in steps of `STEP` leads, a transaction each (decision 0019), so intake
waits for one step at most; and a sweep cut off mid-way keeps its committed steps and fires the
rest, each event once, when it runs again. These tests commit for real, on their own database,
emptied afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
import pytest_asyncio
from sqlalchemy import text

from leadflow.domain.submission import LeadSubmission
from leadflow.services.assignment.assign import STEP
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
THURSDAY_10_BERLIN = TUESDAY_10_BERLIN + timedelta(days=2)
"""18 working hours later: every lead left alone since Tuesday is idle."""
IDLE_REASSIGN = {
    "key": "idle-reassign",
    "trigger": {"event": "no_activity", "working_hours": 8},
    "do": [{"do": "reassign"}],
}
NEW_REASSIGN = {
    "key": "new-reassign",
    "trigger": {"event": "lead_created"},
    "do": IDLE_REASSIGN["do"],
}


async def scenario(database: Database, automation: dict[str, Any], countries: list[str]) -> None:
    """The workflow organisation with `automation` as its only one; one lead from each of
    `countries`, in order, ingested on Tuesday (a British lead goes to `hair-en`)."""
    async with open_store(database) as store:
        document = workflow_organisation(automations=[automation])
        await configuration.apply(store, document, actor="test")
        await store.commit()
    live = LiveOrganisation()
    for number, country in enumerate(countries):
        async with open_store(database) as store:
            body = factories.lead_body(
                external_id=f"lead-{number}",
                phone=f"+49 151 {10000000 + number}",
                email=None,
                country=country,
            )
            submission = LeadSubmission.model_validate(body)
            await intake.ingest(store, submission, live=live, threshold=0.6, now=TUESDAY_10_BERLIN)
            await store.commit()


async def rows(database: Database, sql: str) -> list[Any]:
    async with database.engine.connect() as connection:
        return list(await connection.execute(text(sql)))


async def moves_per_lead(database: Database) -> dict[int, int]:
    """How often each lead was routed again (every assignment after its first)."""
    found = await rows(
        database,
        "SELECT l.id, count(a.id) FROM leads l LEFT JOIN assignments a"
        " ON a.lead_id = l.id AND a.kind <> 'initial' GROUP BY l.id",
    )
    return {lead: moves for lead, moves in found}


@pytest_asyncio.fixture
async def emptied(database_url: str) -> AsyncIterator[Database]:
    async with emptied_afterwards(database_url, pool_size=6) as database:
        yield database


async def test_a_sweep_reassigning_many_idle_leads_holds_the_pools_one_step_at_a_time(
    emptied: Database,
) -> None:
    database = emptied
    leads = 2 * STEP + 3
    await scenario(database, IDLE_REASSIGN, ["DE"] * leads)
    swept = await sweep.sweep(database, LiveOrganisation(), THURSDAY_10_BERLIN)
    assert swept.idle == leads
    assert set((await moves_per_lead(database)).values()) == {1}
    # A transaction's routing locks (its pools, its agents) are held until it ends: the runs
    # one transaction wrote are the leads it routed while it held them.
    per_transaction = await rows(
        database, "SELECT xmin::text, count(*) FROM automation_runs GROUP BY 1 ORDER BY 2 DESC"
    )
    assert [count for _, count in per_transaction] == [STEP, STEP, 3]


async def wait_for_a_lock_wait(database: Database) -> int:
    """The process id of the session waiting for a lock on this database."""
    sql = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock'"
    )
    for _ in range(500):
        waiting = await rows(database, sql)
        if waiting:
            return int(waiting[0][0])
        await asyncio.sleep(0.02)
    raise AssertionError("the sweep never waited for the held pool")


@pytest.mark.parametrize(
    ("automation", "at"),
    [(IDLE_REASSIGN, THURSDAY_10_BERLIN), (NEW_REASSIGN, TUESDAY_10_BERLIN)],
    ids=["no_activity", "lead_created"],
)
async def test_a_sweep_cut_off_mid_way_and_run_again_fires_each_event_once(
    emptied: Database, automation: dict[str, Any], at: datetime
) -> None:
    """The second step's leads are British (`hair-en`), whose pool another transaction holds:
    the sweep waits there, its first step committed, and is cancelled, as in a crash."""
    database = emptied
    await scenario(database, automation, ["DE"] * STEP + ["GB"] * STEP)
    settled = {"settle": timedelta(0)}
    async with database.engine.connect() as holder:
        await holder.execute(
            text("SELECT 1 FROM pool_states WHERE pipeline_key = 'hair-en' FOR UPDATE")
        )
        cut_off = asyncio.create_task(sweep.sweep(database, LiveOrganisation(), at, **settled))
        waiting = await wait_for_a_lock_wait(database)
        await rows(database, f"SELECT pg_cancel_backend({waiting})")
        with pytest.raises(psycopg.errors.QueryCanceled):
            await cut_off
        await holder.rollback()
    moved = await moves_per_lead(database)
    assert sorted(moved.values()) == [0] * STEP + [1] * STEP  # the first step stays
    again = await sweep.sweep(database, LiveOrganisation(), at, **settled)
    assert again.created + again.idle == STEP
    assert set((await moves_per_lead(database)).values()) == {1}
    runs = await rows(database, "SELECT lead_id, count(*) FROM automation_runs GROUP BY 1")
    assert len(runs) == 2 * STEP
    assert {count for _, count in runs} == {1}
    replayed = await sweep.sweep(database, LiveOrganisation(), at + timedelta(minutes=1), **settled)
    assert (replayed.created, replayed.idle) == (0, 0)
