"""Periodic routing work: queue release, SLA checks, staff changes (each a thin task)."""

from __future__ import annotations

import structlog
from procrastinate import App, JobContext

from leadflow.jobs.runtime import runtime_of
from leadflow.services.assignment import timekeeping

log = structlog.get_logger(__name__)
ROUTING = "routing"


async def release_queue(context: JobContext, timestamp: int | None = None) -> None:
    """Every minute: waiting leads go to agents whose shift has started (or who got room)."""
    runtime = runtime_of(context)
    released = await timekeeping.release_queue(runtime.database, runtime.live, runtime.clock())
    if released.assigned:
        log.info("queue released", assigned=released.assigned, waiting=released.waiting)


async def enforce_sla(context: JobContext, timestamp: int | None = None) -> None:
    """Every minute: warn before the first-contact deadline, reassign after it."""
    runtime = runtime_of(context)
    warned, enforced = await timekeeping.enforce_sla(
        runtime.database, runtime.live, runtime.clock()
    )
    if warned or enforced.reassigned or enforced.kept:
        log.info("sla checked", warned=warned, reassigned=enforced.reassigned, kept=enforced.kept)


async def staff_changes(context: JobContext, timestamp: int | None = None) -> None:
    """Every five minutes: leads of agents who left or started leave; returns after leave."""
    runtime = runtime_of(context)
    report = await timekeeping.staff_changes(runtime.database, runtime.live, runtime.clock())
    if report.rerouted or report.held or report.queued or report.returned:
        log.info("staff changes handled", **vars(report))


SCHEDULE = (
    (release_queue, "* * * * *"),
    (enforce_sla, "* * * * *"),
    (staff_changes, "*/5 * * * *"),
)


def register(app: App) -> None:
    for task, cron in SCHEDULE:
        registered = app.task(
            name=task.__name__, queue=ROUTING, queueing_lock=task.__name__, pass_context=True
        )(task)
        app.periodic(cron=cron)(registered)
