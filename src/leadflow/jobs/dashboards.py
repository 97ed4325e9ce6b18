"""Periodic reporting work: the dashboards' daily rollup (a thin task)."""

from __future__ import annotations

import structlog
from procrastinate import App, JobContext

from leadflow.jobs.runtime import runtime_of
from leadflow.services.reporting import rollups

log = structlog.get_logger(__name__)
REPORTS = "reports"
REFRESH_DASHBOARD_ROLLUPS = "refresh_dashboard_rollups"


async def refresh_dashboard_rollups(context: JobContext, timestamp: int | None = None) -> None:
    """Every minute: recompute the rollup's days whose leads changed, and the recent days."""
    runtime = runtime_of(context)
    refreshed = await rollups.refresh_organisation_rollups(
        runtime.database, runtime.live, runtime.clock()
    )
    if refreshed is not None and refreshed.full:
        log.info("dashboard rollup built", days=refreshed.days)


def register(app: App) -> None:
    registered = app.task(
        name=REFRESH_DASHBOARD_ROLLUPS,
        queue=REPORTS,
        queueing_lock=REFRESH_DASHBOARD_ROLLUPS,
        pass_context=True,
    )(refresh_dashboard_rollups)
    app.periodic(cron="* * * * *")(registered)
