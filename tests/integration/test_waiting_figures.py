"""One definition of "waiting for an agent": the dashboard's figure, `GET /api/v1/queue` (and
`leadflow queue`, which lists the same service's answer) count the same leads, and a lead the
no-agent policy only alerted about (unassigned) stays in sight however old it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from leadflow.services.access.scoping import Role, Viewer
from leadflow.services.reporting import dashboards
from leadflow.storage.store import Store
from tests import factories
from tests.factories import agent, lead_body
from tests.integration.conftest import Clock, activate

BERLIN_DAY = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}
NIGHT = datetime(2026, 5, 12, 20, 30, tzinfo=UTC)  # Tuesday 22:30 Berlin: nobody on shift


async def post(client: httpx.AsyncClient, email: str) -> dict:
    response = await client.post("/api/v1/leads", json=lead_body(email=email, phone=None))
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_dashboard_and_the_queue_count_the_same_waiting_leads(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    night_shift = [agent("anna", schedule={"weekly": BERLIN_DAY})]
    alerting = factories.organisation(night_shift, no_agent={"action": "alert"})
    await activate(store, alerting)
    clock.now = NIGHT - timedelta(days=30)
    old = await post(client, "old@example.org")  # a month old, only alerted about
    gone = await post(client, "gone@example.org")
    assert (old["routing_status"], gone["routing_status"]) == ("unassigned", "unassigned")
    closed = await store.leads.get(gone["id"])
    assert closed is not None
    closed.closed_at = NIGHT - timedelta(days=29)  # lost without an agent: not waiting
    await store.commit()
    await activate(store, factories.organisation(night_shift))
    clock.now = NIGHT
    queued = await post(client, "queued@example.org")
    assert queued["routing_status"] == "queued"

    answer = await client.get("/api/v1/queue")
    assert answer.status_code == 200
    listed = {item["lead_id"]: item["routing_status"] for item in answer.json()}
    assert listed == {old["id"]: "unassigned", queued["id"]: "queued"}
    assert answer.headers["X-Total-Count"] == "2"
    assert len((await client.get("/api/v1/queue", params={"limit": 1})).json()) == 1
    assert (await client.get("/api/v1/queue", params={"limit": 0})).status_code == 422

    figures = await dashboards.dashboard(
        store,
        Viewer(Role.MANAGER, actor="manager@example.org"),
        alerting,
        dashboards.Filters(NIGHT - timedelta(days=1), NIGHT + timedelta(hours=1)),
        NIGHT,
    )
    assert sum(waiting.leads for waiting in figures.queue) == 2
