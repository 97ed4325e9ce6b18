"""The periodic events of the sales workflow: a lead was created, a lead has had no activity
for N working hours, a task is overdue. Each batch is one transaction; every event has a key,
so a sweep run twice (or two at once, or one replayed after an outage) fires each automation
once per event. Intake pays nothing for automation: `lead_created` is read here, after it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadflow.domain.configuration import NoActivity
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.services.workflow import automation, states
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.storage.tables import Lead

BATCH = 200
SETTLE = timedelta(seconds=30)
"""How long after it was stored a lead is handed to `lead_created`: the cursor moves by id,
and an intake transaction that took an id earlier may commit a moment later."""
CATCH_UP = timedelta(days=7)
"""Leads received longer ago than this get no `lead_created` (a new installation's cursor
starts at 0: the leads of the years before automation are not its business)."""
TURN = "leadflow.timekeeping"
"""The periodic routing jobs' turn: an automation may route a lead again (`reassign`)."""
CREATED = "lead_created"


@dataclass(frozen=True)
class Swept:
    created: int = 0
    idle: int = 0
    overdue: int = 0
    """Automation runs fired, by kind of event."""


async def sweep(
    database: Database, live: LiveOrganisation, now: datetime, *, settle: timedelta = SETTLE
) -> Swept:
    """Fire the automations of every periodic event due at `now`."""
    return Swept(
        created=await _in_batches(database, live, lambda s, o, c: _created(s, o, now, settle)),
        idle=await _in_batches(database, live, lambda s, o, c: _idle(s, o, now, c)),
        overdue=await _in_batches(database, live, lambda s, o, c: _overdue(s, o, now, c)),
    )


Step = Callable[[Store, Organisation, int], Awaitable["Batch"]]
"""One batch of a sweep, after the id it is given."""


async def _in_batches(database: Database, live: LiveOrganisation, work: Step) -> int:
    """Run `work` a batch per transaction until a batch comes back short."""
    fired, after = 0, 0
    while True:
        async with open_store(database) as store:
            await store.take_turn(TURN)
            organisation = await live.get(store)
            batch = await work(store, organisation, after)
            await store.commit()
        fired += batch.fired
        if batch.last is None:
            return fired
        after = batch.last


@dataclass(frozen=True)
class Batch:
    fired: int
    last: int | None
    """The last id read, when a full batch was read (another may follow)."""


async def _created(
    store: Store, organisation: Organisation, now: datetime, settle: timedelta
) -> Batch:
    position = await store.automation.cursor(CREATED)
    if not _listens(organisation, CREATED):
        # Nothing to fire: the cursor moves past the settled leads without reading them (read
        # and locked 200 at a time, every lead cost the sweep a row and PostgreSQL a lock).
        last = await store.automation.last_settled(position, settle)
        if last is not None:
            await store.automation.advance(CREATED, last)
        return Batch(0, None)
    leads = await store.automation.leads_after(position, settle, BATCH)
    if not leads:
        return Batch(0, None)
    fired = 0
    for lead in leads:
        if lead.received_at >= now - CATCH_UP:
            fired += await _fire(store, organisation, lead, "lead_created", f"lead:{lead.id}", now)
    await store.automation.advance(CREATED, leads[-1].id)
    return Batch(fired, leads[-1].id if len(leads) == BATCH else None)


async def _idle(store: Store, organisation: Organisation, now: datetime, after: int) -> Batch:
    thresholds = [
        a.trigger.working_hours
        for a in organisation.configuration.automations
        if a.enabled and isinstance(a.trigger, NoActivity)
    ]
    if not thresholds:
        return Batch(0, None)
    least = min(thresholds)
    # Working hours never outrun the clock: a lead idle for fewer plain hours cannot qualify.
    leads = await store.automation.idle_leads(now - timedelta(hours=least), after, BATCH)
    fired = 0
    for lead in leads:
        since = lead.last_activity_at or lead.received_at
        pipeline = automation.pipeline_of(organisation, lead)
        if pipeline is None:
            continue
        hours = organisation.working_hours_between(pipeline.key, since, now)
        if hours >= least:
            key = f"idle:{lead.id}:{since.isoformat()}"
            fired += await _fire(
                store, organisation, lead, "no_activity", key, now, idle_working_hours=hours
            )
    return Batch(fired, leads[-1].id if len(leads) == BATCH else None)


async def _overdue(store: Store, organisation: Organisation, now: datetime, after: int) -> Batch:
    if not _listens(organisation, "task_overdue"):
        return Batch(0, None)
    tasks = await store.automation.overdue_tasks(now, after, BATCH)
    fired = 0
    for task in tasks:
        lead = await store.leads.get(task.lead_id, for_update=True)
        assert lead is not None
        fired += await _fire(store, organisation, lead, "task_overdue", f"task:{task.id}", now)
    return Batch(fired, tasks[-1].id if len(tasks) == BATCH else None)


def _listens(organisation: Organisation, event: str) -> bool:
    return any(
        a.enabled and a.trigger.event == event for a in organisation.configuration.automations
    )


async def _fire(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    kind: str,
    key: str,
    now: datetime,
    *,
    idle_working_hours: float | None = None,
) -> int:
    event = automation.Event(
        kind=kind,
        key=key,
        lead=states.state_of(lead),
        at=now,
        idle_working_hours=idle_working_hours,
    )
    return len(await automation.fire(store, organisation, event))
