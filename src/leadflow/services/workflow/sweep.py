"""The periodic events of the sales workflow: a lead was created, a lead has had no activity
for N working hours, a task is overdue. Each batch is one transaction; every event has a key,
so a sweep run twice (or two at once, or one replayed after an outage) fires each automation
once per event. Intake pays nothing for automation: `lead_created` is read here, after it.

An automation that reassigns routes its lead again, locking pools and agents as intake does:
the events that may set one off go in steps of `assign.STEP` leads, not batches of `BATCH`,
and each step locks what its leads' routing may need before the first one (decision 0019), so
intake waits for one step at most, never a batch."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadflow.domain.configuration import NoActivity
from leadflow.services.assignment import assign
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.services.workflow import automation, states
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.storage.tables import Lead
from leadflow.workflow.automation import reroutes

BATCH = 200
"""Events a transaction handles when none of their automations routes a lead again: they lock
only their own leads and rows (tasks, runs, messages to send)."""
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
    """Run `work` a batch per transaction, in turn, until a batch comes back short. What a
    batch fired (its runs, the cursor it moved) is committed with it or not at all."""
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
        await asyncio.sleep(0)  # the requests waiting for this event loop go first


@dataclass(frozen=True)
class Batch:
    fired: int
    last: int | None
    """The last id read, when a full batch was read (another may follow)."""


def _size(organisation: Organisation, event: str) -> int:
    """How many leads (or tasks) a transaction takes for `event`."""
    return assign.STEP if reroutes(organisation.configuration, event) else BATCH


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
    size = _size(organisation, CREATED)
    leads = await store.automation.leads_after(position, settle, size)
    if not leads:
        return Batch(0, None)
    recent = [lead for lead in leads if lead.received_at >= now - CATCH_UP]
    due = [Due(lead, CREATED, f"lead:{lead.id}") for lead in recent]
    fired = await _fire(store, organisation, due, now)
    await store.automation.advance(CREATED, leads[-1].id)
    return Batch(fired, leads[-1].id if len(leads) == size else None)


async def _idle(store: Store, organisation: Organisation, now: datetime, after: int) -> Batch:
    thresholds = [
        a.trigger.working_hours
        for a in organisation.configuration.automations
        if a.enabled and isinstance(a.trigger, NoActivity)
    ]
    if not thresholds:
        return Batch(0, None)
    least = min(thresholds)
    size = _size(organisation, "no_activity")
    # Working hours never outrun the clock: a lead idle for fewer plain hours cannot qualify.
    leads = await store.automation.idle_leads(now - timedelta(hours=least), after, size)
    due = []
    for lead in leads:
        since = lead.last_activity_at or lead.received_at
        pipeline = automation.pipeline_of(organisation, lead)
        if pipeline is None:
            continue
        hours = organisation.working_hours_between(pipeline.key, since, now)
        if hours >= least:
            key = f"idle:{lead.id}:{since.isoformat()}"
            due.append(Due(lead, "no_activity", key, idle_working_hours=hours))
    fired = await _fire(store, organisation, due, now)
    return Batch(fired, leads[-1].id if len(leads) == size else None)


async def _overdue(store: Store, organisation: Organisation, now: datetime, after: int) -> Batch:
    if not _listens(organisation, "task_overdue"):
        return Batch(0, None)
    size = _size(organisation, "task_overdue")
    tasks = await store.automation.overdue_tasks(now, after, size)
    due = []
    for task in tasks:
        lead = await store.leads.get(task.lead_id, for_update=True)
        assert lead is not None
        due.append(Due(lead, "task_overdue", f"task:{task.id}"))
    fired = await _fire(store, organisation, due, now)
    return Batch(fired, tasks[-1].id if len(tasks) == size else None)


def _listens(organisation: Organisation, event: str) -> bool:
    return any(
        a.enabled and a.trigger.event == event for a in organisation.configuration.automations
    )


@dataclass(frozen=True)
class Due:
    """An event due on a lead (locked by this transaction) whose automations have not fired."""

    lead: Lead
    kind: str
    key: str
    idle_working_hours: float | None = None

    def at(self, now: datetime) -> automation.Event:
        """The event, with the lead as it is now (an earlier event of the batch may have
        changed it)."""
        return automation.Event(
            kind=self.kind,
            key=self.key,
            lead=states.state_of(self.lead),
            at=now,
            idle_working_hours=self.idle_working_hours,
        )


async def _fire(store: Store, organisation: Organisation, due: Sequence[Due], now: datetime) -> int:
    """Fire the automations of `due`, in order. When they may route a lead again, what the
    routing of all their leads may lock is locked first, at once: a lead's routing locking its
    pools while the transaction holds another lead's would deadlock with intake (0019)."""
    if due and reroutes(organisation.configuration, due[0].kind):
        await _claim(store, organisation, [event.lead for event in due], now)
    fired = 0
    for event in due:
        fired += len(await automation.fire(store, organisation, event.at(now)))
    return fired


async def _claim(
    store: Store, organisation: Organisation, leads: Sequence[Lead], now: datetime
) -> None:
    """Lock the pools and agents routing `leads` again may need, their owners included."""
    open_leads = list({lead.id: lead for lead in leads if lead.closed_at is None}.values())
    subjects = [
        assign.routable(lead, await assign.previous_owner(store, lead)) for lead in open_leads
    ]
    owners = [lead.owner_agent_key for lead in open_leads]
    await assign.Claims(whole=False).claim(store, organisation, now, subjects, owners)
