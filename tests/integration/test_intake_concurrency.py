"""Dedupe and idempotency hold under concurrency: unique constraints, not check-then-insert.

These tests commit for real (separate sessions race each other), so they use their own
database, emptied after each test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text

from leadflow.domain.configuration import Configuration
from leadflow.domain.submission import LeadSubmission
from leadflow.services.assignment import queue, timekeeping
from leadflow.services.assignment.assign import STEP
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake import ingest as intake
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from tests import factories
from tests.integration.conftest import arrive, committing

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def racing(database_url: str) -> AsyncIterator[Database]:
    async with committing(database_url, pool_size=20) as database:
        yield database


async def submit(database: Database, live: LiveOrganisation, **fields: object) -> tuple[int, bool]:
    async with open_store(database) as store:
        result = await intake.ingest(
            store,
            LeadSubmission.model_validate(factories.lead_body(**fields)),
            live=live,
            threshold=0.6,
            now=NOW,
        )
        await store.commit()
        return result.lead.id, result.created


async def count(database: Database, table: str) -> int:
    async with database.engine.connect() as connection:
        return (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


async def release_with_the_pool_held(database: Database, live: LiveOrganisation) -> queue.Released:
    """A queue release pass while another transaction holds the (only) pool's row; a pass
    that waits for it fails after 200 ms."""
    async with open_store(database) as store:
        await store.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
        async with database.engine.connect() as holder:
            locked = await holder.execute(text("SELECT 1 FROM pool_states FOR UPDATE"))
            assert len(locked.all()) == 1
            released = await queue.release(store, await live.get(store), NOW)
            await holder.rollback()
        await store.commit()
    return released


async def test_the_same_external_id_sent_concurrently_creates_one_lead(racing: Database) -> None:
    live = LiveOrganisation()
    results = await asyncio.gather(
        *(submit(racing, live, source="meta_lead_ads", external_id="l:42") for _ in range(20))
    )
    assert len({lead_id for lead_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await count(racing, "leads") == 1
    assert await count(racing, "assignments") == 1
    assert await count(racing, "outbox") == 1  # the twins that lost wrote nothing
    async with racing.engine.connect() as connection:
        opened = await connection.execute(text("SELECT sum(open_leads) FROM agents"))
        assert opened.scalar_one() == 1


async def test_one_person_writing_concurrently_is_one_contact(racing: Database) -> None:
    live = LiveOrganisation()
    results = await asyncio.gather(
        *(submit(racing, live, external_id=f"form-{i}") for i in range(20))
    )
    assert len({lead_id for lead_id, _ in results}) == 20
    assert await count(racing, "contacts") == 1
    async with racing.engine.connect() as connection:
        repeats = (
            await connection.execute(text("SELECT count(*) FROM leads WHERE is_repeat"))
        ).scalar_one()
    assert repeats == 19  # leads of one contact take turns: all but the first see an earlier one


async def test_a_lead_whose_routing_fails_is_kept_unrouted_and_the_transaction_goes_on(
    racing: Database,
) -> None:
    """Routing fails here as it does in production when a pool stays locked too long (a long
    job). The leads it failed for are kept `unrouted` for the worker, and the transaction they
    are in (the demo loader and imports take many leads in one) goes on: a later lead of it
    is routed, and every lead is stored at commit."""
    live = LiveOrganisation()
    await submit(racing, live, external_id="before")  # the pool's row exists from here on

    async def ingest(store: Store, external_id: str, phone: str) -> intake.Ingested:
        body = factories.lead_body(external_id=external_id, phone=phone, email=None)
        return await intake.ingest(
            store, LeadSubmission.model_validate(body), live=live, threshold=0.6, now=NOW
        )

    async with open_store(racing) as store:
        await store.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
        async with racing.engine.connect() as holder:
            await holder.execute(text("SELECT 1 FROM pool_states FOR UPDATE"))
            failed = [
                await ingest(store, "first", "+49 151 11111111"),
                await ingest(store, "second", "+49 151 22222222"),
            ]
            await holder.rollback()
        routed = await ingest(store, "third", "+49 151 33333333")
        await store.commit()
    assert [(f.created, f.assignment, f.lead.routing_status) for f in failed] == [
        (True, None, "unrouted"),
        (True, None, "unrouted"),
    ]
    assert routed.assignment is not None
    assert routed.lead.routing_status == "assigned"
    async with racing.engine.connect() as connection:
        rows = await connection.execute(text("SELECT external_id, routing_status FROM leads"))
        stored = {external_id: status for external_id, status in rows}
    assert stored == {
        "before": "assigned",
        "first": "unrouted",
        "second": "unrouted",
        "third": "assigned",
    }
    assert await count(racing, "assignments") == 2


async def test_releasing_the_queue_does_not_lock_pools_for_a_lead_whose_agents_are_full(
    racing: Database,
) -> None:
    """A lead waits because every agent reached its daily cap: the release pass reads the
    loads once, sees nobody has room, and neither waits for the pool's lock nor fails when it
    stays taken (a pass holding pools to its end kept intake waiting)."""
    full = factories.organisation(
        [factories.agent("anna", caps={"day": 1}), factories.agent("ben", caps={"day": 1})]
    )
    async with open_store(racing) as store:
        await configuration.apply(store, full, actor="test")
        await store.commit()
    live = LiveOrganisation()
    await submit(racing, live, external_id="one", phone="+49 151 11111111", email=None)
    await submit(racing, live, external_id="two", phone="+49 151 22222222", email=None)
    await submit(racing, live, external_id="three", phone="+49 151 33333333", email=None)
    released = await release_with_the_pool_held(racing, live)
    assert (released.assigned, released.waiting) == (0, 1)
    async with racing.engine.connect() as connection:
        statuses = await connection.execute(
            text("SELECT external_id, routing_status FROM leads ORDER BY id")
        )
        assert statuses.all() == [("one", "assigned"), ("two", "assigned"), ("three", "queued")]


def two_pools() -> Any:
    """English leads go to `a-en`, the rest to `hair-de`; agents work weekdays 9-18."""
    document = factories.organisation(
        [factories.agent("anna", schedule={"weekly": factories.WEEKDAYS_9_TO_18})]
    ).model_dump(mode="json", exclude_none=True)
    english = {**document["pipelines"][0], "key": "a-en", "name": "English"}
    document["pipelines"].append(english)
    document["rules"].insert(
        0,
        {
            "key": "english",
            "pipeline": "a-en",
            "when": {"field": "language", "op": "equals", "value": "en"},
        },
    )
    return Configuration.model_validate(document)


async def release_in_one_transaction(database: Database, live: LiveOrganisation) -> queue.Released:
    async with open_store(database) as store:
        released = await queue.release(store, await live.get(store), NOW)
        await store.commit()
        return released


async def release_in_steps(database: Database, live: LiveOrganisation) -> queue.Released:
    """As the worker runs it: a transaction per step of a few leads."""
    released: queue.Released = await timekeeping.release_queue(database, live, NOW)
    return released


@pytest.mark.parametrize("releasing", [release_in_one_transaction, release_in_steps])
async def test_a_release_pass_waiting_for_one_pool_holds_no_other(
    racing: Database,
    releasing: Callable[[Database, LiveOrganisation], Awaitable[queue.Released]],
) -> None:
    """Two waiting leads, in pools `hair-de` (released first) and `a-en`, while an intake
    transaction holds `a-en` and then wants `hair-de`. A pass claiming lead by lead held
    `hair-de` while it waited for `a-en`: a deadlock, broken by PostgreSQL after a second.
    The pass claims all its leads (in one transaction), or all a step's leads, may need
    first, in one order, so `hair-de` stays free."""
    async with open_store(racing) as store:
        await configuration.apply(store, two_pools(), actor="test")
        await store.commit()
    live = LiveOrganisation()
    early = NOW - timedelta(hours=3)  # 07:00 in Berlin: nobody on shift, both leads wait
    for external_id, language, priority in (("de", "de", 10), ("en", "en", 0)):
        async with open_store(racing) as store:
            body = factories.lead_body(
                external_id=external_id, language=language, priority=priority, email=None,
                phone="+49 151 1111111" + str(priority // 10),
            )  # fmt: skip
            await intake.ingest(
                store, LeadSubmission.model_validate(body), live=live, threshold=0.6, now=early
            )
            await store.commit()

    async with racing.engine.connect() as holder, racing.engine.connect() as watcher:
        await holder.execute(text("SET lock_timeout = '500ms'"))  # below deadlock_timeout
        await holder.execute(
            text("SELECT 1 FROM pool_states WHERE pipeline_key = 'a-en' FOR UPDATE")
        )
        passing = asyncio.create_task(releasing(racing, live))
        for _ in range(100):  # until the pass waits for `a-en`
            waiting = await watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            if waiting.scalar_one():
                break
            await watcher.rollback()  # activity is read once per transaction
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the release pass never waited for the pool intake holds")
        await holder.execute(
            text("SELECT 1 FROM pool_states WHERE pipeline_key = 'hair-de' FOR UPDATE")
        )
        await holder.rollback()
    released = await passing
    assert (released.assigned, released.waiting) == (2, 0)


async def test_releasing_the_queue_does_not_lock_pools_for_a_lead_nobody_could_take(
    racing: Database,
) -> None:
    """A waiting lead nobody on shift speaks the language of is not routed again at each pass:
    the release neither waits for its pools' locks nor fails when they stay taken."""
    live = LiveOrganisation()
    await submit(racing, live, external_id="routed")  # the pool's row exists from here on
    await submit(
        racing, live, external_id="ru", language="ru", email="ivan@example.org", phone=None
    )
    released = await release_with_the_pool_held(racing, live)
    assert (released.assigned, released.waiting) == (0, 1)


