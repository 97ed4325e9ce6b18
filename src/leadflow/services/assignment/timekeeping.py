"""The periodic work that keeps routing right as time passes, each in its own transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from leadflow.services.assignment import queue, sla, staff
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store

T = TypeVar("T")


async def _in_transaction(
    database: Database,
    live: LiveOrganisation,
    work: Callable[[Store, Organisation], Awaitable[T]],
) -> T:
    async with open_store(database) as store:
        # One periodic job at a time: each routes many leads in one transaction, so two of them
        # (queue release and SLA checks) could otherwise lock pools in opposite orders.
        await store.take_turn("leadflow.timekeeping")
        result = await work(store, await live.get(store))
        await store.commit()
        return result


async def release_queue(database: Database, live: LiveOrganisation, now: datetime) -> Any:
    return await _in_transaction(database, live, lambda s, o: queue.release(s, o, now))


async def enforce_sla(database: Database, live: LiveOrganisation, now: datetime) -> Any:
    async def work(store: Store, organisation: Organisation) -> Any:
        warned = await sla.warn(store, now)
        return warned, await sla.enforce(store, organisation, now)

    return await _in_transaction(database, live, work)


async def staff_changes(database: Database, live: LiveOrganisation, now: datetime) -> Any:
    return await _in_transaction(database, live, lambda s, o: staff.apply_staff_changes(s, o, now))
