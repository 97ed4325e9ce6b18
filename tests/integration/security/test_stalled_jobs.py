"""A killed worker's jobs run again and its row goes: the worker stops sending heartbeats, and
the recovery task puts the jobs it held back in the queue.

The kill is simulated through procrastinate's own API: a registered worker fetches a job (it is
then `doing`, held by that worker) and its heartbeat is set in the past, where it stays when a
worker dies.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest_asyncio
from procrastinate import App

from leadflow.config import Settings
from leadflow.jobs.app import build
from leadflow.jobs.stalled import STALE_AFTER_S, recover_stalled
from leadflow.jobs.tasks import DELIVER_OUTBOX
from leadflow.jobs.worker import run_worker
from leadflow.storage.database import Database
from tests.integration.conftest import committing

WAIT = 15.0  # upper bound: a starting worker runs the recovery at once


@pytest_asyncio.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    async with committing(database_url, pool_size=2) as opened:
        yield opened


@pytest_asyncio.fixture
async def app(database: Database) -> AsyncIterator[App]:
    built = build(database.url)
    async with built.open_async():
        yield built


async def held_job(app: App, *, dead: bool, lock: str | None = "held") -> tuple[int, int]:
    """A job `doing` in a worker, dead (silent for longer than STALE_AFTER_S) or alive;
    (the job's id, the worker's id)."""
    worker = await app.job_manager.register_worker()
    await app.configure_task(DELIVER_OUTBOX, queueing_lock=lock).defer_async()
    job = await app.job_manager.fetch_job(queues=None, worker_id=worker)
    assert job is not None
    assert job.id is not None
    if dead:
        await app.connector.execute_query_async(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - %(silent)s * interval '1s'"
            " WHERE id = %(worker)s",
            silent=STALE_AFTER_S + 5,
            worker=worker,
        )
    return job.id, worker


async def status(app: App, job_id: int) -> str | None:
    rows = await app.job_manager.list_jobs_async(id=job_id)
    return rows[0].status if rows else None


async def workers(app: App) -> list[int]:
    rows = await app.connector.execute_query_all_async("SELECT id FROM procrastinate_workers")
    return [row["id"] for row in rows]


async def recovered(app: App, job: int, worker: int) -> None:
    """Wait until `job` was retried, run and deleted (as successful) and `worker`'s row is gone."""
    for _ in range(int(WAIT * 10)):
        if await status(app, job) is None and worker not in await workers(app):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job} of dead worker {worker} not recovered within {WAIT:.0f} s")


async def test_a_dead_workers_job_is_retried_and_its_row_removed(app: App) -> None:
    job, worker = await held_job(app, dead=True)
    recovered = await recover_stalled(app)
    assert (recovered.retried, recovered.workers) == ([job], [worker])
    assert await status(app, job) == "todo"
    assert await workers(app) == []


async def test_a_live_workers_job_is_left_alone(app: App) -> None:
    job, worker = await held_job(app, dead=False)
    recovered = await recover_stalled(app)
    assert (recovered.retried, recovered.failed, recovered.workers) == ([], [], [])
    assert await status(app, job) == "doing"
    assert await workers(app) == [worker]


async def test_a_stalled_run_whose_next_run_waits_is_closed_as_failed(app: App) -> None:
    """The task's queueing lock allows one waiting job: that one will do the work."""
    job, _ = await held_job(app, dead=True, lock=DELIVER_OUTBOX)
    await app.configure_task(DELIVER_OUTBOX).defer_async()
    recovered = await recover_stalled(app)
    assert (recovered.retried, recovered.failed) == ([], [job])
    assert await status(app, job) == "failed"


async def test_a_starting_worker_recovers_a_dead_workers_job(app: App, database: Database) -> None:
    job, worker = await held_job(app, dead=True)
    running = asyncio.create_task(
        run_worker(Settings(), database, name="test", install_signal_handlers=False)
    )
    try:
        await recovered(app, job, worker)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