POOL_LOCKED_ELSEWHERE = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'relation'"
    " AND relation = 'pool_states'::regclass AND mode = 'RowShareLock' AND granted"
    " AND pid <> pg_backend_pid()"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
"""Whether another transaction of this database holds rows of `pool_states` locked (`SELECT …
FOR UPDATE` holds a RowShareLock on the table until the transaction ends)."""
RELEASED = text("SELECT count(*) FROM leads WHERE routing_status = 'assigned'")


async def test_a_release_pass_over_many_leads_keeps_a_pool_locked_for_one_step_at_most(
    racing: Database,
) -> None:
    """Three steps' worth of waiting leads, released at once (the first shift of the morning):
    an intake-like transaction that asks for their pool's lock while the pass holds it gets it
    as soon as the step under way commits: at most one step's leads are released while it
    waits, however many the pass has. Routed in one transaction, the pass held the pool until
    it had released them all, and intake waited for the whole pass."""
    document = factories.organisation(
        [
            factories.agent(key, schedule={"weekly": factories.WEEKDAYS_9_TO_18})
            for key in ("anna", "ben")
        ]
    )
    async with open_store(racing) as store:
        await configuration.apply(store, document, actor="test")
        await store.commit()
    live = LiveOrganisation()
    early = NOW - timedelta(hours=3)  # 07:00 in Berlin: nobody on shift, every lead waits
    waiting = 3 * STEP
    await arrive(racing, live, waiting, at=early, prefix="early")
    assert await count(racing, "leads") == waiting

    passing = asyncio.create_task(release_in_steps(racing, live))
    released_while_waiting: list[int] = []
    async with racing.engine.connect() as intake_like, racing.engine.connect() as watcher:
        intake_pid = (await intake_like.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await intake_like.rollback()
        while not passing.done():
            locked = (await watcher.execute(POOL_LOCKED_ELSEWHERE)).scalar_one()
            await watcher.rollback()
            if not locked:
                await asyncio.sleep(0.005)
                continue
            # The pass holds the pool: ask for it, as intake's routing claim does.
            claim = asyncio.create_task(
                intake_like.execute(text("SELECT 1 FROM pool_states FOR UPDATE"))
            )
            before = None
            while not claim.done():
                activity = await watcher.execute(
                    text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": intake_pid},
                )
                if activity.scalar_one_or_none() == "Lock" and before is None:
                    before = (await watcher.execute(RELEASED)).scalar_one()
                await watcher.rollback()  # activity is read once per transaction
                await asyncio.sleep(0.005)
            await claim
            # What the pass committed while the intake-like transaction waited for the pool.
            after = (await intake_like.execute(RELEASED)).scalar_one()
            await intake_like.rollback()
            if before is not None:
                released_while_waiting.append(after - before)
    released = await passing
    assert (released.assigned, released.waiting) == (waiting, 0)
    assert released_while_waiting, "the intake-like transaction never waited for the pass"
    assert max(released_while_waiting) <= STEP
