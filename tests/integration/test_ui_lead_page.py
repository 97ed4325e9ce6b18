"""The lead's page in the sales workflow: the stage control that asks in place for what a stage
requires, the form that logs every kind of activity, and the contact's whole timeline, scoped
so that an agent never reads another agent's lead."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from leadflow.domain.configuration import FieldDefinition, Stage
from leadflow.services.configuration import versions as configuration
from leadflow.storage.store import Store
from leadflow.storage.tables import Activity
from tests.integration.conftest import Clock
from tests.integration.test_ui_inbox import ANNA, JONAS, hair_lead, stored
from tests.integration.ui import EMAILS, demo_configuration, sign_in

HTMX = {"HX-Request": "true"}


async def require_fields_to_qualify(store: Store) -> None:
    """hair-de's Qualified needs a treatment, a budget, a travel month and a package."""
    live = demo_configuration()
    fields = [
        FieldDefinition(key="travel_month", name="Travel month", type="month"),
        FieldDefinition(key="package", name="Package", type="choice", choices=["basic", "vip"]),
        FieldDefinition(key="surgery_date", name="Surgery date", type="date"),
    ]
    # the demo's own fields stay: the other pipelines require them
    kept = [f for f in live.fields if f.key not in {f.key for f in fields}]
    fields = [*kept, *fields]
    requires = {
        "qualified": ["treatment", "budget", "travel_month", "package"],
        "booked": ["surgery_date"],
    }
    pipelines = [
        p.model_copy(
            update={
                "stages": [
                    Stage(key=s.key, name=s.name, type=s.type, requires=requires.get(s.key, []))
                    for s in p.stages
                ]
            }
        )
        if p.key == "hair-de"
        else p
        for p in live.pipelines
    ]
    changed = live.model_copy(update={"fields": fields, "pipelines": pipelines})
    await configuration.apply(store, changed, actor="test", comment="required fields")
    await store.commit()


async def annas_lead(web: httpx.AsyncClient, store: Store, clock: Clock) -> tuple[int, str]:
    """Anna's lead Lena (hair transplant, new), Anna signed in; her CSRF token."""
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena", due_in=timedelta(minutes=5))
    return lead_id, await sign_in(web, EMAILS["agent"])


def prompted_fields(page: str) -> set[str]:
    return set(re.findall(r'name="fields\.(\w+)"', page))


def timeline_item(page: str, kind: str) -> str:
    found = re.search(rf'<li class="tl tl-{kind}[^"]*".*?</li>', page, re.S)
    assert found, f"no {kind} on the timeline"
    return found.group(0)


async def move(web: httpx.AsyncClient, lead_id: int, token: str, **values: str) -> httpx.Response:
    return await web.post(
        f"/inbox/leads/{lead_id}/stage", data={**values, "csrf_token": token}, headers=HTMX
    )


async def log(web: httpx.AsyncClient, lead_id: int, token: str, **values: str) -> httpx.Response:
    return await web.post(
        f"/inbox/leads/{lead_id}/activities", data={**values, "csrf_token": token}, headers=HTMX
    )


# --- the stage control ---------------------------------------------------------------------------


