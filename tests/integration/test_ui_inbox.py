"""The agent's inbox: own open leads with a first-contact countdown, a lead's file where calls and
stage changes are recorded, scoping between agents, and the live stream opened with a session."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest_asyncio
import uvicorn

from leadflow.config import Settings
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.storage.tables import Lead
from leadflow.web.app import create_app
from tests.integration.conftest import Clock, empty_committed
from tests.integration.ui import (
    EMAILS,
    add_lead,
    add_user,
    demo_configuration,
    sign_in,
)

ANNA, JONAS, SARAH = "anna.schmidt", "jonas.weber", "sarah.jones"


async def hair_lead(
    store: Store, clock: Clock, *, owner: str, name: str, due_in: timedelta | None, age: int = 5
) -> int:
    """A German hair-transplant lead received `age` minutes ago, first contact due in `due_in`."""
    lead_id = await add_lead(
        store,
        received_at=clock.now - timedelta(minutes=age),
        owner=owner,
        pipeline="hair-de",
        name=name,
    )
    lead = await store.leads.get(lead_id)
    assert lead is not None
    lead.treatment = "hair_transplant"
    lead.sla_due_at = clock.now + due_in if due_in is not None else None
    await store.commit()
    return lead_id


async def anna_signed_in_with_a_lead(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> tuple[int, str]:
    """Anna's lead Lena, first contact due in five minutes; Anna signed in (her CSRF token)."""
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena", due_in=timedelta(minutes=5))
    return lead_id, await sign_in(web, EMAILS["agent"])


async def stored(store: Store, lead_id: int) -> Lead:
    """The lead as the app left it."""
    lead = await store.leads.get(lead_id)
    assert lead is not None
    await store.session.refresh(lead)
    return lead


def row_of(page: str, lead_id: int) -> str:
    found = re.search(rf'<tr id="lead-{lead_id}".*?</tr>', page, re.S)
    assert found, f"lead {lead_id} is not in the inbox"
    return found.group(0)


