"""The pipeline board: stages as columns with their open leads as cards (owner, age, next task,
first-contact state), scoped to what the viewer may see and filtered by owner and team; won and
lost columns count the leads closed lately; a move the stage refuses names what is missing and
succeeds once it is given."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest_asyncio

from leadflow.domain.configuration import Configuration
from leadflow.services.configuration import versions as configuration
from leadflow.services.workflow import board
from leadflow.services.workflow.board import Filters, SlaState
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, Scenario, add_lead, demo_configuration, sign_in

ANNA, JONAS, SARAH = "anna.schmidt", "jonas.weber", "sarah.jones"
QUALIFIED_NEEDS = ["treatment", "budget_range", "travel_month"]


def workflow_configuration() -> Configuration:
    """The demo organisation whose hair-de pipeline's Qualified stage needs the treatment, a
    budget range (a choice) and a travel month."""
    document: dict[str, Any] = demo_configuration().model_dump(mode="json", exclude_defaults=True)
    document["fields"] = [
        {"key": "budget_range", "name": "Budget range", "type": "choice",
         "choices": ["under 2k", "2k-5k", "over 5k"]},
        {"key": "travel_month", "name": "Travel month", "type": "month"},
    ]  # fmt: skip
    hair = next(p for p in document["pipelines"] if p["key"] == "hair-de")
    hair["stages"] = [
        "new",
        "contacted",
        {"key": "qualified", "requires": QUALIFIED_NEEDS},
        "offer_sent",
        "booked",
        {"key": "won", "name": "Treated", "type": "won"},
        "lost",
    ]
    return configuration.validate(document)


@pytest_asyncio.fixture
async def workflow(store: Store, scenario: Scenario) -> Configuration:
    config = workflow_configuration()
    await configuration.apply(store, config, actor="test", comment="qualified needs fields")
    await store.commit()
    return config


async def hair_lead(
    store: Store, clock: Clock, *, owner: str | None, name: str, **values: Any
) -> int:
    """A hair-de lead received an hour ago, in stage `new` unless `values` say otherwise."""
    lead_id = await add_lead(
        store,
        received_at=clock.now - timedelta(hours=1),
        owner=owner,
        pipeline="hair-de",
        name=name,
    )
    lead = await store.leads.get(lead_id)
    assert lead is not None
    lead.treatment = "hair_transplant"
    lead.stage_entered_at = clock.now - timedelta(minutes=30)
    for column, value in values.items():
        setattr(lead, column, value)
    await store.commit()
    return lead_id


async def stored(store: Store, lead_id: int) -> Lead:
    lead = await store.leads.get(lead_id)
    assert lead is not None
    await store.session.refresh(lead)
    return lead


def column_of(page: str, stage: str) -> str:
    found = re.search(
        rf'<section class="board-column[^"]*" data-stage="{stage}".*?</section>', page, re.S
    )
    assert found, f"no column {stage}"
    return found.group(0)


def card_ids(html: str) -> set[int]:
    return {int(found) for found in re.findall(r'id="card-(\d+)"', html)}


def count_of(column: str) -> str:
    found = re.search(r"data-count[^>]*>([^<]+)<", column)
    assert found
    return found.group(1)


# --- what the board shows, to whom -------------------------------------------------------------


async def test_an_agent_sees_only_their_own_cards(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    own = await hair_lead(store, clock, owner=ANNA, name="Lena")
    other = await hair_lead(store, clock, owner=JONAS, name="Jonas")
    await sign_in(web, EMAILS["agent"])
    page = await web.get("/board/hair-de")
    assert page.status_code == 200
    assert card_ids(page.text) == {own}
    assert other not in card_ids(page.text)
    assert count_of(column_of(page.text, "new")) == "1"
    assert 'name="owner"' not in page.text  # nobody else's leads to filter by


async def test_the_board_opens_the_first_pipeline_the_viewer_has(
    web: httpx.AsyncClient, workflow: Configuration
) -> None:
    await sign_in(web, EMAILS["team_lead"])
    answer = await web.get("/board")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/board/hair-de"
    chosen = await web.get("/board?pipeline=dental-de&owner=jonas.weber")
    assert chosen.headers["location"] == "/board/dental-de?owner=jonas.weber"
    assert (await web.get("/board/hair-en")).status_code == 403  # the English team's
    assert (await web.get("/board/nowhere")).status_code == 404


async def test_a_team_lead_sees_the_whole_pipeline_and_filters_by_owner_and_team(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    anna = await hair_lead(store, clock, owner=ANNA, name="Lena")
    jonas = await hair_lead(store, clock, owner=JONAS, name="Jonas")
    queued = await hair_lead(store, clock, owner=None, name="Queued")
    await sign_in(web, EMAILS["team_lead"])
    everyone = (await web.get("/board/hair-de")).text
    assert card_ids(everyone) == {anna, jonas, queued}
    assert "no owner yet" in everyone
    assert f'<option value="{SARAH}"' not in everyone  # another team's agent
    only_jonas = (await web.get(f"/board/hair-de?owner={JONAS}")).text
    assert card_ids(only_jonas) == {jonas}
    assert count_of(column_of(only_jonas, "new")) == "1"
    team = (await web.get("/board/hair-de?team=german")).text
    assert card_ids(team) == {anna, jonas}


async def test_a_filter_outside_the_viewers_teams_is_named(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    await hair_lead(store, clock, owner=ANNA, name="Lena")
    await sign_in(web, EMAILS["team_lead"])
    answer = await web.get(f"/board/hair-de?owner={SARAH}")
    assert answer.status_code == 422
    assert 'id="filter-problem">Owner: Choose one of the options.' in answer.text
    assert len(card_ids(answer.text)) == 1  # the unfiltered board
    assert (await web.get("/board/hair-de?team=english")).status_code == 422


async def test_cards_show_owner_age_next_task_and_first_contact_state(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    late = await hair_lead(
        store, clock, owner=ANNA, name="Late", sla_due_at=clock.now - timedelta(minutes=5)
    )
    waiting = await hair_lead(
        store, clock, owner=ANNA, name="Soon", sla_due_at=clock.now + timedelta(minutes=5)
    )
    called = await hair_lead(
        store, clock, owner=ANNA, name="Called", stage_key="contacted",
        sla_due_at=clock.now - timedelta(minutes=5), first_contact_at=clock.now,
    )  # fmt: skip
    for title, due in (("Call back", timedelta(hours=-2)), ("Send offer", timedelta(days=1))):
        await store.tasks.add(
            {"lead_id": called, "owner_agent_key": ANNA, "title": title,
             "due_at": clock.now + due}
        )  # fmt: skip
    await store.tasks.add(
        {"lead_id": called, "title": "Done already", "due_at": clock.now - timedelta(days=2),
         "status": "done"}
    )  # fmt: skip
    await store.commit()
    await sign_in(web, EMAILS["admin"])
    page = (await web.get("/board/hair-de")).text
    cards = {
        lead: re.search(rf'id="card-{lead}".*?</li>', page, re.S)
        for lead in (late, waiting, called)
    }
    late_card, waiting_card, called_card = (found.group(0) for found in cards.values() if found)
    assert "First contact overdue" in late_card
    assert "Awaiting first contact" in waiting_card
    assert "Contacted" in called_card
    assert "Anna Schmidt" in called_card
    assert "Germany" in called_card
    assert "Age 1 hr" in called_card
    assert "in stage 30 min" in called_card
    assert "Call back" in called_card  # the earliest open task, overdue
    assert "overdue" in called_card
    assert "Send offer" not in called_card
    assert "Done already" not in called_card
    assert card_ids(column_of(page, "contacted")) == {called}


async def test_columns_count_beyond_the_cards_shown_and_closed_stages_count_recent_leads(
    store: Store, clock: Clock, workflow: Configuration
) -> None:
    for n in range(3):
        await hair_lead(store, clock, owner=ANNA, name=f"Open{n}")
    await hair_lead(store, clock, owner=ANNA, name="Won", stage_key="won", closed_at=clock.now)
    await hair_lead(
        store, clock, owner=ANNA, name="Long ago", stage_key="won",
        closed_at=clock.now - timedelta(days=31),
    )  # fmt: skip
    await hair_lead(
        store, clock, owner=ANNA, name="Lost", stage_key="lost",
        closed_at=clock.now - timedelta(days=3),
    )  # fmt: skip
    await hair_lead(store, clock, owner=ANNA, name="Gone", stage_key="removed_stage")
    from leadflow.services.access.scoping import Role, Viewer

    shown = await board.board(
        store, workflow, Viewer(Role.ADMIN), "hair-de", Filters(), now=clock.now, per_stage=2
    )
    columns = {column.stage.key: column for column in shown.columns}
    assert [c.stage.key for c in shown.columns] == [
        "new", "contacted", "qualified", "offer_sent", "booked", "won", "lost",
    ]  # fmt: skip
    assert (columns["new"].count, len(columns["new"].cards), columns["new"].more) == (3, 2, 1)
    assert (columns["won"].count, columns["won"].cards) == (1, [])
    assert columns["lost"].count == 1
    assert shown.elsewhere == 1
    assert columns["new"].cards[0].sla is SlaState.NONE


async def test_the_board_and_its_columns_speak_turkish(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    await hair_lead(store, clock, owner=ANNA, name="Lena")
    token = await sign_in(web, EMAILS["agent"])
    await web.post("/account/locale", data={"locale": "tr", "csrf_token": token, "next": "/"})
    page = (await web.get("/board/hair-de")).text
    assert "Satış hattı panosu" in page
    assert "Taşı…" in page
    assert "Treated" in page  # a configured stage name is shown as configured


# --- moving a card -------------------------------------------------------------------------------


async def move(
    web: httpx.AsyncClient, token: str, lead_id: int, stage: str, *, script: bool = True,
    **extra: str,
) -> httpx.Response:  # fmt: skip
    headers = {"HX-Request": "true"} if script else {}
    data = {"csrf_token": token, "lead_id": str(lead_id), "to_stage": stage, **extra}
    return await web.post("/board/hair-de/move", data=data, headers=headers)


async def test_a_move_missing_required_fields_prompts_for_exactly_those(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena")
    token = await sign_in(web, EMAILS["agent"])
    answer = await move(web, token, lead_id, "qualified")
    assert answer.status_code == 422
    prompt = answer.text
    assert "Move Lena Test to Qualified" in prompt
    assert re.findall(r'name="field\.([a-z_]+)"', prompt) == ["budget_range", "travel_month"]
    assert '<input type="month" id="prompt-field-travel_month"' in prompt
    assert '<option value="2k-5k">' in prompt
    assert "Needed to enter Qualified." in prompt
    assert (await stored(store, lead_id)).stage_key == "new"
    assert await store.leads.activities_of(lead_id) == []


async def test_a_bad_value_is_named_and_the_typed_values_are_kept(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena")
    token = await sign_in(web, EMAILS["agent"])
    answer = await move(
        web, token, lead_id, "qualified",
        **{"field.budget_range": "2k-5k", "field.travel_month": "June"},
    )  # fmt: skip
    assert answer.status_code == 422
    assert 'id="prompt-field-travel_month-problem">Choose a month.' in answer.text
    assert '<option value="2k-5k" selected>' in answer.text
    assert (await stored(store, lead_id)).custom in ({}, None)


async def test_a_move_with_the_required_fields_saves_them_and_moves_the_card(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena")
    token = await sign_in(web, EMAILS["agent"])
    answer = await move(
        web, token, lead_id, "qualified",
        **{"field.budget_range": "2k-5k", "field.travel_month": "2026-07"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert "Lena Test moved to Qualified." in answer.text
    assert card_ids(column_of(answer.text, "qualified")) == {lead_id}
    lead = await stored(store, lead_id)
    assert (lead.stage_key, lead.stage_entered_at) == ("qualified", clock.now)
    assert lead.custom == {"budget_range": "2k-5k", "travel_month": "2026-07"}
    [change] = await store.leads.activities_of(lead_id)
    assert (change.kind, change.from_stage, change.to_stage, change.actor) == (
        "stage_change", "new", "qualified", EMAILS["agent"],
    )  # fmt: skip


async def test_losing_a_lead_needs_a_reason_from_the_pipelines_list(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena")
    token = await sign_in(web, EMAILS["agent"])
    answer = await move(web, token, lead_id, "lost")
    assert answer.status_code == 422
    assert 'name="lost_reason"' in answer.text
    assert '<option value="chose_another_clinic">Chose another clinic</option>' in answer.text
    assert "Choose why the lead was lost." in answer.text
    done = await move(web, token, lead_id, "lost", lost_reason="price")
    assert done.status_code == 200
    lead = await stored(store, lead_id)
    assert (lead.stage_key, lead.lost_reason, lead.closed_at) == ("lost", "price", clock.now)
    assert count_of(column_of(done.text, "lost")) == "1"


async def test_without_the_script_a_refusal_shows_the_board_with_the_prompt_open(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena")
    token = await sign_in(web, EMAILS["agent"])
    refused = await move(web, token, lead_id, "qualified", script=False)
    assert refused.status_code == 422
    assert '<dialog id="board-prompt" aria-labelledby="prompt-heading" open>' in refused.text
    assert f'id="card-{lead_id}"' in refused.text
    moved = await move(web, token, lead_id, "contacted", script=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == "/board/hair-de"
    assert "Lena Test moved to Contacted." in (await web.get("/board/hair-de")).text


async def test_a_move_with_a_filter_the_viewer_may_not_use_comes_back_unfiltered(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena")
    token = await sign_in(web, EMAILS["agent"])
    answer = await move(web, token, lead_id, "contacted", owner=JONAS)
    assert answer.status_code == 200
    assert card_ids(column_of(answer.text, "contacted")) == {lead_id}


async def test_an_agent_cannot_move_someone_elses_lead(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    lead_id = await hair_lead(store, clock, owner=JONAS, name="Jonas")
    token = await sign_in(web, EMAILS["agent"])
    assert (await move(web, token, lead_id, "contacted")).status_code == 404
    assert (await move(web, token, 2**63, "contacted")).status_code == 404
    assert (await stored(store, lead_id)).stage_key == "new"
    no_token = await web.post(
        "/board/hair-de/move", data={"lead_id": str(lead_id), "to_stage": "contacted"}
    )
    assert no_token.status_code == 403


async def test_an_unknown_stage_is_named(
    web: httpx.AsyncClient, store: Store, clock: Clock, workflow: Configuration
) -> None:
    lead_id = await hair_lead(store, clock, owner=ANNA, name="Lena")
    token = await sign_in(web, EMAILS["agent"])
    answer = await move(web, token, lead_id, "teleported")
    assert answer.status_code == 422
    assert "This is not a stage of the pipeline." in answer.text


async def test_every_role_finds_the_board_in_the_navigation(web: httpx.AsyncClient) -> None:
    for role in ("admin", "manager", "team_lead", "agent"):
        web.cookies.clear()
        await sign_in(web, EMAILS[role])
        assert '<a href="/board">Pipelines board</a>' in (await web.get("/account")).text
