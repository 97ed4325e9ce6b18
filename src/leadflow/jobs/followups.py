"""Periodic work on tasks (follow-ups, callbacks): overdue alerts (a thin task)."""

from __future__ import annotations

import structlog
from procrastinate import App, JobContext

from leadflow.jobs.runtime import runtime_of
from leadflow.services.workflow import overdue
from leadflow.storage.store import open_store

log = structlog.get_logger(__name__)
WORKFLOW = "workflow"
ALERT_OVERDUE_TASKS = "alert_overdue_tasks"


async def alert_overdue_tasks(context: JobContext, timestamp: int | None = None) -> None:
    """Every minute: owners of tasks past due are told; after the delay, their team lead."""
    runtime = runtime_of(context)
    async with open_store(runtime.database) as store:
        organisation = await runtime.live.get(store)
        alerted = await overdue.alert_overdue(store, organisation, runtime.clock())
        await store.commit()
    if alerted.owners or alerted.team_leads:
        log.info(
            "overdue tasks alerted",
            owners=len(alerted.owners),
            team_leads=len(alerted.team_leads),
        )


def register(app: App) -> None:
    app.task(
        name=ALERT_OVERDUE_TASKS,
        queue=WORKFLOW,
        queueing_lock=ALERT_OVERDUE_TASKS,
        pass_context=True,
    )(alert_overdue_tasks)
