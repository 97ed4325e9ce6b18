"""When periodic work runs: the one place schedules are registered.

procrastinate's periodic deferrer runs in every worker, and the database accepts one job per
task and tick (a second worker's defer of the same tick is a no-op), so each tick runs once
however many workers there are. Cron strings have five fields, and an optional sixth for seconds.

To add periodic work (queue release at shift starts, SLA checks, leave transitions…):
1. write a thin task in `tasks.py` that calls a service, accepting `timestamp: int | None = None`
   (the tick, in Unix seconds, so the service can act "as of" the tick and catch up after an
   outage), and register it in `tasks.register` — give it a `queueing_lock` if runs must not
   pile up behind a slow one;
2. add a `Schedule` to SCHEDULES with the task's name and its cron.
"""

from __future__ import annotations

from dataclasses import dataclass

from procrastinate import App

from leadflow.jobs.channels import FORGET_PAYLOADS, PROCESS_INBOUND
from leadflow.jobs.followups import ALERT_OVERDUE_TASKS
from leadflow.jobs.quality import ALERT_MISSING_FIELDS
from leadflow.jobs.tasks import DELIVER_OUTBOX
from leadflow.jobs.workflow import SWEEP_WORKFLOW


@dataclass(frozen=True)
class Schedule:
    task: str
    cron: str
    periodic_id: str = ""
    """Tells two schedules of one task apart."""


SCHEDULES: tuple[Schedule, ...] = (
    # Retries come due, and commits whose wake-up was missed (no worker was listening).
    Schedule(DELIVER_OUTBOX, "* * * * * */5"),
    # Tasks past due: their owners, then their team leads, are alerted.
    Schedule(ALERT_OVERDUE_TASKS, "* * * * *"),
    # Leads created, idle too long, tasks overdue: the automations' time-based events.
    Schedule(SWEEP_WORKFLOW, "* * * * *"),
    # Owners of leads missing required fields, and their team leads after the delay.
    Schedule(ALERT_MISSING_FIELDS, "*/15 * * * *"),
    # Inbound events whose retry came due, and receipts whose wake-up was missed.
    Schedule(PROCESS_INBOUND, "* * * * * */5"),
    # Raw inbound payloads past their retention (settings.inbound_payload_days) are blanked.
    Schedule(FORGET_PAYLOADS, "17 * * * *"),
)


def register(app: App, schedules: tuple[Schedule, ...] = SCHEDULES) -> None:
    for schedule in schedules:
        app.periodic(cron=schedule.cron, periodic_id=schedule.periodic_id)(app.tasks[schedule.task])
