"""Periodic sales-workflow work: the automations' time-based events (a thin task)."""

from __future__ import annotations

import structlog
from procrastinate import App, JobContext

from leadflow.jobs.runtime import runtime_of
from leadflow.services.workflow import sweep

log = structlog.get_logger(__name__)
WORKFLOW = "workflow"
SWEEP_WORKFLOW = "sweep_workflow"


async def sweep_workflow(context: JobContext, timestamp: int | None = None) -> None:
    """Every minute: leads created, leads idle too long, tasks overdue → their automations."""
    runtime = runtime_of(context)
    swept = await sweep.sweep(runtime.database, runtime.live, runtime.clock())
    if swept.created or swept.idle or swept.overdue:
        log.info("workflow swept", **vars(swept))


def register(app: App) -> None:
    app.task(name=SWEEP_WORKFLOW, queue=WORKFLOW, queueing_lock=SWEEP_WORKFLOW, pass_context=True)(
        sweep_workflow
    )
