"""Tasks on leads through the JSON API: created with a due time in the patient's zone, listed
and changed within the caller's scope, and their overdue alerts (owner once, team lead after
the working-minute delay) on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio

from leadflow.domain.configuration import TaskKind
from leadflow.services.workflow import overdue, tasks
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from leadflow.storage.tables import Task
from leadflow.workflow.actors import Actor, ActorKind
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, Scenario, SharedOrganisation, add_lead, browser, sign_in

ANNA, JONAS, SARAH = "anna.schmidt", "jonas.weber", "sarah.jones"
SYSTEM = Actor(ActorKind.SYSTEM, "test")


@asynccontextmanager
async def signed_in(bound: Database, clock: Clock, role: str) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(bound, clock) as client:
        client.headers["accept"] = "application/json"
        client.headers["X-CSRF-Token"] = await sign_in(client, EMAILS[role])
        yield client


@pytest_asyncio.fixture
async def anna(
    bound: Database, clock: Clock, scenario: Scenario
) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in(bound, clock, "agent") as client:
        yield client


async def lead_of(
    store: Store, clock: Clock, owner: str, pipeline: str = "hair-de", country: str = "DE"
) -> int:
    received = clock.now - timedelta(hours=1)
    lead_id = await add_lead(
        store, received_at=received, owner=owner, pipeline=pipeline, country=country
    )
    await store.commit()
    return lead_id


async def task_of(
    store: Store, clock: Clock, owner: str, *, due_at: datetime, pipeline: str = "hair-de"
) -> Task:
    lead = await store.leads.get(await lead_of(store, clock, owner, pipeline))
    assert lead is not None
    task = await tasks.add(
        store,
        lead,
        title=f"Call {owner} back",
        kind=TaskKind.CALLBACK,
        due_at=due_at,
        due_zone="Europe/Berlin",
        owner=None,
        actor=SYSTEM,
        now=clock.now,
    )
    await store.commit()
    return task


async def test_a_callback_at_the_patients_wall_time_is_stored_in_utc_and_shown_in_both(
    anna: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await lead_of(store, clock, ANNA)  # a German patient: Europe/Berlin
    body = {
        "lead_id": lead_id,
        "title": "Call back about the June date",
        "kind": "callback",
        "due_local": "2026-05-12T14:00",
        "zone": "patient",
    }
    answer = await anna.post("/api/v1/tasks", json=body)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert (created["due_at"], created["due_zone"], created["due_local"]) == (
        "2026-05-12T12:00:00Z",
        "Europe/Berlin",
        "2026-05-12T14:00",
    )
    assert (created["owner"], created["status"], created["kind"]) == (ANNA, "open", "callback")
    [activity] = await store.leads.activities_of(lead_id)
    assert (activity.kind, activity.task_id, activity.actor, activity.agent_key) == (
        "task",
        created["id"],
        EMAILS["agent"],
        ANNA,
    )
    assert activity.detail["event"] == "created"


async def test_a_due_time_in_the_agents_zone(
    anna: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await lead_of(store, clock, ANNA, country="US")
    body = {"lead_id": lead_id, "title": "Send the offer", "due_local": "2026-05-12T14:00"}
    answer = await anna.post("/api/v1/tasks", json={**body, "zone": "agent"})
    # Anna works in Europe/Berlin; the patient's (New York) wall time is shown beside it.
    assert (answer.json()["due_at"], answer.json()["due_zone"], answer.json()["due_local"]) == (
        "2026-05-12T12:00:00Z",
        "America/New_York",
        "2026-05-12T08:00",
    )


async def test_bad_due_times_are_refused_naming_the_field(
    anna: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await lead_of(store, clock, ANNA)
    base: dict[str, Any] = {"lead_id": lead_id, "title": "Call back"}
    cases = [
        ({"due_local": "2026-03-29T02:30", "zone": "patient"}, "due_local", "does not exist"),
        ({"due_local": "2026-10-25T02:30", "zone": "patient"}, "due_local", "happens twice"),
        ({"due_local": "2026-05-12T14:00"}, "zone", "needs a zone"),
        ({"due_local": "2026-05-12T14:00", "zone": "Mars/Base"}, "zone", "IANA"),
        ({}, "due_at", "give due_at"),
        ({"due_at": "2026-05-12T14:00:00"}, "due_at", "time zone offset"),
        ({"due_at": "2026-05-12T14:00:00Z", "owner": SARAH}, "owner", "may give tasks to"),
        ({"due_at": "2026-05-12T14:00:00Z", "title": "   "}, "title", "blank"),
    ]
    for extra, field, words in cases:
        answer = await anna.post("/api/v1/tasks", json={**base, **extra})
        assert answer.status_code == 422, (extra, answer.text)
        [problem] = answer.json()["detail"]
        assert problem["loc"][-1] == field, (extra, problem)
        assert words in problem["msg"], (extra, problem)
    assert await store.leads.activities_of(lead_id) == []


async def test_an_agent_neither_sees_nor_changes_another_agents_task(
    anna: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    own = await task_of(store, clock, ANNA, due_at=clock.now + timedelta(hours=1))
    other = await task_of(store, clock, JONAS, due_at=clock.now + timedelta(hours=1))
    listed = (await anna.get("/api/v1/tasks")).json()
    assert [t["id"] for t in listed] == [own.id]
    assert (await anna.get(f"/api/v1/tasks?owner={JONAS}")).json() == []
    patched = await anna.patch(f"/api/v1/tasks/{other.id}", json={"status": "done"})
    missing = await anna.patch("/api/v1/tasks/999999999", json={"status": "done"})
    assert patched.status_code == 404
    assert patched.json() == {"detail": f"task {other.id} does not exist"}
    assert missing.status_code == 404
    await store.session.refresh(other)
    assert other.status == "open"
    other_lead = await anna.post(
        "/api/v1/tasks",
        json={"lead_id": other.lead_id, "title": "x", "due_at": "2026-05-12T14:00:00Z"},
    )
    assert other_lead.status_code == 404


async def test_a_team_lead_sees_their_teams_tasks_only(
    bound: Database, store: Store, clock: Clock, scenario: Scenario
) -> None:
    anna_task = await task_of(store, clock, ANNA, due_at=clock.now + timedelta(hours=2))
    jonas_task = await task_of(store, clock, JONAS, due_at=clock.now + timedelta(hours=1))
    await task_of(store, clock, SARAH, due_at=clock.now, pipeline="hair-en")
    async with signed_in(bound, clock, "team_lead") as lead:
        listed = (await lead.get("/api/v1/tasks")).json()
        assert [t["id"] for t in listed] == [jonas_task.id, anna_task.id]
        soon = await lead.get("/api/v1/tasks", params={"due_before": "2026-05-12T09:30:00Z"})
        assert [t["id"] for t in soon.json()] == [jonas_task.id]
        moved = await lead.patch(f"/api/v1/tasks/{anna_task.id}", json={"owner": JONAS})
        assert moved.json()["owner"] == JONAS
        away = await lead.patch(f"/api/v1/tasks/{anna_task.id}", json={"owner": SARAH})
        assert away.status_code == 422
        assert away.json()["detail"][0]["loc"] == ["body", "owner"]


async def test_done_cancelled_and_reopened_are_recorded_on_the_lead(
    anna: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    task = await task_of(store, clock, ANNA, due_at=clock.now + timedelta(hours=1))
    done = (await anna.patch(f"/api/v1/tasks/{task.id}", json={"status": "done"})).json()
    assert (done["status"], done["completed_at"]) == ("done", "2026-05-12T08:00:00Z")
    reopened = (await anna.patch(f"/api/v1/tasks/{task.id}", json={"status": "open"})).json()
    assert (reopened["status"], reopened["completed_at"]) == ("open", None)
    cancelled = await anna.patch(
        f"/api/v1/tasks/{task.id}", json={"status": "cancelled", "title": "No longer needed"}
    )
    assert cancelled.json()["title"] == "No longer needed"
    events = [(a.detail["event"], a.task_id) for a in await store.leads.activities_of(task.lead_id)]
    assert events == [
        ("created", task.id), ("done", task.id), ("reopened", task.id), ("cancelled", task.id),
    ]  # fmt: skip
    listed = (await anna.get("/api/v1/tasks", params={"status": "open"})).json()
    assert listed == []


async def test_a_new_due_time_is_read_in_the_patients_zone(
    anna: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    task = await task_of(store, clock, ANNA, due_at=clock.now + timedelta(hours=1))
    moved = await anna.patch(
        f"/api/v1/tasks/{task.id}", json={"due_local": "2026-05-13T09:15", "zone": "patient"}
    )
    assert moved.json()["due_at"] == "2026-05-13T07:15:00Z"


# --- overdue alerts ----------------------------------------------------------------------


async def alert(store: Store, now: datetime) -> overdue.Alerted:
    organisation = await SharedOrganisation().get(store)
    alerted = await overdue.alert_overdue(store, organisation, now)
    await store.commit()
    return alerted


async def messages(store: Store, topic: str) -> list[tuple[str, str | None, int]]:
    return [
        (m.channel, m.recipient, m.payload["task_id"])
        for m in await store.outbox.listing()
        if m.topic == topic
    ]


async def test_an_overdue_task_alerts_its_owner_once(
    store: Store, clock: Clock, scenario: Scenario
) -> None:
    task = await task_of(store, clock, ANNA, due_at=clock.now + timedelta(minutes=5))
    assert (await alert(store, clock.now)).owners == []
    late = clock.now + timedelta(minutes=6)
    assert (await alert(store, late)).owners == [task.id]
    assert (await alert(store, late + timedelta(minutes=1))).owners == []
    assert await messages(store, "task.overdue") == [("sse", ANNA, task.id)]
    await store.session.refresh(task)
    assert task.overdue_alerted_at == late


async def test_a_done_task_alerts_nobody(store: Store, clock: Clock, scenario: Scenario) -> None:
    task = await task_of(store, clock, ANNA, due_at=clock.now + timedelta(minutes=5))
    task.status = "done"
    await store.commit()
    assert (await alert(store, clock.now + timedelta(hours=3))).owners == []
    assert await messages(store, "task.overdue") == []


async def test_the_team_lead_hears_after_the_delay_in_business_hours_only(
    store: Store, clock: Clock, scenario: Scenario
) -> None:
    # Due Tuesday 21:30 in Berlin; hair-de is open until 22:00 and again from 08:00 on
    # Wednesday: 60 working minutes run out on Wednesday at 08:30 (06:30 UTC).
    due = datetime(2026, 5, 12, 19, 30, tzinfo=UTC)
    task = await task_of(store, clock, ANNA, due_at=due)
    assert (await alert(store, due + timedelta(minutes=1))).team_leads == []
    assert (await alert(store, due + timedelta(minutes=75))).team_leads == []  # 22:45, closed
    assert (await alert(store, datetime(2026, 5, 13, 6, 29, tzinfo=UTC))).team_leads == []
    escalated_at = datetime(2026, 5, 13, 6, 30, tzinfo=UTC)
    assert (await alert(store, escalated_at)).team_leads == [task.id]
    assert (await alert(store, escalated_at + timedelta(hours=1))).team_leads == []
    assert await messages(store, "task.escalated") == [("alert", "german", task.id)]
    await store.session.refresh(task)
    assert task.escalated_at == escalated_at


async def test_a_moved_due_time_alerts_again_when_it_passes(
    anna: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    task = await task_of(store, clock, ANNA, due_at=clock.now - timedelta(minutes=1))
    assert (await alert(store, clock.now)).owners == [task.id]
    later = "2026-05-12T09:00:00Z"
    assert (await anna.patch(f"/api/v1/tasks/{task.id}", json={"due_at": later})).is_success
    assert (await alert(store, clock.now + timedelta(minutes=30))).owners == []
    assert (await alert(store, clock.now + timedelta(minutes=61))).owners == [task.id]
    assert len(await messages(store, "task.overdue")) == 2
