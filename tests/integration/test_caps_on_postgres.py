"""Week, month and open caps as PostgreSQL counts them (`agent_loads`, migration 0007): each
period starts at midnight in the agent's own time zone, not in UTC; a lead closed frees a place
under the open cap. An agent at a cap is passed over, and with nobody else the lead queues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from leadflow.storage.store import Store
from tests import factories
from tests.factories import agent, lead_body
from tests.integration.conftest import Clock, activate

TOKYO = "Asia/Tokyo"  # UTC+9 all year: local midnight is 15:00 UTC the day before


async def post(client: httpx.AsyncClient, n: int) -> str:
    answer = await client.post(
        "/api/v1/leads", json=lead_body(email=f"c{n}@example.org", phone=None)
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["routing_status"])


async def test_the_week_cap_resets_at_monday_midnight_in_the_agents_time_zone(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await activate(
        store, factories.organisation([agent("kenji", timezone=TOKYO, caps={"week": 2})])
    )
    clock.now = datetime(2026, 5, 17, 13, 0, tzinfo=UTC)  # Sunday 22:00 in Tokyo
    assert [await post(client, n) for n in range(3)] == ["assigned", "assigned", "queued"]
    clock.now = datetime(2026, 5, 17, 14, 59, tzinfo=UTC)  # Sunday 23:59 in Tokyo
    assert await post(client, 3) == "queued"
    clock.now = datetime(2026, 5, 17, 15, 1, tzinfo=UTC)  # Monday 00:01 in Tokyo, Sunday in UTC
    assert await post(client, 4) == "assigned"


async def test_the_month_cap_resets_on_the_first_in_the_agents_time_zone(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    kenji = agent("kenji", timezone=TOKYO, caps={"month": 2})
    await activate(store, factories.organisation([kenji]))
    clock.now = datetime(2026, 5, 31, 10, 0, tzinfo=UTC)  # Sunday 31 May 19:00 in Tokyo
    assert [await post(client, n) for n in range(3)] == ["assigned", "assigned", "queued"]
    clock.now = datetime(2026, 5, 31, 15, 0, tzinfo=UTC) - timedelta(minutes=1)
    assert await post(client, 3) == "queued"  # 31 May 23:59 in Tokyo
    clock.now = datetime(2026, 5, 31, 15, 1, tzinfo=UTC)  # 1 June 00:01 in Tokyo, May in UTC
    assert await post(client, 4) == "assigned"


async def test_a_month_cap_reached_late_on_the_last_day_in_utc_still_holds_in_the_agents_zone(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    ana = agent("ana", timezone="America/Los_Angeles", caps={"month": 1})  # UTC-7 in May
    await activate(store, factories.organisation([ana]))
    clock.now = datetime(2026, 5, 31, 20, 0, tzinfo=UTC)  # 31 May 13:00 in Los Angeles
    assert await post(client, 0) == "assigned"
    clock.now = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # June in UTC, 31 May 20:00 there
    assert await post(client, 1) == "queued"
    clock.now = datetime(2026, 6, 1, 7, 1, tzinfo=UTC)  # 1 June 00:01 in Los Angeles
    assert await post(client, 2) == "assigned"


async def test_the_open_cap_holds_until_a_lead_is_closed(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await activate(store, factories.organisation([agent("anna", caps={"open": 2})]))
    first = await client.post("/api/v1/leads", json=lead_body(email="o0@example.org", phone=None))
    assert [await post(client, n) for n in range(1, 3)] == ["assigned", "queued"]
    lost = await client.post(
        f"/api/v1/leads/{first.json()['id']}/stage",
        json={"stage": "lost", "lost_reason": "price"},
    )
    assert lost.status_code == 200, lost.text
    clock.now += timedelta(minutes=1)
    assert await post(client, 3) == "assigned"
