"""Behaviour over time, with the clock walked forward: queue release at shift start, the
first-contact SLA, staff on leave or leaving. Each step is in the lead's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from leadflow.domain.configuration import AgentStatus
from leadflow.services.assignment import queue, sla, staff
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.storage.store import Store
from tests import factories
from tests.factories import agent, lead_body
from tests.integration.conftest import Clock, activate

BERLIN_DAY = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}
# Tue 12 May 2026; Berlin is UTC+2.
NIGHT = datetime(2026, 5, 12, 20, 30, tzinfo=UTC)  # 22:30 Berlin
NEXT_MORNING = datetime(2026, 5, 13, 7, 1, tzinfo=UTC)  # 09:01 Berlin


def day_agent(key: str, **extra: object) -> dict:
    return agent(key, schedule={"weekly": BERLIN_DAY}, **extra)


async def organisation(store: Store) -> Organisation:
    return await LiveOrganisation().get(store)


async def post(client: httpx.AsyncClient, **fields: object) -> dict:
    response = await client.post("/api/v1/leads", json=lead_body(**fields))
    assert response.status_code == 201, response.text
    return response.json()


async def history(client: httpx.AsyncClient, lead_id: int) -> list[dict]:
    return (await client.get(f"/api/v1/leads/{lead_id}/decision")).json()["history"]


async def test_a_night_lead_waits_and_goes_out_at_shift_start(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await activate(store, factories.organisation([day_agent("anna")]))
    clock.now = NIGHT
    lead = await post(client)
    assert lead["routing_status"] == "queued"
    decision = (await client.get(f"/api/v1/leads/{lead['id']}/decision")).json()
    assert decision["trace"]["attempts"][0]["exclusions"][0]["reason"] == "off_shift"
    waiting = (await client.get("/api/v1/queue")).json()
    assert [w["lead_id"] for w in waiting] == [lead["id"]]
    queued = [m for m in await store.outbox.listing() if m.topic == "lead.queued"]
    assert [(m.channel, m.recipient) for m in queued] == [("alert", "german")]
    assert queued[0].payload["team"] == "german"
    assert queued[0].payload["decision_id"] == lead["assignment"]["decision_id"]

    org = await organisation(store)
    assert (await queue.release(store, org, NIGHT + timedelta(hours=2))).assigned == 0
    released = await queue.release(store, org, NEXT_MORNING)
    await store.commit()
    assert (released.assigned, released.waiting) == (1, 0)
    last = (await history(client, lead["id"]))[-1]
    assert (last["kind"], last["agent"]) == ("queue_release", "anna")
    assert "after 10 h 31 min" in last["reason"]


async def test_a_burst_at_shift_start_keeps_caps_ratios_and_priority(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await activate(
        store,
        factories.organisation(
            [day_agent("anna", caps={"day": 2}), day_agent("ben", caps={"day": 2})],
        ),
    )
    clock.now = NIGHT
    leads = [await post(client, email=f"n{i}@example.org", phone=None) for i in range(4)]
    urgent = await post(client, email="vip@example.org", phone=None, priority=10)
    clock.now = NIGHT + timedelta(minutes=5)
    released = await queue.release(store, await organisation(store), NEXT_MORNING)
    await store.commit()
    assert (released.assigned, released.waiting) == (4, 1)
    owners = {}
    for lead in [urgent, *leads]:
        owners[lead["id"]] = (await client.get(f"/api/v1/leads/{lead['id']}")).json()["owner"]
    assert owners[urgent["id"]] is not None  # highest priority first
    assert owners[leads[-1]["id"]] is None  # the newest ordinary lead waits: caps are full
    assert sorted(o for o in owners.values() if o) == ["anna", "anna", "ben", "ben"]


async def test_first_contact_stops_the_sla_clock(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await activate(store, factories.organisation([agent("anna"), agent("ben")]))
    lead = await post(client)
    clock.now += timedelta(minutes=3)
    contact = await client.post(
        f"/api/v1/leads/{lead['id']}/activities",
        json={"kind": "call_attempt", "direction": "outbound", "outcome": "no_answer"},
    )
    assert contact.status_code == 201, contact.text
    assert contact.json()["first_contact"] is True
    assert contact.json()["speed_to_lead_s"] == 180
    enforced = await sla.enforce(store, await organisation(store), clock.now + timedelta(hours=1))
    assert (enforced.reassigned, enforced.kept) == (0, 0)


async def test_without_business_hours_the_sla_runs_on_the_pools_shifts(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await activate(store, factories.organisation([day_agent("anna"), day_agent("ben")]))
    clock.now = datetime(2026, 5, 12, 14, 55, tzinfo=UTC)  # Tuesday 16:55 Berlin
    lead = await post(client)
    assert lead["owner"] in ("anna", "ben")
    stored = await store.leads.get(lead["id"])
    assert stored is not None
    # 5 of the 15 minutes before 17:00, the other 10 from Wednesday 09:00 Berlin.
    assert stored.sla_due_at == datetime(2026, 5, 13, 7, 10, tzinfo=UTC)
    org = await organisation(store)
    assert (await sla.enforce(store, org, clock.now + timedelta(hours=3))).reassigned == 0


async def test_a_missed_sla_reassigns_at_most_k_times_and_alerts(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    config = factories.organisation([agent("anna"), agent("ben"), agent("cem")])
    pipeline = config.pipelines[0].model_copy(
        update={"sla": config.pipelines[0].sla.model_copy(update={"max_reassignments": 1})}
    )
    await activate(store, config.model_copy(update={"pipelines": [pipeline]}))
    lead = await post(client)
    first_owner = lead["owner"]
    org = await organisation(store)
    late = clock.now + timedelta(minutes=16)  # the default SLA is 15 minutes
    assert (await sla.enforce(store, org, late)).reassigned == 1
    await store.commit()
    moved = (await client.get(f"/api/v1/leads/{lead['id']}")).json()
    assert moved["owner"] not in (None, first_owner)
    step = (await history(client, lead["id"]))[-1]
    assert (step["kind"], step["previous_agent"]) == ("sla", first_owner)
    assert "missed the first-contact SLA" in step["reason"]
    told = {m.recipient for m in await store.outbox.listing() if m.topic == "lead.reassigned"}
    assert told == {moved["owner"], first_owner}  # the old screen drops it, the new one shows it

    later = late + timedelta(minutes=16)
    assert (await sla.enforce(store, org, later)).kept == 1  # K = 1: no second move
    await store.commit()
    last = (await history(client, lead["id"]))[-1]
    assert (last["kind"], last["outcome"]) == ("sla", "kept")
    alerts = [m for m in await store.outbox.listing() if m.topic == "sla.breached"]
    assert len(alerts) == 2
    assert alerts[0].recipient == "german"
    assert (await sla.enforce(store, org, later + timedelta(hours=1))).kept == 0  # no more


async def test_leave_hands_open_leads_to_the_backup_and_back(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    leave = {"start": "2026-05-13", "end": "2026-05-14", "type": "annual"}
    anna = agent("anna", backup="ben", schedule={"weekly": factories.ALWAYS, "leave": [leave]})
    await activate(store, factories.organisation([anna, agent("ben", languages=["tr"])]))
    lead = await post(client, language="de")
    assert lead["owner"] == "anna"
    org = await organisation(store)

    on_leave = datetime(2026, 5, 13, 8, 0, tzinfo=UTC)
    report = await staff.apply_staff_changes(store, org, on_leave)
    await store.commit()
    assert report.held == 1
    kept = await store.leads.get(lead["id"])
    assert kept is not None
    assert (kept.owner_agent_key, kept.held_for_agent_key) == ("ben", "anna")
    step = (await history(client, lead["id"]))[-1]
    assert "kept by the backup ben, returns to anna after the leave" in step["reason"]

    back = datetime(2026, 5, 15, 8, 0, tzinfo=UTC)
    assert (await staff.apply_staff_changes(store, org, back)).returned == 1
    await store.commit()
    returned = await store.leads.get(lead["id"])
    assert returned is not None
    assert (returned.owner_agent_key, returned.held_for_agent_key) == ("anna", None)


async def test_an_agent_who_leaves_has_open_leads_routed_again(
    client: httpx.AsyncClient, store: Store
) -> None:
    config = factories.organisation([agent("anna"), agent("ben")], weights={"anna": 5})
    await activate(store, config)
    lead = await post(client)
    assert lead["owner"] == "anna"
    departed = config.model_copy(
        update={
            "agents": [
                config.agents[0].model_copy(update={"status": AgentStatus.LEFT}),
                config.agents[1],
            ]
        }
    )
    await activate(store, departed)
    report = await staff.apply_staff_changes(store, await organisation(store), lead_time(lead))
    await store.commit()
    assert report.rerouted == 1
    step = (await history(client, lead["id"]))[-1]
    assert (step["kind"], step["previous_agent"], step["agent"]) == ("staff", "anna", "ben")
    assert "anna left the company" in step["reason"]


def lead_time(lead: dict) -> datetime:
    return datetime.fromisoformat(lead["received_at"]) + timedelta(minutes=1)


@pytest.mark.usefixtures("org")
async def test_roster_says_who_is_on_shift_and_who_is_on_leave(
    client: httpx.AsyncClient, store: Store
) -> None:
    leave = {"start": "2026-05-11", "end": "2026-05-15", "type": "training"}
    await activate(
        store,
        factories.organisation(
            [day_agent("anna"), agent("ben", schedule={"weekly": BERLIN_DAY, "leave": [leave]})]
        ),
    )
    at = "2026-05-12T20:00:00Z"  # 22:00 Berlin
    rows = {r["key"]: r for r in (await client.get(f"/api/v1/roster?at={at}")).json()}
    assert rows["anna"]["available"] is False
    assert rows["anna"]["reason"] == "off_shift"
    assert rows["anna"]["next_available_at"].startswith("2026-05-13T07:00")
    assert rows["ben"]["reason"] == "on_leave"
    assert rows["ben"]["leave_this_week"] == [{**leave}]
    morning = (await client.get("/api/v1/agents/anna/availability?at=2026-05-13T07:30:00Z")).json()
    assert morning["available"] is True


async def test_a_lead_closed_while_it_waits_is_not_released_to_an_agent(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    """Closing a waiting lead (a duplicate, lost before anyone took it) takes it out of the
    queue: released, it would count against its new owner's open cap for good (issue 19's
    "69 of 60 open leads")."""
    await activate(store, factories.organisation([day_agent("anna", caps={"open": 5})]))
    clock.now = NIGHT
    waiting, closed = await post(client), await post(client, email="x@example.org", phone=None)
    lost = await client.post(
        f"/api/v1/leads/{closed['id']}/stage", json={"stage": "lost", "lost_reason": "duplicate"}
    )
    assert lost.status_code == 200, lost.text
    released = await queue.release(store, await organisation(store), NEXT_MORNING)
    await store.commit()
    assert released.assigned == 1
    assert (await client.get(f"/api/v1/leads/{closed['id']}")).json()["owner"] is None
    assert (await client.get(f"/api/v1/leads/{waiting['id']}")).json()["owner"] == "anna"
    assert (await store.roster.loads(["anna"], NEXT_MORNING))["anna"][3] == 1
    assert [w["lead_id"] for w in (await client.get("/api/v1/queue")).json()] == []
