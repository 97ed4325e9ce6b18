"""The demo's default automations end to end on PostgreSQL, their failures, and idempotency."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from leadflow.domain.configuration import Configuration, TaskKind
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.workflow import automation, states, sweep, tasks
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from leadflow.workflow.actors import Actor, ActorKind
from tests.integration.conftest import Clock, activate
from tests.integration.workflow.conftest import fresh, new_lead, workflow_organisation


async def log(client: httpx.AsyncClient, lead_id: int, **activity: Any) -> httpx.Response:
    response = await client.post(f"/api/v1/leads/{lead_id}/activities", json=activity)
    assert response.status_code == 201, response.text
    return response


async def test_the_first_answered_call_moves_the_lead_to_contacted(
    client: httpx.AsyncClient, store: Store, workflow: Configuration
) -> None:
    lead_id = await new_lead(client)
    await log(client, lead_id, kind="call_attempt", outcome="no_answer")
    assert (await fresh(store, lead_id)).stage_key == "new"
    await log(client, lead_id, kind="call", outcome="answered", talk_s=300, direction="outbound")
    lead = await fresh(store, lead_id)
    assert lead.stage_key == "contacted"
    change = next(a for a in await store.leads.activities_of(lead_id) if a.kind == "stage_change")
    assert (change.actor_kind, change.rule_key, change.to_stage) == (
        "automation",
        "first-call",
        "contacted",
    )
    assert change.config_version_id is not None


@pytest.mark.parametrize("kind", ["email", "note"])
async def test_an_offer_email_or_a_note_typed_offer_moves_the_lead_to_offer_sent(
    client: httpx.AsyncClient, store: Store, workflow: Configuration, kind: str
) -> None:
    lead_id = await new_lead(client)
    await log(client, lead_id, kind=kind, type="offer", text="FUE 3000 grafts: 2,400 EUR")
    assert (await fresh(store, lead_id)).stage_key == "offer_sent"


async def test_a_type_sent_inside_detail_fires_as_the_dry_run_reads_it(
    client: httpx.AsyncClient, store: Store, workflow: Configuration
) -> None:
    """The type is stored in `detail` either way; live automation reads it as the replay does."""
    lead_id = await new_lead(client)
    await log(client, lead_id, kind="note", detail={"type": "offer", "text": "sent the offer"})
    assert (await fresh(store, lead_id)).stage_key == "offer_sent"


async def test_six_failed_attempts_in_three_days_lose_the_lead_as_unreachable_with_a_last_task(
    client: httpx.AsyncClient, store: Store, workflow: Configuration, clock: Clock
) -> None:
    lead_id = await new_lead(client)
    owner = (await fresh(store, lead_id)).owner_agent_key
    assert owner is not None
    open_before = (await store.roster.loads([owner], clock.now))[owner][3]
    for outcome in ("no_answer", "busy", "voicemail", "no_answer", "busy"):
        clock.now += timedelta(hours=5)
        await log(client, lead_id, kind="call_attempt", outcome=outcome)
    assert (await fresh(store, lead_id)).closed_at is None
    clock.now += timedelta(hours=5)
    await log(client, lead_id, kind="call", outcome="no_answer")
    lead = await fresh(store, lead_id)
    assert (lead.stage_key, lead.lost_reason, lead.closed_at) == ("lost", "unreachable", clock.now)
    assert (await store.roster.loads([owner], clock.now))[owner][3] == open_before - 1
    tasks = await store.automation.open_tasks_of(lead_id)
    assert [(t.title, t.owner_agent_key, t.rule_key) for t in tasks] == [
        ("Last follow-up", owner, "unreachable")
    ]
    assert tasks[0].due_at > clock.now


async def test_failed_attempts_spread_over_more_than_three_days_keep_the_lead(
    client: httpx.AsyncClient, store: Store, workflow: Configuration, clock: Clock
) -> None:
    lead_id = await new_lead(client)
    for _ in range(6):
        clock.now += timedelta(hours=16)
        await log(client, lead_id, kind="call_attempt", outcome="no_answer")
    assert (await fresh(store, lead_id)).closed_at is None


async def test_a_lead_idle_for_sixteen_working_hours_gets_a_task_and_the_team_an_alert(
    client: httpx.AsyncClient, store: Store, bound: Database, workflow: Configuration, clock: Clock
) -> None:
    lead_id = await new_lead(client)  # Tuesday 10:00 in Berlin; open 9 to 18 on weekdays
    live = LiveOrganisation()
    clock.now += timedelta(days=1, hours=2)  # Wednesday 12:00: 8 + 3 working hours
    assert (await sweep.sweep(bound, live, clock.now)).idle == 0
    clock.now += timedelta(hours=6)  # Wednesday 18:00: 17 working hours
    swept = await sweep.sweep(bound, live, clock.now)
    assert swept.idle == 1
    tasks = await store.automation.open_tasks_of(lead_id)
    assert [t.title for t in tasks] == ["Call again"]
    # Due 30 working minutes later: Thursday 9:30 in Berlin.
    assert tasks[0].due_at == clock.now + timedelta(hours=15, minutes=30)
    alerts = [m for m in await store.outbox.listing() if m.topic == "workflow.notify"]
    assert [(m.channel, m.recipient, m.payload["lead_id"]) for m in alerts] == [
        ("alert", "german", lead_id)
    ]
    clock.now += timedelta(hours=1)
    assert (await sweep.sweep(bound, live, clock.now)).idle == 0  # once per idle spell
    assert len(await store.automation.open_tasks_of(lead_id)) == 1


async def test_a_rule_whose_stage_is_not_in_the_leads_pipeline_changes_nothing_and_alerts(
    client: httpx.AsyncClient, store: Store, workflow: Configuration
) -> None:
    lead_id = await new_lead(client, country="GB", phone="+44 20 7946 0958")
    assert (await fresh(store, lead_id)).pipeline_key == "hair-en"
    await log(client, lead_id, kind="note", type="offer", text="sent the offer")
    assert (await fresh(store, lead_id)).stage_key == "new"
    runs = await store.automation.runs_of(lead_id)
    assert [(r.automation_key, r.outcome) for r in runs] == [("offer", "failed")]
    assert "offer_sent" in runs[0].detail["reason"]
    alerts = [m for m in await store.outbox.listing() if m.topic == "workflow.automation_failed"]
    assert [(m.recipient, m.payload["automation"]) for m in alerts] == [("german", "offer")]


async def test_a_rule_whose_stage_misses_required_fields_changes_nothing(
    client: httpx.AsyncClient, store: Store, workflow: Configuration
) -> None:
    """`qualify` sets the travel month, then moves to qualified, which needs a budget range
    too: the field it set is undone with the move."""
    lead_id = await new_lead(client)
    await log(client, lead_id, kind="note", type="qualify", text="wants to come in September")
    lead = await fresh(store, lead_id)
    assert (lead.stage_key, lead.custom.get("travel_month")) == ("new", None)
    runs = await store.automation.runs_of(lead_id)
    assert [(r.automation_key, r.outcome) for r in runs] == [("qualify", "failed")]
    assert "budget_range" in runs[0].detail["reason"]
    assert [a.kind for a in await store.leads.activities_of(lead_id)] == ["note"]


async def test_the_same_event_twice_fires_its_automations_once(
    client: httpx.AsyncClient, store: Store, workflow: Configuration, clock: Clock
) -> None:
    lead_id = await new_lead(client)
    organisation = await LiveOrganisation().get(store)
    lead = await store.leads.get(lead_id, for_update=True)
    assert lead is not None
    event = automation.Event(
        kind="activity_logged",
        key="activity:telephony-42",
        lead=states.state_of(lead),
        at=clock.now,
        activity_kind="call",
        outcome="answered",
    )
    first = await automation.fire(store, organisation, event)
    again = await automation.fire(store, organisation, event)
    assert ([r.automation for r in first], again) == (["first-call"], [])
    changes = [a for a in await store.leads.activities_of(lead_id) if a.kind == "stage_change"]
    assert len(changes) == 1


async def test_lead_created_automations_run_once_per_lead_however_often_the_sweep_runs(
    client: httpx.AsyncClient, store: Store, bound: Database, clock: Clock
) -> None:
    welcome = {
        "key": "welcome",
        "trigger": {"event": "lead_created"},
        "do": [{"do": "create_task", "title": "Send the brochure", "at_local_time": "10:00"}],
    }
    await activate(store, workflow_organisation(automations=[welcome]))
    lead_id = await new_lead(client, phone="+90 532 123 45 67", country="TR")
    live, settled = LiveOrganisation(), timedelta(0)
    assert (await sweep.sweep(bound, live, clock.now)).created == 0  # not settled yet
    assert (await sweep.sweep(bound, live, clock.now, settle=settled)).created == 1
    assert (await sweep.sweep(bound, live, clock.now, settle=settled)).created == 0
    tasks = await store.automation.open_tasks_of(lead_id)
    # 10:00 in Istanbul (the patient's zone, from the phone) is 07:00 UTC: tomorrow's.
    assert [(t.title, t.due_zone, t.due_at) for t in tasks] == [
        (
            "Send the brochure",
            "Europe/Istanbul",
            clock.now.replace(hour=7, minute=0) + timedelta(days=1),
        )
    ]


async def test_a_sweep_nobody_listens_to_lead_created_for_moves_past_settled_leads_only(
    client: httpx.AsyncClient, store: Store, bound: Database, clock: Clock, workflow: Configuration
) -> None:
    lead_id = await new_lead(client)
    live = LiveOrganisation()
    assert (await sweep.sweep(bound, live, clock.now)).created == 0
    assert await store.automation.cursor(sweep.CREATED) == 0  # not settled yet
    assert (await sweep.sweep(bound, live, clock.now, settle=timedelta(0))).created == 0
    assert await store.automation.cursor(sweep.CREATED) == lead_id


async def test_an_overdue_task_fires_task_overdue_once(
    client: httpx.AsyncClient, store: Store, bound: Database, clock: Clock
) -> None:
    chase = {
        "key": "chase",
        "trigger": {"event": "task_overdue"},
        "do": [{"do": "notify", "who": "owner", "message": "A task is overdue"}],
    }
    await activate(store, workflow_organisation(automations=[chase]))
    lead_id = await new_lead(client)
    lead = await fresh(store, lead_id)
    await tasks.add(
        store,
        lead,
        title="Call back",
        kind=TaskKind.CALLBACK,
        due_at=clock.now + timedelta(hours=1),
        due_zone=None,
        owner=lead.owner_agent_key,
        actor=Actor(ActorKind.USER, "anna@example.org", lead.owner_agent_key),
        now=clock.now,
    )
    await store.commit()
    live = LiveOrganisation()
    assert (await sweep.sweep(bound, live, clock.now)).overdue == 0
    clock.now += timedelta(hours=2)
    assert (await sweep.sweep(bound, live, clock.now)).overdue == 1
    assert (await sweep.sweep(bound, live, clock.now)).overdue == 0
    told = [m for m in await store.outbox.listing() if m.topic == "workflow.notify"]
    assert [(m.recipient, m.payload["lead_id"]) for m in told] == [(lead.owner_agent_key, lead_id)]


async def test_two_rules_moving_a_lead_back_and_forth_stop_at_the_depth_limit(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    ping = {
        "key": "ping",
        "trigger": {"event": "stage_entered", "stage": "contacted"},
        "do": [{"do": "move_to_stage", "stage": "offer_sent"}],
    }
    pong = {
        "key": "pong",
        "trigger": {"event": "stage_entered", "stage": "offer_sent"},
        "do": [{"do": "move_to_stage", "stage": "contacted"}],
    }
    await activate(store, workflow_organisation(automations=[ping, pong]))
    lead_id = await new_lead(client)
    response = await client.post(f"/api/v1/leads/{lead_id}/stage", json={"stage": "contacted"})
    assert response.status_code == 200, response.text
    runs = await store.automation.runs_of(lead_id)
    assert [(r.automation_key, r.outcome) for r in runs] == [
        ("ping", "applied"),
        ("pong", "applied"),
        ("ping", "applied"),
        ("pong", "failed"),
    ]
    assert "deeper than 3" in runs[-1].detail["reason"]
    assert (await fresh(store, lead_id)).stage_key == "offer_sent"
    alerts = [m for m in await store.outbox.listing() if m.topic == "workflow.automation_failed"]
    assert [m.payload["automation"] for m in alerts] == ["pong"]


async def test_a_wrong_number_hands_the_lead_to_someone_else_through_routing(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    elsewhere = {
        "key": "wrong-number",
        "trigger": {"event": "activity_logged", "kind": "call", "outcome": "wrong_number"},
        "do": [{"do": "reassign"}],
    }
    await activate(store, workflow_organisation(automations=[elsewhere]))
    lead_id = await new_lead(client)
    first_owner = (await fresh(store, lead_id)).owner_agent_key
    await log(client, lead_id, kind="call_attempt", outcome="wrong_number")
    lead = await fresh(store, lead_id)
    assert lead.owner_agent_key not in (None, first_owner)
    history = await store.roster.assignments_of(lead_id)
    assert [(h.kind, h.actor) for h in history][-1] == ("automation", "wrong-number")
