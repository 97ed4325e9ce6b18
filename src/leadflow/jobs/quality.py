"""Periodic data-quality work: alert the owners of leads missing required fields, and their
team leads once the gap is older than the configured working hours (a thin task)."""

from __future__ import annotations

import structlog
from procrastinate import App, JobContext

from leadflow.jobs.runtime import runtime_of
from leadflow.services.configuration.versions import NoConfiguration
from leadflow.services.workflow import quality
from leadflow.storage.store import open_store

log = structlog.get_logger(__name__)
WORKFLOW = "workflow"
ALERT_MISSING_FIELDS = "alert_missing_fields"


async def alert_missing_fields(context: JobContext, timestamp: int | None = None) -> None:
    """Every 15 minutes: one transaction; a run that fails alerts nobody twice (the outbox keys
    are per lead, stage and set of missing fields)."""
    runtime = runtime_of(context)
    async with open_store(runtime.database) as store:
        try:
            organisation = await runtime.live.get(store)
        except NoConfiguration:
            return
        alerted = await quality.alert_gaps(store, organisation, runtime.clock())
        await store.commit()
    if alerted.owners or alerted.escalated:
        log.info("missing fields alerted", **vars(alerted))


def register(app: App) -> None:
    app.task(
        name=ALERT_MISSING_FIELDS,
        queue=WORKFLOW,
        queueing_lock=ALERT_MISSING_FIELDS,
        pass_context=True,
    )(alert_missing_fields)
