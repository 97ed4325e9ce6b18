"""Periodic routing jobs take turns: two of them never hold pool locks at the same time."""

from __future__ import annotations

import asyncio

from leadflow.storage.database import Database
from leadflow.storage.store import open_store


async def test_a_second_job_waits_until_the_first_commits(database_url: str) -> None:
    database = Database(database_url, pool_size=2)
    try:
        async with open_store(database) as first, open_store(database) as second:
            await first.take_turn("leadflow.timekeeping")
            waiting = asyncio.create_task(second.take_turn("leadflow.timekeeping"))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            await first.commit()
            await asyncio.wait_for(waiting, timeout=5)
            await second.commit()
    finally:
        await database.dispose()


async def test_different_turns_do_not_wait_for_each_other(database_url: str) -> None:
    database = Database(database_url, pool_size=2)
    try:
        async with open_store(database) as first, open_store(database) as second:
            await first.take_turn("leadflow.timekeeping")
            await asyncio.wait_for(second.take_turn("something else"), timeout=5)
            await first.commit()
            await second.commit()
    finally:
        await database.dispose()
