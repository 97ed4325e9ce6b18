"""A page token Graph rejects (190): the lead waits as a dead event, the admins are told once,
and a new token plus a replay brings the lead in."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from leadflow.services.channels.setup import connectors, events
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.fakes.graph import FakeGraph, notification
from tests.integration.conftest import Clock
from tests.integration.meta.conftest import CONNECTOR, PAGE_TOKEN, deliver, run_job, vault

pytestmark = pytest.mark.usefixtures("meta")


@pytest.fixture
def expired(graph: FakeGraph) -> FakeGraph:
    """Graph now accepts another token than the connector's (the page's token was renewed)."""
    graph.token = "a-renewed-page-token-0123"
    return graph


async def _admin(store: Store) -> None:
    await store.users.add(email="ops@clinic.test", name="Ops", role="admin")
    await store.users.add(email="lead@clinic.test", name="Team lead", role="team_lead")
    await store.commit()


async def test_a_rejected_token_keeps_the_lead_dead_and_alerts_the_admins_once(
    client: httpx.AsyncClient,
    expired: FakeGraph,
    clock: Clock,
    store: Store,
    bound: Database,
    live: LiveOrganisation,
) -> None:
    await _admin(store)
    created = clock.now - timedelta(minutes=5)
    for n in ("9001", "9002"):
        expired.add_lead(n, created=created, answers={"email": f"{n}@example.de"})
    await deliver(client, notification(expired.leads["9001"], expired.leads["9002"]))
    assert (await run_job(bound, clock.now, live)).dead == 2
    dead = await events.listing(store, status="dead")
    assert {e.vendor_id for e in dead} == {"9001", "9002"}
    assert all("page token was rejected" in (e.last_error or "") for e in dead)
    assert PAGE_TOKEN not in " ".join(e.last_error or "" for e in dead)
    alerts = [m for m in await store.outbox.listing() if m.topic == "channels.token_invalid"]
    assert sorted((m.channel, m.recipient) for m in alerts) == [
        ("alert", None),
        ("email", "ops@clinic.test"),
    ]
    assert alerts[0].payload["connector"] == CONNECTOR
    assert await store.leads.count() == 0


async def test_after_a_new_token_the_replayed_event_makes_the_lead(
    client: httpx.AsyncClient,
    expired: FakeGraph,
    clock: Clock,
    store: Store,
    bound: Database,
    live: LiveOrganisation,
) -> None:
    expired.add_lead("9001", created=clock.now - timedelta(minutes=5), answers={"email": "a@b.de"})
    await deliver(client, notification(expired.leads["9001"]))
    await run_job(bound, clock.now, live)
    [event] = await events.listing(store, status="dead")
    await connectors.update(store, vault(), CONNECTOR, secrets={"page_token": expired.token})
    await events.replay(store, event.id, clock.now)
    await store.commit()
    assert (await run_job(bound, clock.now, live)).processed == 1
    lead = await store.leads.by_external_id("meta_lead_ads", "9001")
    assert lead is not None
    assert lead.email == "a@b.de"