async def test_the_stepper_shows_the_pipelines_stages_with_the_current_one_marked(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, _ = await annas_lead(web, store, clock)
    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    steps = re.findall(r'<button type="submit" name="stage" value="(\w+)"', page)
    assert steps == ["new", "contacted", "qualified", "offer_sent", "booked", "won", "lost"]
    assert 'value="new" aria-current="step" disabled>New</button>' in page
    assert '<li class="step step-lost">' in page


async def test_a_move_missing_fields_asks_for_exactly_those_and_succeeds_when_filled(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await require_fields_to_qualify(store)
    lead_id, token = await annas_lead(web, store, clock)  # its treatment is known already
    refused = await move(web, lead_id, token, stage="qualified")
    assert refused.status_code == 422
    assert "To move this lead to Qualified, fill in:" in refused.text
    assert prompted_fields(refused.text) == {"budget", "travel_month", "package"}
    assert re.search(r'<input type="number" id="field-budget" name="fields.budget"', refused.text)
    assert re.search(r'<input type="month" id="field-travel_month"', refused.text)
    assert '<option value="vip">vip</option>' in refused.text
    assert 'name="lost_reason"' not in refused.text
    assert (await stored(store, lead_id)).stage_key == "new"

    moved = await move(
        web,
        lead_id,
        token,
        stage="qualified",
        **{"fields.budget": "4500", "fields.travel_month": "2026-09", "fields.package": "vip"},
    )
    assert moved.status_code == 200
    assert "Stage saved." in moved.text
    assert 'name="fields.' not in moved.text
    lead = await stored(store, lead_id)
    assert (lead.stage_key, lead.budget) == ("qualified", Decimal("4500.00"))
    assert lead.custom == {"travel_month": "2026-09", "package": "vip"}
    change = timeline_item(moved.text, "stage_change")
    assert "New → Qualified" in change
    assert "Anna Schmidt" in change
    # The timeline lives in the page's other column: HTMX swaps it out of band.
    assert re.search(r'<section id="timeline"[^>]* hx-swap-oob="true">', moved.text)


async def test_a_value_that_does_not_fit_is_named_and_nothing_is_saved(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await require_fields_to_qualify(store)
    lead_id, token = await annas_lead(web, store, clock)
    answer = await move(
        web,
        lead_id,
        token,
        stage="qualified",
        **{"fields.budget": "4500", "fields.travel_month": "September", "fields.package": "vip"},
    )
    assert answer.status_code == 422
    assert 'id="field-travel_month-problem"' in answer.text
    assert 'value="4500"' in answer.text  # what was typed is shown again
    assert prompted_fields(answer.text) == {"budget", "travel_month", "package"}
    lead = await stored(store, lead_id)
    assert (lead.stage_key, lead.budget, lead.custom) == ("new", None, {})


async def test_lost_asks_for_a_reason_and_the_lost_lead_shows_it(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await annas_lead(web, store, clock)
    refused = await move(web, lead_id, token, stage="lost")
    assert refused.status_code == 422
    assert '<select id="lost_reason" name="lost_reason" required>' in refused.text
    assert '<option value="chose_another_clinic">Chose another clinic</option>' in refused.text
    assert (await stored(store, lead_id)).closed_at is None

    lost = await move(web, lead_id, token, stage="lost", lost_reason="price")
    assert lost.status_code == 200
    lead = await stored(store, lead_id)
    assert (lead.stage_key, lead.lost_reason, lead.closed_at) == ("lost", "price", clock.now)
    assert "<strong data-lost-reason>Price</strong>" in lost.text
    change = timeline_item(lost.text, "stage_change")
    assert "New → Lost" in change
    assert "Lost reason: Price" in change


async def test_a_reason_the_pipeline_does_not_list_is_named(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await annas_lead(web, store, clock)
    answer = await move(web, lead_id, token, stage="lost", lost_reason="bad_weather")
    assert answer.status_code == 422
    assert 'id="lost_reason-problem"' in answer.text
    assert (await stored(store, lead_id)).stage_key == "new"


# --- the activity form ---------------------------------------------------------------------------


async def test_an_answered_call_with_its_times_is_logged_and_shown(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await annas_lead(web, store, clock)
    answer = await log(
        web,
        lead_id,
        token,
        kind="call",
        direction="outbound",
        outcome="answered",
        started="2026-05-12T10:58",  # Istanbul, Anna's account's zone: 07:58 UTC
        wait="0:12",
        talk="4:05",
        hold="0:30",
        wrap="1:00",
        text="Wants June",
    )
    assert answer.status_code == 200, answer.text
    [call] = [a for a in await store.leads.activities_of(lead_id) if a.kind == "call"]
    assert (call.kind, call.outcome, call.direction) == ("call", "answered", "outbound")
    assert (call.wait_s, call.talk_s, call.hold_s, call.wrap_s) == (12, 245, 30, 60)
    assert call.occurred_at == clock.now - timedelta(minutes=2)
    assert call.answered_at == call.occurred_at + timedelta(seconds=12)
    assert call.ended_at == call.occurred_at + timedelta(seconds=12 + 245 + 30)
    assert (call.actor_kind, call.agent_key) == ("user", ANNA)
    shown = timeline_item(answer.text, "call")
    for fact in ("Outgoing", "Answered", "talk 4:05", "hold 0:30", "waiting 0:12", "Wants June"):
        assert fact in shown
    assert "after-call work 1:00" in shown
    assert "Anna Schmidt" in shown
    assert '<time datetime="2026-05-12T10:58+03:00">' in shown


async def test_messages_emails_notes_and_csat_are_logged_and_shown(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await annas_lead(web, store, clock)
    await log(web, lead_id, token, kind="call", outcome="no_answer", direction="outbound")
    [call] = await store.leads.activities_of(lead_id)
    entries: list[dict[str, Any]] = [
        {"kind": "message", "channel": "whatsapp", "direction": "inbound", "text": "Photos sent"},
        {"kind": "email", "direction": "outbound", "type": "travel", "text": "Hotel options"},
        {"kind": "note", "type": "medical", "text": "Diabetic: ask the surgeon"},
        {"kind": "csat", "score": "4", "comment": "Kind and clear", "rates": str(call.id)},
    ]
    page = ""
    for entry in entries:
        answer = await log(web, lead_id, token, **entry)
        assert answer.status_code == 200, (entry, answer.text)
        page = answer.text
    activities = {a.kind: a for a in await store.leads.activities_of(lead_id)}
    assert activities["message"].channel == "whatsapp"
    assert activities["email"].detail == {"type": "travel", "text": "Hotel options"}
    assert activities["note"].detail == {"type": "medical", "text": "Diabetic: ask the surgeon"}
    csat = activities["csat"]
    assert (csat.score, csat.rates_activity_id, csat.detail) == (
        4,
        call.id,
        {"comment": "Kind and clear"},
    )
    assert "WhatsApp · Incoming" in timeline_item(page, "message")
    assert "Photos sent" in timeline_item(page, "message")
    assert "Outgoing · Travel" in timeline_item(page, "email")
    assert "Medical" in timeline_item(page, "note")
    rated = timeline_item(page, "csat")
    assert "★★★★☆" in rated
    assert f'href="#activity-{call.id}"' in rated
    assert "Kind and clear" in rated
    assert f'id="activity-{call.id}"' in page
    # The call is offered for the next answer to rate.
    assert f'<option value="{call.id}">' in page


async def test_bad_activity_input_is_named_and_nothing_is_saved(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await annas_lead(web, store, clock)
    cases = [
        ({"kind": "csat", "comment": "no score"}, "score"),
        ({"kind": "note", "text": "   "}, "note"),
        ({"kind": "call", "outcome": "answered", "hold": "a while"}, "hold"),
        ({"kind": "call", "outcome": "answered", "started": "2026-05-13T10:00"}, "started"),
        ({"kind": "call", "outcome": "shouted"}, "outcome"),
        ({"kind": "message", "channel": "pigeon"}, "channel"),
        ({"kind": "csat", "score": "5", "rates": "999999"}, "rates"),
        ({"kind": "dance"}, "kind"),
    ]
    for values, field in cases:
        answer = await log(web, lead_id, token, **values)
        assert answer.status_code == 422, values
        assert f'id="{field}-problem"' in answer.text, values
    assert await store.leads.activities_of(lead_id) == []


# --- the contact's timeline ----------------------------------------------------------------------


async def second_lead(store: Store, clock: Clock, first: int, *, owner: str) -> int:
    """Another lead of the contact of lead `first`, received an hour later."""
    lead = await stored(store, first)
    again = await store.leads.insert(
        {
            "contact_id": lead.contact_id,
            "source": "whatsapp",
            "received_at": lead.received_at + timedelta(hours=1),
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "country": "DE",
            "country_source": "explicit",
            "language": "de",
            "language_source": "explicit",
            "routing_status": "assigned",
            "owner_agent_key": owner,
            "pipeline_key": "hair-de",
            "stage_key": "new",
            "is_repeat": True,
        }
    )
    assert again is not None
    await store.commit()
    return again.id


async def note_on(store: Store, lead_id: int, text: str, **who: Any) -> Activity:
    lead = await stored(store, lead_id)
    activity = await store.leads.add_activity(
        {
            "lead_id": lead_id,
            "agent_key": lead.owner_agent_key,
            "kind": "note",
            "occurred_at": lead.received_at + timedelta(minutes=10),
            "detail": {"text": text},
            **who,
        }
    )
    await store.commit()
    return activity


async def test_a_second_lead_of_the_contact_is_on_the_first_leads_timeline(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    first, _ = await annas_lead(web, store, clock)
    second = await second_lead(store, clock, first, owner=ANNA)
    await note_on(store, second, "Asked again on WhatsApp")
    page = (await web.get(f"/inbox/leads/{first}")).text
    assert page.count('id="timeline"') == 1
    assert "on all 2 of their leads" in page
    note = timeline_item(page, "note")
    assert "Asked again on WhatsApp" in note
    assert f'data-lead="{second}"' in note
    assert f'<a href="/inbox/leads/{second}">lead #{second}</a>' in note
    arrival = timeline_item(page, "lead tl-other")
    assert "Another lead of this contact" in arrival
    assert "WhatsApp · Owner: Anna Schmidt · Stage: New" in arrival
    # Newest first: the second lead's note, its arrival, then the first lead's arrival.
    kinds = re.findall(r'data-activity="(\w+)" data-lead="(\d+)"', page)
    assert kinds == [("note", str(second)), ("lead", str(second)), ("lead", str(first))]


async def test_an_agent_does_not_see_another_agents_lead_of_the_same_contact(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    first, _ = await annas_lead(web, store, clock)
    second = await second_lead(store, clock, first, owner=JONAS)
    await note_on(store, second, "Private notes of Jonas")
    page = (await web.get(f"/inbox/leads/{first}")).text
    assert "Private notes of Jonas" not in page
    assert 'data-activity="note"' not in page
    hidden = timeline_item(page, "lead tl-other")
    assert f"lead #{second}" in hidden
    assert f'href="/inbox/leads/{second}"' not in hidden
    assert "Owner: another agent" in hidden
    assert "Jonas Weber" not in hidden
    assert "WhatsApp" not in hidden
    assert "Not one of your leads: its activities are not shown." in hidden


async def test_a_team_lead_sees_every_lead_of_their_teams_contact(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    first = await hair_lead(store, clock, owner=ANNA, name="Lena", due_in=timedelta(minutes=5))
    second = await second_lead(store, clock, first, owner=JONAS)
    await note_on(store, second, "Notes of Jonas")
    await sign_in(web, EMAILS["team_lead"])
    page = (await web.get(f"/inbox/leads/{first}")).text
    note = timeline_item(page, "note")
    assert "Notes of Jonas" in note
    assert "Jonas Weber" in note


async def test_the_timeline_says_who_acted_automation_integration_or_person(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, _ = await annas_lead(web, store, clock)
    version = await store.configs.active_id()
    await note_on(
        store,
        lead_id,
        "by a rule",
        actor_kind="automation",
        actor="offer_sent",
        rule_key="offer_sent",
        config_version_id=version,
        agent_key=None,
    )
    await note_on(store, lead_id, "by the phone system", actor_kind="integration", actor="pbx")
    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert f"Automation: offer_sent (v{version})" in page
    assert "Integration: pbx" in page


async def test_the_lead_page_speaks_turkish(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await annas_lead(web, store, clock)
    await log(web, lead_id, token, kind="call", outcome="answered", talk="2:00")
    await web.post("/account/locale", data={"locale": "tr", "next": "/", "csrf_token": token})
    refused = await move(web, lead_id, token, stage="lost")
    assert "Neden kaybedildi?" in refused.text
    call = timeline_item(refused.text, "call")
    assert "Yanıtlandı" in call
    assert "konuşma 2:00" in call
