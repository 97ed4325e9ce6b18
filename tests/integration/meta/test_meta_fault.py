"""The fault test: the Graph API is down for ten minutes (first refusing connections, then
answering 503) while 200 lead notifications arrive, some of them twice. Every notification is
acknowledged at once; after Graph returns, the job (every 5 seconds) makes all 200 leads,
each exactly once: none lost, none doubled."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from leadflow.services.channels.pipeline.processing import ProcessReport
from leadflow.services.channels.setup import events
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.fakes.graph import FakeGraph, notification
from tests.integration.conftest import Clock
from tests.integration.meta.conftest import deliver, run_job

pytestmark = pytest.mark.usefixtures("meta")

LEADS = 200
TICK = timedelta(seconds=5)
OUTAGE = timedelta(minutes=10)


async def test_graph_down_ten_minutes_loses_and_doubles_no_lead(
    client: httpx.AsyncClient,
    graph: FakeGraph,
    clock: Clock,
    store: Store,
    bound: Database,
    live: LiveOrganisation,
) -> None:
    start = clock.now
    ids = [f"{90000 + n}" for n in range(LEADS)]
    for n, leadgen_id in enumerate(ids):
        graph.add_lead(leadgen_id, created=start - timedelta(minutes=1), answers={
            "full_name": f"Person {n}", "email": f"person{n}@example.de",
        })  # fmt: skip
    graph.stop()  # connections refused
    arrivals = [(int(n * OUTAGE / LEADS / TICK), leadgen_id) for n, leadgen_id in enumerate(ids)]
    total = ProcessReport()
    tick = 0
    while total.processed < LEADS and clock.now < start + OUTAGE + timedelta(minutes=30):
        if clock.now >= start + OUTAGE / 2 and not graph.outage and clock.now < start + OUTAGE:
            graph.outage = True  # back up, but answering 503 until the outage ends
            graph.start()
        if clock.now >= start + OUTAGE:
            graph.outage = False
        await _arrive(client, graph, tick, arrivals)
        _add(total, await run_job(bound, clock.now, live))
        clock.now += TICK
        tick += 1
    assert clock.now > start + OUTAGE
    assert total.dead == 0
    assert total.retrying > LEADS  # each waited through the outage, most more than once
    assert total.processed == LEADS
    await store.rollback()
    assert await store.leads.count() == LEADS
    for leadgen_id in ids:
        assert await store.leads.by_external_id("meta_lead_ads", leadgen_id) is not None
    statuses = {e.status for e in await events.listing(store, limit=1000)}
    assert statuses == {"processed"}


async def _arrive(
    client: httpx.AsyncClient,
    graph: FakeGraph,
    tick: int,
    arrivals: list[tuple[int, str]],
) -> None:
    """This tick's notifications: new leads, and (as Meta retries) one delivered before."""
    due = [leadgen_id for at, leadgen_id in arrivals if at == tick]
    earlier = [leadgen_id for at, leadgen_id in arrivals if at < tick]
    repeated = [earlier[tick % len(earlier)]] if earlier and tick % 3 == 0 else []
    for leadgen_id in due + repeated:
        answer = await deliver(client, notification(graph.leads[leadgen_id]))
        assert answer.status_code == 200


def _add(total: ProcessReport, report: ProcessReport) -> None:
    for name in ("processed", "retrying", "dead", "ignored"):
        setattr(total, name, getattr(total, name) + getattr(report, name))
