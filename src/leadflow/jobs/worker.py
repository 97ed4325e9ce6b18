"""Running the worker: alone (`leadflow worker`) or inside a server process (`leadflow serve`).

Besides procrastinate's own loop, a worker LISTENs on `leadflow_outbox`, which the outbox
trigger notifies on every commit that wrote rows, and defers a delivery: e-mails and webhooks go
out within a quarter of a second instead of at the next scheduled tick. (Live events do not wait
for it: NOTIFY carries them to the agents' streams at commit.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued

from leadflow.config import Settings
from leadflow.jobs.app import build
from leadflow.jobs.channels import PROCESS_INBOUND
from leadflow.jobs.runtime import CONTEXT_KEY, open_runtime
from leadflow.jobs.stalled import HEARTBEAT_S, STALE_AFTER_S
from leadflow.jobs.tasks import DELIVER_OUTBOX
from leadflow.notify.listener import Listener
from leadflow.services.channels.pipeline.inbound import WAKE_CHANNEL
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.embedded import libpq_url

log = structlog.get_logger(__name__)

OUTBOX_CHANNEL = "leadflow_outbox"


async def run_worker(
    settings: Settings,
    database: Database,
    *,
    name: str = "leadflow",
    concurrency: int = 2,
    install_signal_handlers: bool = True,
    live: LiveOrganisation | None = None,
) -> None:
    """Run jobs and schedules until stopped (a signal, or cancellation of this coroutine);
    `live`: the configuration the process compiled already (a server's)."""
    app = build(database.url, pool_size=concurrency + 3)
    async with (
        open_runtime(settings, database, live=live) as runtime,
        app.open_async(),
        _deliver_on_commit(app, libpq_url(database.url)),
        _deliver_on_commit(app, libpq_url(database.url), WAKE_CHANNEL, PROCESS_INBOUND),
    ):
        await app.run_worker_async(
            name=name,
            concurrency=concurrency,
            install_signal_handlers=install_signal_handlers,
            additional_context={CONTEXT_KEY: runtime},
            delete_jobs="successful",
            shutdown_graceful_timeout=10,
            update_heartbeat_interval=HEARTBEAT_S,
            stalled_worker_timeout=STALE_AFTER_S,
        )


@asynccontextmanager
async def _deliver_on_commit(
    app: App, conninfo: str, channel: str = OUTBOX_CHANNEL, task: str = DELIVER_OUTBOX
) -> AsyncIterator[None]:
    """Defer `task` when a commit NOTIFYs `channel` (the outbox's rows; inbound events)."""
    wake = asyncio.Event()
    listener = Listener(conninfo, channel, lambda _: wake.set())
    await listener.start()
    deferring = asyncio.create_task(_defer_when_woken(app, wake, task=task))
    try:
        yield
    finally:
        deferring.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await deferring
        await listener.close()


async def _defer_when_woken(
    app: App, wake: asyncio.Event, pause: float = 0.25, task: str = DELIVER_OUTBOX
) -> None:
    """One deferral per `pause` at most: a pass delivers everything due, so under a stream of
    leads batches grow instead of passes (each pass costs a job's round trips; a pause of 50 ms
    cost ~40% more server CPU per lead at 40-80 leads/s, bench notes in docs/benchmarks.md)."""
    while True:
        await wake.wait()
        wake.clear()
        with contextlib.suppress(AlreadyEnqueued):
            await app.configure_task(task).defer_async()
        await asyncio.sleep(pause)


class InProcessWorker:
    """A worker running as a task of the server's event loop (embedded and demo mode)."""

    def __init__(self, task: asyncio.Task[None]) -> None:
        self.task = task

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def start_in_process(
    settings: Settings, database: Database, live: LiveOrganisation | None = None
) -> InProcessWorker:
    async def supervise() -> None:
        while True:
            try:
                await run_worker(
                    settings,
                    database,
                    name="in-process",
                    install_signal_handlers=False,
                    live=live,
                )
                return
            except Exception:
                log.exception("in-process worker failed; restarting in 5 s")
                await asyncio.sleep(5)

    return InProcessWorker(asyncio.create_task(supervise(), name="leadflow worker"))
