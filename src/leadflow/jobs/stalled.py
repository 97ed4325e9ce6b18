"""Jobs of a dead worker run again: a killed worker (`kill -9`, a lost machine) leaves its jobs
`doing` and its row in procrastinate_workers, and procrastinate itself retries neither.

Every worker sends a heartbeat every HEARTBEAT_S. A worker silent for STALE_AFTER_S is dead:
every STALE_AFTER_S / 2 a periodic task puts its `doing` jobs back to `todo` and deletes its row.
A killed worker's jobs so run again within STALE_AFTER_S + STALE_AFTER_S / 2 + a job's pick-up
(about 50 s). A live worker's event loop never stalls for 30 s (the heartbeat is a task of it).
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from procrastinate import App, JobContext
from procrastinate.exceptions import UniqueViolation
from procrastinate.jobs import Job, Status

log = structlog.get_logger(__name__)

HEARTBEAT_S = 10.0
STALE_AFTER_S = 30.0
RECOVER_STALLED_JOBS = "recover_stalled_jobs"
MAINTENANCE = "maintenance"


@dataclass(frozen=True)
class Recovered:
    retried: list[int]
    failed: list[int]
    """Stalled runs of a task whose next run is already queued (its queueing lock allows one
    waiting job): that run does the work, the stalled one is closed as failed."""
    workers: list[int]


async def recover_stalled(app: App, *, stale_after: float = STALE_AFTER_S) -> Recovered:
    """Retry the `doing` jobs of workers silent for `stale_after` seconds; delete those workers."""
    manager = app.job_manager
    retried, failed = [], []
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stale_after):
        assert job.id is not None
        if await _retry(app, job):
            retried.append(job.id)
        else:
            failed.append(job.id)
    workers = await manager.prune_stalled_workers(stale_after)
    return Recovered(retried, failed, workers)


async def _retry(app: App, job: Job) -> bool:
    try:
        await app.job_manager.retry_job(job)
    except UniqueViolation:
        await app.job_manager.finish_job(job, Status.FAILED, delete_job=False)
        return False
    return True


async def recover_stalled_jobs(context: JobContext, timestamp: int | None = None) -> None:
    recovered = await recover_stalled(context.app)
    if recovered.retried or recovered.failed or recovered.workers:
        log.warning("stalled jobs recovered", **vars(recovered))


def register(app: App) -> None:
    registered = app.task(
        name=RECOVER_STALLED_JOBS,
        queue=MAINTENANCE,
        queueing_lock=RECOVER_STALLED_JOBS,
        pass_context=True,
    )(recover_stalled_jobs)
    app.periodic(cron=f"* * * * * */{STALE_AFTER_S / 2:.0f}")(registered)
