"""The tasks: each one is thin and calls a service with the worker's runtime."""

from __future__ import annotations

import structlog
from procrastinate import App, JobContext

from leadflow.jobs.runtime import runtime_of
from leadflow.services.delivery import outbox as delivery

log = structlog.get_logger(__name__)


NOTIFICATIONS = "notifications"
DELIVER_OUTBOX = "deliver_outbox"


async def deliver_outbox(context: JobContext, timestamp: int | None = None) -> None:
    """Deliver the due outbox messages. Runs on a schedule (`timestamp` is then the tick) and
    right after commits that wrote outbox rows; its queueing lock keeps one job waiting at most,
    and concurrent runs share the messages (SKIP LOCKED)."""
    runtime = runtime_of(context)
    report = await delivery.deliver_due(
        runtime.database, runtime.channels, now=runtime.clock(), live=runtime.live
    )
    if report.sends or report.dead or report.retrying:
        log.info("outbox delivered", **vars(report))


def register(app: App) -> None:
    app.task(
        name=DELIVER_OUTBOX,
        queue=NOTIFICATIONS,
        queueing_lock=DELIVER_OUTBOX,
        pass_context=True,
    )(deliver_outbox)
