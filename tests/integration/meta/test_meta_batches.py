"""Notifications processed in batches: their leads fetched from the local Graph API at once,
stored and routed by intake's batch path in one transaction, each event settled for itself (one
failing never fails the others), and Graph's rate limits holding the connector's other fetches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from leadflow.config import Settings
from leadflow.services.channels.pipeline import processing
from leadflow.services.channels.setup import events
from leadflow.services.channels.vendors import REGISTRY
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.fakes.graph import FakeGraph, Injected, notification
from tests.integration.conftest import Clock
from tests.integration.meta.conftest import deliver, run_job, vault

pytestmark = pytest.mark.usefixtures("meta")


@dataclass(frozen=True)
class Scene:
    """The webhook's client, the fake Graph, the clock, the test's store, the job's database."""

    client: httpx.AsyncClient
    graph: FakeGraph
    clock: Clock
    store: Store
    bound: Database
    live: LiveOrganisation

    def parts(
        self,
    ) -> tuple[httpx.AsyncClient, FakeGraph, Clock, Store, Database, LiveOrganisation]:
        return self.client, self.graph, self.clock, self.store, self.bound, self.live


@pytest.fixture
def scene(
    client: httpx.AsyncClient,
    graph: FakeGraph,
    clock: Clock,
    store: Store,
    bound: Database,
    live: LiveOrganisation,
) -> Scene:
    return Scene(client, graph, clock, store, bound, live)


async def _notified(
    client: httpx.AsyncClient, graph: FakeGraph, clock: Clock, count: int, **answers: str
) -> list[str]:
    """`count` leads on the fake Graph, each notified by its own delivery; their leadgen ids."""
    ids = [f"{70000 + n}" for n in range(count)]
    for n, leadgen_id in enumerate(ids):
        lead = graph.add_lead(
            leadgen_id,
            created=clock.now - timedelta(minutes=1),
            answers=answers or {"full_name": f"Person {n}", "email": f"person{n}@example.de"},
        )
        assert (await deliver(client, notification(lead))).status_code == 200
    return ids


async def _statuses(store: Store) -> dict[str, str]:
    await store.rollback()  # see what the job committed
    return {e.vendor_id: e.status for e in await events.listing(store)}


async def _transactions_of_leads(store: Store) -> int:
    """How many transactions wrote the leads (rows written by one share their xmin)."""
    found = await store.session.execute(text("SELECT count(DISTINCT xmin::text) FROM leads"))
    return int(found.scalar_one())


async def test_a_batch_of_notifications_is_stored_in_one_transaction(scene: Scene) -> None:
    client, graph, clock, store, bound, live = scene.parts()
    ids = await _notified(client, graph, clock, 12)

    report = await run_job(bound, clock.now, live)

    assert (report.processed, report.dead, report.retrying) == (12, 0, 0)
    assert set((await _statuses(store)).values()) == {"processed"}
    assert await store.leads.count() == 12
    assert await _transactions_of_leads(store) == 1
    for leadgen_id in ids:
        assert await store.leads.by_external_id("meta_lead_ads", leadgen_id) is not None
        assert graph.lead_fetches(leadgen_id) == 1


async def test_a_failing_notification_fails_alone_and_the_batch_is_stored(scene: Scene) -> None:
    client, graph, clock, store, bound, live = scene.parts()
    ids = await _notified(client, graph, clock, 4)
    await deliver(client, notification({"id": "404", "created_time": "2026-05-12T07:00:00+0000"}))
    nobody = graph.add_lead("555", created=clock.now, answers={"full_name": "No Way To Reach"})
    await deliver(client, notification(nobody))
    graph.fail(Injected(2, path="/70001"))  # a transient error for one of them

    report = await run_job(bound, clock.now, live)

    assert (report.processed, report.dead, report.retrying) == (3, 2, 1)
    statuses = await _statuses(store)
    assert statuses == {
        ids[0]: "processed", ids[1]: "retrying", ids[2]: "processed", ids[3]: "processed",
        "404": "dead", "555": "dead",
    }  # fmt: skip
    dead = {e.vendor_id: e.last_error or "" for e in await events.listing(store, status="dead")}
    assert "Graph error 100/33" in dead["404"]
    assert "Graph error" not in dead["555"]  # refused by intake, with its reason
    assert await store.leads.count() == 3
    assert (await run_job(bound, clock.now + timedelta(minutes=1), live)).processed == 1
    assert await store.leads.by_external_id("meta_lead_ads", ids[1]) is not None


async def test_graph_throttling_holds_the_connectors_other_fetches(scene: Scene) -> None:
    client, graph, clock, store, bound, live = scene.parts()
    await _notified(client, graph, clock, 6)
    graph.fail(Injected(80005))  # LeadGen's rate limit, "regain access in 1 minute"

    report = await processing.process_due(
        bound, REGISTRY, vault(), live=live, threshold=Settings().language_confidence,
        clock=lambda: clock.now, batch=2,
    )  # fmt: skip

    # The first batch's two fetches were in flight together; after Graph's 80005, the other
    # four notifications are not asked for, and all five wait as long as Graph said.
    assert (report.processed, report.retrying) == (1, 5)
    assert len(graph.requests) == 2
    await store.rollback()
    waiting = await events.listing(store, status="retrying")
    assert {e.next_attempt_at for e in waiting} == {clock.now + timedelta(minutes=1)}
    later = await run_job(bound, clock.now + timedelta(minutes=1), live)
    assert later.processed == 5
    assert await store.leads.count() == 6


async def test_one_person_twice_in_a_batch_is_one_contact(scene: Scene) -> None:
    client, graph, clock, store, bound, live = scene.parts()
    first, second = await _notified(
        client, graph, clock, 2, full_name="Lena Vogel", email="lena@example.de"
    )

    report = await run_job(bound, clock.now, live)

    assert report.processed == 2
    await store.rollback()
    lead = await store.leads.by_external_id("meta_lead_ads", first)
    repeat = await store.leads.by_external_id("meta_lead_ads", second)
    assert lead is not None
    assert repeat is not None
    assert lead.contact_id == repeat.contact_id
    assert repeat.is_repeat
    assert repeat.repeat_of == lead.id
