"""Leads that arrive together are stored in one transaction, each as if it came alone.

A batch must decide exactly what the same leads one after the other would (ratios, caps), give
each lead its own answer (a bad one does not fail the others), and leave for a later
transaction a lead that must see an earlier lead of its batch stored (the same person, or the
same external id).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text

from leadflow.config import Settings
from leadflow.domain.configuration import Configuration
from leadflow.domain.submission import LeadSubmission
from leadflow.identity import InvalidLead
from leadflow.services.access import tokens
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake import ingest as intake
from leadflow.services.intake.ingest import Ingested, SetAside
from leadflow.services.intake.intake_batches import IntakeBatches
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.web.app import create_app
from tests import factories
from tests.factories import agent
from tests.integration.conftest import activate, emptied_afterwards

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
WEIGHTS = {"anna": 1, "ben": 1, "cem": 1, "dora": 2}


def deterministic(**caps: int) -> Configuration:
    return factories.organisation(
        [agent(key, caps={"day": caps[key]} if key in caps else {}) for key in WEIGHTS],
        weights=WEIGHTS,
    )


def person(index: int, **fields: object) -> LeadSubmission:
    """A lead of its own person: its own phone and e-mail."""
    body = factories.lead_body(
        external_id=f"lead-{index}",
        phone=f"+49 151 {10000000 + index}",
        email=f"person{index}@example.org",
    )
    return LeadSubmission.model_validate({**body, **fields})


class Undone(Exception):
    """Raised to roll a savepoint back."""


async def test_a_batch_decides_what_the_same_leads_one_after_the_other_would(store: Store) -> None:
    """Weighted ratio (smooth weighted round robin) over a batch, beside the same leads one by
    one on the same starting state: the same agents in the same order."""
    await activate(store, deterministic(ben=1))
    live = LiveOrganisation()
    leads = [person(i) for i in range(12)]
    together: list[str | None] = []

    async def batch_then_undo() -> None:
        async with store.savepoint():
            batched = await intake.ingest_many(store, leads, live=live, threshold=0.6, now=NOW)
            together.extend(r.lead.owner_agent_key for r in batched if isinstance(r, Ingested))
            raise Undone

    with pytest.raises(Undone):
        await batch_then_undo()
    assert await store.leads.count() == 0
    alone = []
    for lead in leads:
        ingested = await intake.ingest(store, lead, live=live, threshold=0.6, now=NOW)
        alone.append(ingested.lead.owner_agent_key)
    assert together == alone
    assert together.count("ben") == 1  # his cap, never passed within a batch
    assert sorted(set(together)) == sorted(WEIGHTS)  # everyone took leads, all were assigned


async def test_each_lead_of_a_batch_gets_its_own_answer(store: Store) -> None:
    """A bad lead is refused alone; the same person or external id again waits for its own
    transaction (set aside), so that it sees the earlier one stored."""
    await activate(store, deterministic())
    leads = [
        person(0),
        person(1, phone="12", email=None),  # not a phone number
        person(2, email="person0@example.org"),  # the first lead's person, by e-mail
        person(3, external_id="lead-0"),  # the first lead's external id
        person(4),
    ]
    results = await intake.ingest_many(
        store, leads, live=LiveOrganisation(), threshold=0.6, now=NOW
    )
    assert [type(result) for result in results] == [
        Ingested,
        InvalidLead,
        SetAside,
        SetAside,
        Ingested,
    ]
    refused = results[1]
    assert isinstance(refused, InvalidLead)
    assert [error.field for error in refused.errors] == ["phone"]
    stored = (await store.session.execute(text("SELECT external_id FROM leads"))).scalars()
    assert sorted(stored) == ["lead-0", "lead-4"]


async def test_one_known_person_by_two_different_keys_in_a_batch(store: Store) -> None:
    """Two leads with no key in common turn out to be one stored person (a phone and an
    e-mail of the same contact): the second is set aside, to see the first stored."""
    await activate(store, deterministic())
    live = LiveOrganisation()
    known = await intake.ingest(store, person(5), live=live, threshold=0.6, now=NOW)
    by_phone = person(6, phone="+49 151 10000005", email=None)
    by_email = person(7, phone=None, email="person5@example.org")
    results = await intake.ingest_many(
        store, [by_phone, by_email], live=live, threshold=0.6, now=NOW
    )
    assert isinstance(results[0], Ingested)
    assert isinstance(results[1], SetAside)
    assert results[0].lead.contact_id == known.lead.contact_id
    assert results[0].lead.repeat_of == known.lead.id
    later = await intake.ingest(store, by_email, live=live, threshold=0.6, now=NOW)
    assert later.lead.contact_id == known.lead.contact_id
    assert later.lead.repeat_of == results[0].lead.id


async def test_a_retry_of_a_stored_lead_in_a_batch_gets_the_original(store: Store) -> None:
    """Its insert does nothing, and the decisions after it in the batch had counted it: the
    others are routed again without it. Owners, pool state and counters end as they would
    with the same leads one by one."""
    await activate(store, deterministic(anna=2, ben=2, cem=2, dora=1))  # 7 leads a day
    live = LiveOrganisation()
    first = await intake.ingest(store, person(0), live=live, threshold=0.6, now=NOW)
    leads = [person(1), person(9, external_id="lead-0"), *(person(i) for i in range(2, 7))]
    together: list[tuple[bool, int, str | None]] = []
    state_together: list[object] = []

    async def batch_then_undo() -> None:
        async with store.savepoint():
            results = await intake.ingest_many(store, leads, live=live, threshold=0.6, now=NOW)
            together.extend(
                (r.created, r.lead.id, r.lead.owner_agent_key)
                for r in results
                if isinstance(r, Ingested)
            )
            state_together.append(await _routing_state(store))
            raise Undone

    with pytest.raises(Undone):
        await batch_then_undo()
    assert len(together) == 7
    assert together[1] == (False, first.lead.id, first.lead.owner_agent_key)
    alone = []
    for lead in leads:
        ingested = await intake.ingest(store, lead, live=live, threshold=0.6, now=NOW)
        alone.append(ingested.lead.owner_agent_key)
    assert [owner for _, _, owner in together] == alone
    assert None not in alone  # the retry took no one's place
    assert state_together == [await _routing_state(store)]


async def test_a_batch_carrying_its_commit_routes_again_without_a_stored_retry(
    database_url: str,
) -> None:
    """A server's batch sends its write and its COMMIT in one round trip (0022). With a retry
    of a stored lead in it, the write refuses to commit (its decisions had counted the retry):
    the batch is routed again without it, in the same transaction, and ends as the same leads
    one by one would."""
    leads = [person(1), person(9, external_id="lead-0"), *(person(i) for i in range(2, 7))]
    outcomes = []
    for together in (True, False):
        async with emptied_afterwards(database_url, pool_size=4) as database:
            async with open_store(database) as store:
                await configuration.apply(
                    store, deterministic(anna=2, ben=2, cem=2, dora=1), actor="test"
                )
                await store.commit()
            batches = IntakeBatches(database, LiveOrganisation(), threshold=0.6, clock=lambda: NOW)
            first = await batches.ingest(person(0))
            if together:  # all seven wait while the first batch is stored: one batch
                answers = await asyncio.gather(*(batches.ingest(lead) for lead in leads))
                assert batches.transactions == 2
            else:
                answers = [await batches.ingest(lead) for lead in leads]
            assert (answers[1].created, answers[1].lead.id) == (False, first.lead.id)
            async with open_store(database) as store:
                state = await _routing_state(store)
            outcomes.append(([answer.lead.owner_agent_key for answer in answers], state))
    assert outcomes[0] == outcomes[1]
    assert None not in outcomes[0][0]  # the retry took no one's place


@pytest.mark.parametrize(
    ("gather", "limit", "transactions"),
    [
        (0.0, 16, 3),  # no gathering: the lead that waited goes alone, the next after it
        (0.3, 16, 2),  # the lead that waited gathers the one that follows
        (30.0, 2, 2),  # `limit` leads waiting end the gathering at once
    ],
)
async def test_under_load_a_batch_gathers_the_leads_that_follow(
    database_url: str, gather: float, limit: int, transactions: int
) -> None:
    """A lead that finds the process idle is stored at once. A lead that arrived while a batch
    was stored waits `gather` seconds more (or until `limit` leads wait), so that the lead its
    client sends next, once answered, goes in the same transaction (0023)."""
    async with emptied_afterwards(database_url, pool_size=4) as database:
        async with open_store(database) as store:
            await configuration.apply(store, deterministic(), actor="test")
            await store.commit()
        batches = IntakeBatches(
            database,
            LiveOrganisation(),
            threshold=0.6,
            clock=lambda: NOW,
            limit=limit,
            gather=gather,
        )
        first = asyncio.create_task(batches.ingest(person(0)))
        await asyncio.sleep(0)  # the first batch is taken: the process is storing it
        waited = asyncio.create_task(batches.ingest(person(1)))
        # The idle process's lead never gathers: answered long before a 30 s window would end.
        await asyncio.wait_for(first, timeout=10)
        followed = await asyncio.wait_for(batches.ingest(person(2)), timeout=10)
        answered = await asyncio.wait_for(waited, timeout=10)
        assert batches.transactions == transactions
        assert (followed.created, answered.created) == (True, True)
        async with open_store(database) as store:
            assert await store.leads.count() == 3


async def _routing_state(store: Store) -> tuple[object, ...]:
    found = await store.session.execute(
        text(
            "SELECT (SELECT jsonb_agg(current ORDER BY pipeline_key) FROM pool_states),"
            " (SELECT sum(decisions) FROM pool_states),"
            " (SELECT sum(open_leads) FROM agents),"
            " (SELECT sum(assigned) FROM agent_daily_counts),"
            " (SELECT count(*) FROM assignments)"
        )
    )
    return tuple(found.one())


async def test_a_batch_whose_routing_fails_keeps_every_lead_unrouted(database_url: str) -> None:
    """Routing fails for the whole batch (a pool held past the lock timeout): each lead is
    then routed alone, fails alone, and is kept `unrouted` for the worker. None is lost."""
    async with emptied_afterwards(database_url, pool_size=4) as database:
        async with open_store(database) as store:
            await configuration.apply(store, deterministic(), actor="test")
            await store.commit()
        live = LiveOrganisation()
        async with open_store(database) as store:  # the pool's row exists from here on
            await intake.ingest(store, person(99), live=live, threshold=0.6, now=NOW)
            await store.commit()
        async with open_store(database) as store, database.engine.connect() as holder:
            await store.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
            await holder.execute(text("SELECT 1 FROM pool_states FOR UPDATE"))
            results = await intake.ingest_many(
                store, [person(i) for i in range(3)], live=live, threshold=0.6, now=NOW
            )
            await holder.rollback()
            await store.commit()
        assert [
            (r.created, r.assignment, r.lead.routing_status)
            for r in results
            if isinstance(r, Ingested)
        ] == [(True, None, "unrouted")] * 3
        async with database.engine.connect() as connection:
            statuses = await connection.execute(
                text("SELECT routing_status, count(*) FROM leads GROUP BY 1")
            )
            assert dict(statuses.all()) == {"assigned": 1, "unrouted": 3}


# --- over HTTP: concurrent requests to one server process --------------------------------


@pytest_asyncio.fixture
async def served(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Database, Any]]:
    """The app on a database that commits for real, with a token; emptied afterwards."""
    async with emptied_afterwards(database_url, pool_size=10) as database:
        async with open_store(database) as store:
            await configuration.apply(store, deterministic(ben=3), actor="test")
            issued = await tokens.issue(store, "batches")
            await store.commit()
        app = create_app(Settings(), database, clock=lambda: NOW, owns_database=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://leadflow.test",
            headers={"Authorization": f"Bearer {issued.secret}"},
        ) as http:
            yield http, database, app.state.leadflow.intake


async def test_concurrent_requests_are_stored_in_fewer_transactions_each_answered(
    served: tuple[httpx.AsyncClient, Database, Any],
) -> None:
    http, database, batches = served
    bodies = [
        factories.lead_body(
            external_id=f"web-{i}", phone=f"+49 151 {20000000 + i}", email=f"web{i}@example.org"
        )
        for i in range(24)
    ]
    bodies.append({**bodies[0], "external_id": "web-0-again-same-person"})
    bodies.append(dict(bodies[1]))  # a webhook retry: the same external id
    bodies.append({**bodies[2], "external_id": "web-bad", "phone": "12", "email": None})
    answers = await asyncio.gather(*(http.post("/api/v1/leads", json=b) for b in bodies))

    statuses = [a.status_code for a in answers]
    assert statuses[2:24] == [201] * 22
    assert sorted([statuses[1], statuses[25]]) == [200, 201]  # whichever came first is stored
    assert answers[25].json()["id"] == answers[1].json()["id"]
    assert statuses[26] == 422
    assert answers[26].json()["detail"][0]["loc"] == ["body", "phone"]  # refused in its batch
    one, other = answers[0].json(), answers[24].json()  # the same person: the later repeats
    earlier, later = sorted([one, other], key=lambda lead: lead["id"])
    assert (earlier["is_repeat"], later["is_repeat"]) == (False, True)
    assert later["repeat_of"] == earlier["id"]
    assert batches.transactions < 25  # leads went in together, not a transaction each
    owners = [a.json()["owner"] for a in answers[:25] + answers[25:26] if a.status_code == 201]
    assert owners.count("ben") == 3  # his cap
    async with database.engine.connect() as connection:
        counted = await connection.execute(
            text("SELECT count(*), count(DISTINCT lead_id) FROM assignments")
        )
        assert counted.one() == (25, 25)
        opened = await connection.execute(text("SELECT sum(open_leads) FROM agents"))
        assigned = sum(owner is not None for owner in owners)
        assert opened.scalar_one() == assigned