async def test_an_agent_sees_only_their_own_open_leads(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    own = await hair_lead(store, clock, owner=ANNA, name="Lena", due_in=timedelta(minutes=8))
    other = await hair_lead(store, clock, owner=JONAS, name="Jonas", due_in=timedelta(minutes=8))
    closed = await hair_lead(store, clock, owner=ANNA, name="Closed", due_in=None)
    lead = await store.leads.get(closed)
    assert lead is not None
    lead.closed_at = clock.now
    await store.commit()
    await sign_in(web, EMAILS["agent"])
    for path in ("/", "/inbox"):
        page = (await web.get(path)).text
        assert "<h1>My leads</h1>" in page
        assert "Lena Test" in row_of(page, own)
        assert f'id="lead-{other}"' not in page
        assert f'id="lead-{closed}"' not in page
        assert 'data-inbox-stream="/api/v1/agents/anna.schmidt/events"' in page


async def test_rows_come_one_by_one_when_live_and_all_again_on_refresh(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, _ = await anna_signed_in_with_a_lead(web, store, clock)
    arrived = await web.get(f"/inbox/rows/{lead_id}", headers={"HX-Request": "true"})
    assert arrived.status_code == 200
    assert arrived.text.lstrip().startswith(f'<tr id="lead-{lead_id}"')
    assert "<html" not in arrived.text
    assert f'id="lead-{lead_id}"' in (await web.get("/inbox/rows")).text
    # Moved to Jonas (an SLA breach, a team lead): gone at the next refresh.
    lead = await stored(store, lead_id)
    lead.owner_agent_key = JONAS
    await store.commit()
    refreshed = (await web.get("/inbox/rows")).text
    assert f'id="lead-{lead_id}"' not in refreshed
    assert "No open leads." in refreshed
    assert (await web.get(f"/inbox/rows/{lead_id}")).status_code == 404
    assert (await web.get(f"/inbox/rows?agent={JONAS}")).status_code == 403


async def test_the_countdown_shows_working_time_left_and_overdue(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    # Tuesday 10:00 in Berlin: hair-de's business hours (08:00-22:00) are running.
    soon = await hair_lead(store, clock, owner=ANNA, name="Soon", due_in=timedelta(minutes=7))
    late = await hair_lead(store, clock, owner=ANNA, name="Late", due_in=timedelta(minutes=-3))
    await sign_in(web, EMAILS["agent"])
    page = (await web.get("/")).text
    ticking = row_of(page, soon)
    assert 'data-sla-left="420"' in ticking
    assert 'data-sla-running="1"' in ticking
    assert "7:00 left" in ticking
    assert '<span class="sla overdue"' in row_of(page, late)
    assert '<p class="figure" data-waiting>2</p>' in page
    # The overdue lead is the most urgent: it comes first.
    assert page.index(f'id="lead-{late}"') < page.index(f'id="lead-{soon}"')


async def test_the_countdown_stands_still_outside_business_hours(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    clock.now = datetime(2026, 5, 12, 21, 0, tzinfo=UTC)  # Tuesday 23:00 in Berlin: closed
    # Due Wednesday 08:05 in Berlin: five working minutes after the 08:00 opening.
    due = datetime(2026, 5, 13, 6, 5, tzinfo=UTC) - clock.now
    night = await hair_lead(store, clock, owner=ANNA, name="Night", due_in=due)
    await sign_in(web, EMAILS["agent"])
    row = row_of((await web.get("/inbox")).text, night)
    assert 'data-sla-left="300"' in row
    assert 'data-sla-running="0"' in row
    assert "5:00 left" in row
    assert "paused outside business hours" in row


async def test_logging_a_call_records_it_and_stops_the_sla(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await anna_signed_in_with_a_lead(web, store, clock)
    detail = await web.get(f"/inbox/leads/{lead_id}")
    assert detail.status_code == 200
    assert "5:00 left" in detail.text
    answer = await web.post(
        f"/inbox/leads/{lead_id}/activities",
        data={
            "kind": "call",
            "outcome": "answered",
            "direction": "outbound",
            "talk": "4:00",
            "text": "Wants a consultation in June",
            "csrf_token": token,
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/inbox/leads/{lead_id}"
    # (the demo's first-answered-call automation also moves the lead to Contacted)
    activities = [a for a in await store.leads.activities_of(lead_id) if a.kind == "call"]
    assert [(a.kind, a.agent_key, a.outcome, a.talk_s) for a in activities] == [
        ("call", ANNA, "answered", 240)
    ]
    assert activities[0].detail == {"text": "Wants a consultation in June"}
    lead = await stored(store, lead_id)
    assert lead.first_contact_at == clock.now
    assert await store.leads.sla_breached(clock.now + timedelta(hours=1), 10) == []
    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "This was the first contact: the SLA clock has stopped." in page
    assert "Wants a consultation in June" in page
    assert 'class="sla sla-done"' in page


async def test_a_bad_talk_time_is_refused_with_the_field_named(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await anna_signed_in_with_a_lead(web, store, clock)
    answer = await web.post(
        f"/inbox/leads/{lead_id}/activities",
        data={"kind": "call", "talk": "ten", "text": "kept", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 422
    assert 'id="talk-problem"' in answer.text
    assert "Enter minutes and seconds, such as 4:05." in answer.text
    assert "kept" in answer.text  # what the agent typed is shown again
    assert await store.leads.activities_of(lead_id) == []


async def test_a_stage_change_persists_and_is_recorded(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await anna_signed_in_with_a_lead(web, store, clock)
    answer = await web.post(
        f"/inbox/leads/{lead_id}/stage",
        data={"stage": "contacted", "csrf_token": token},  # the demo's Qualified needs fields
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "Stage saved." in answer.text
    lead = await stored(store, lead_id)
    assert (lead.stage_key, lead.closed_at) == ("contacted", None)
    [change] = await store.leads.activities_of(lead_id)
    assert (change.kind, change.detail["from"], change.detail["to"]) == (
        "stage_change",
        "new",
        "contacted",
    )
    assert "Contacted" in row_of((await web.get("/inbox")).text, lead_id)


async def test_a_won_lead_leaves_the_inbox_and_frees_the_open_cap(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena", due_in=timedelta(minutes=5))
    await store.roster.change_open(ANNA, 1)
    await store.commit()
    token = await sign_in(web, EMAILS["agent"])
    answer = await web.post(
        f"/inbox/leads/{lead_id}/stage", data={"stage": "won", "csrf_token": token}
    )
    assert answer.status_code == 303
    agent = await store.roster.agent(ANNA)
    assert agent is not None
    await store.session.refresh(agent)
    assert agent.open_leads == 0
    assert f'id="lead-{lead_id}"' not in (await web.get("/inbox")).text


async def test_an_unknown_stage_is_refused(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await anna_signed_in_with_a_lead(web, store, clock)
    answer = await web.post(
        f"/inbox/leads/{lead_id}/stage", data={"stage": "teleported", "csrf_token": token}
    )
    assert answer.status_code == 422
    assert "Choose one of this pipeline's stages." in answer.text
    lead = await stored(store, lead_id)
    assert lead.stage_key == "new"


async def test_another_agents_lead_is_refused(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await hair_lead(store, clock, owner=JONAS, name="Jonas", due_in=timedelta(minutes=5))
    token = await sign_in(web, EMAILS["agent"])
    assert (await web.get(f"/inbox/leads/{lead_id}")).status_code == 404
    assert (await web.get(f"/inbox/rows/{lead_id}")).status_code == 404
    answer = await web.post(
        f"/inbox/leads/{lead_id}/activities",
        data={"kind": "call", "csrf_token": token},
    )
    assert answer.status_code == 404
    stage = await web.post(
        f"/inbox/leads/{lead_id}/stage", data={"stage": "lost", "csrf_token": token}
    )
    assert stage.status_code == 404
    assert await store.leads.activities_of(lead_id) == []
    assert (await web.get(f"/inbox?agent={JONAS}")).status_code == 403


async def test_a_team_lead_opens_their_agents_inbox_only(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena", due_in=timedelta(minutes=5))
    await sign_in(web, EMAILS["team_lead"])
    chooser = await web.get("/inbox")
    assert chooser.status_code == 200
    assert f'<option value="{ANNA}">' in chooser.text
    assert f'<option value="{SARAH}">' not in chooser.text
    page = await web.get(f"/inbox?agent={ANNA}")
    assert page.status_code == 200
    assert "Inbox of Anna Schmidt" in page.text
    row_of(page.text, lead_id)
    assert (await web.get(f"/inbox?agent={SARAH}")).status_code == 403
    assert (await web.get(f"/inbox/leads/{lead_id}")).status_code == 200


async def test_the_lead_file_explains_the_routing_decision(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    from leadflow.domain.submission import LeadSubmission
    from leadflow.services.intake import ingest as intake
    from tests.integration.ui import SharedOrganisation

    result = await intake.ingest(
        store,
        LeadSubmission(
            source="website",
            first_name="Mia",
            last_name="Trace",
            email="mia.trace@example.org",
            country="DE",
            language="de",
            treatment="hair_transplant",
        ),
        live=SharedOrganisation(),
        threshold=0.6,
        now=clock.now,
    )
    await store.commit()
    lead = result.lead
    assert lead.owner_agent_key is not None
    email = f"{lead.owner_agent_key}@inbox.example"
    await add_user(store, "agent", email, agent_key=lead.owner_agent_key)
    await store.commit()
    await sign_in(web, email)
    page = (await web.get(f"/inbox/leads/{lead.id}")).text
    assert "Why this lead went to this agent" in page
    assert "Pipeline hair-de, weighted ratio" in page
    assert "chosen" in page
    assert "mia.trace@example.org" in page


# --- the live stream, opened with the session cookie -------------------------------------------


async def test_the_event_stream_needs_a_session_or_a_token(web: httpx.AsyncClient) -> None:
    answer = await web.get(f"/api/v1/agents/{ANNA}/events")
    assert answer.status_code == 401


async def test_an_agent_may_not_open_another_agents_stream(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["agent"])
    for key in (JONAS, "nobody"):
        answer = await web.get(f"/api/v1/agents/{key}/events")
        assert answer.status_code == 403


async def test_a_team_lead_may_not_open_another_teams_stream(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["team_lead"])
    assert (await web.get(f"/api/v1/agents/{SARAH}/events")).status_code == 403


@dataclass
class Server:
    url: str
    email: str


@pytest_asyncio.fixture
async def server(database_url: str) -> AsyncIterator[Server]:
    """A real server on a committed database (a stream never ends, so it needs real sockets)."""
    from leadflow.services.configuration import versions as configuration

    database = Database(database_url, pool_size=5)
    email = f"stream.{uuid.uuid4().hex[:8]}@clinic.example"
    async with open_store(database) as store:
        await configuration.apply(store, demo_configuration(), actor="test")
        await add_user(store, "agent", email)
        await store.commit()
    app = create_app(Settings(run_worker_in_process=False), database, owns_database=False)
    running = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(running.serve())
    for _ in range(500):
        if running.started:
            break
        await asyncio.sleep(0.02)
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield Server(f"http://127.0.0.1:{port}", email)
    finally:
        running.should_exit = True
        await task
        async with database.engine.begin() as connection:
            await empty_committed(connection)
        await database.dispose()


async def test_an_agent_opens_their_own_stream_with_the_session_cookie(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        await sign_in(client, server.email)
        async with client.stream("GET", f"/api/v1/agents/{ANNA}/events") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.aiter_lines()
            assert await anext(lines) == ": connected"
        other = await client.get(f"/api/v1/agents/{JONAS}/events")
        assert other.status_code == 403


async def test_the_inbox_speaks_turkish(web: httpx.AsyncClient, store: Store, clock: Clock) -> None:
    lead_id, token = await anna_signed_in_with_a_lead(web, store, clock)
    await web.post("/account/locale", data={"locale": "tr", "next": "/", "csrf_token": token})
    page = (await web.get("/")).text
    assert "Açık müşteri adayları, en acil olan önce" in page
    assert "5:00 kaldı" in row_of(page, lead_id)
    assert 'data-sla-text="{time} kaldı"' in page
    detail = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "Etkinlik kaydet" in detail
    assert "Bu müşteri adayı neden bu temsilciye gitti" in detail
