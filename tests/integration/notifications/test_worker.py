"""The procrastinate worker delivers the outbox on its schedule and right after commits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pytest_httpserver import HTTPServer

from leadflow.config import Settings
from leadflow.jobs.worker import run_worker
from leadflow.storage.database import Database
from leadflow.web.app import create_app
from tests.integration.notifications.conftest import add_message, configure, message

WAIT = 15.0  # upper bound: the schedule ticks every 5 s, a wake-up takes milliseconds


@asynccontextmanager
async def worker(database: Database) -> AsyncIterator[None]:
    task = asyncio.create_task(
        run_worker(Settings(), database, name="test", install_signal_handlers=False)
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def delivered(database: Database, message_id: int) -> None:
    for _ in range(int(WAIT * 10)):
        if (await message(database, message_id)).status == "delivered":
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"message {message_id} was not delivered within {WAIT:.0f} s")


async def test_the_worker_delivers_what_was_waiting_when_it_started(
    committed: Database, httpserver: HTTPServer
) -> None:
    await configure(committed, webhooks=[local_hook(httpserver)])
    httpserver.expect_request("/crm").respond_with_data("ok")
    waiting = await add_message(committed, key="lead.unassigned:1")
    async with worker(committed):
        await delivered(committed, waiting)
    assert len(httpserver.log) == 1


async def test_the_worker_delivers_a_message_committed_while_it_runs(
    committed: Database, httpserver: HTTPServer
) -> None:
    await configure(committed, webhooks=[local_hook(httpserver)])
    httpserver.expect_request("/crm").respond_with_data("ok")
    async with worker(committed):
        await asyncio.sleep(0.5)  # the worker is listening
        fresh = await add_message(committed, key="lead.unassigned:2")
        await delivered(committed, fresh)
    assert [r.headers["Idempotency-Key"] for r, _ in httpserver.log] == [
        "lead.unassigned:2/webhook:crm"
    ]


async def test_two_workers_side_by_side_deliver_each_message_once(
    committed: Database, httpserver: HTTPServer
) -> None:
    await configure(committed, webhooks=[local_hook(httpserver)])
    httpserver.expect_request("/crm").respond_with_data("ok")
    async with worker(committed), worker(committed):
        await asyncio.sleep(0.5)
        sent = [await add_message(committed, key=f"lead.unassigned:{n}") for n in range(20)]
        for message_id in sent:
            await delivered(committed, message_id)
    keys = [r.headers["Idempotency-Key"] for r, _ in httpserver.log]
    assert sorted(keys) == sorted({f"lead.unassigned:{n}/webhook:crm" for n in range(20)})


async def test_a_server_runs_the_worker_in_process(
    committed: Database, httpserver: HTTPServer
) -> None:
    await configure(committed, webhooks=[local_hook(httpserver)])
    httpserver.expect_request("/crm").respond_with_data("ok")
    app = create_app(Settings(run_worker_in_process=True), committed, owns_database=False)
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.5)
        message_id = await add_message(committed, key="lead.unassigned:1")
        await delivered(committed, message_id)
    assert len(httpserver.log) == 1


def local_hook(httpserver: HTTPServer) -> dict[str, object]:
    """The test's receiver listens on 127.0.0.1: allowed explicitly."""
    return {"key": "crm", "url": httpserver.url_for("/crm"), "allow_private_network": True}
