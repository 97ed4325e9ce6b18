"""The periodic work that keeps routing right as time passes: queue release, SLA checks, staff
changes. Each pass is planned in one transaction and then routes its leads in steps of a few
(`assign.STEP`), a transaction each: a step locks only the pools and agents its own leads may
need and holds them for a few round trips, so intake never waits for a whole pass (decision
0019). Between steps the pass lets the event loop serve the requests waiting for it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

import structlog

from leadflow.services.assignment import queue, sla, staff
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store

log = structlog.get_logger(__name__)

TURN = "leadflow.timekeeping"
"""One periodic step at a time (PostgreSQL advisory lock): two passes' steps take turns."""

S = TypeVar("S", covariant=True)


class Pass(Protocol[S]):
    """A pass under way (`queue.Release`, `sla.Enforcement`, `staff.StaffPass`)."""

    @property
    def steps(self) -> Sequence[S]: ...


P = TypeVar("P", bound=Pass[Any])


async def _in_steps(
    name: str,
    database: Database,
    live: LiveOrganisation,
    plan: Callable[[Store, Organisation], Awaitable[P]],
    step: Callable[[Store, Organisation, P, Any], Awaitable[None]],
) -> P:
    """Plan a pass in one transaction, then run its steps, a transaction each, in turn."""
    started = time.perf_counter()
    async with open_store(database) as store:
        await store.take_turn(TURN)
        organisation = await live.get(store)
        passing = await plan(store, organisation)
        await store.commit()
    parts = passing.steps
    longest = 0.0
    for part in parts:
        await asyncio.sleep(0)  # the requests waiting for this event loop go first
        async with open_store(database) as store:
            await store.take_turn(TURN)
            began = time.perf_counter()
            await step(store, organisation, passing, part)
            await store.commit()
            longest = max(longest, time.perf_counter() - began)
    if parts:
        log.info(
            "routing pass",
            name=name,
            steps=len(parts),
            seconds=round(time.perf_counter() - started, 3),
            longest_step_seconds=round(longest, 3),
        )
    return passing


async def release_queue(database: Database, live: LiveOrganisation, now: datetime) -> Any:
    def plan(store: Store, organisation: Organisation) -> Awaitable[queue.Release]:
        return queue.plan_release(store, organisation, now, whole=False)

    passing = await _in_steps("queue release", database, live, plan, queue.release_step)
    return passing.result()


async def enforce_sla(database: Database, live: LiveOrganisation, now: datetime) -> Any:
    warned = 0

    async def plan(store: Store, organisation: Organisation) -> sla.Enforcement:
        nonlocal warned
        warned = await sla.warn(store, now)
        return await sla.plan_enforcement(store, now, whole=False)

    passing = await _in_steps("sla check", database, live, plan, sla.enforce_step)
    return warned, passing.result()


async def staff_changes(database: Database, live: LiveOrganisation, now: datetime) -> Any:
    def plan(store: Store, organisation: Organisation) -> Awaitable[staff.StaffPass]:
        return staff.plan_staff_changes(store, organisation, now, whole=False)

    passing = await _in_steps("staff changes", database, live, plan, staff.staff_step)
    return passing.report
