"""The manager's and team lead's dashboards: figures from leads and calls at known times, the
filters, the team lead's scope, and the exports of each table."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook

from leadflow.services.configuration.organisation import compile_organisation
from leadflow.services.reporting import rollups
from leadflow.services.workflow import activities
from leadflow.services.workflow.activities import ActivityIn, ActivityKind
from leadflow.storage.store import Store
from leadflow.workflow.actors import Actor, ActorKind
from tests.integration.conftest import Clock
from tests.integration.ui import (
    EMAILS,
    add_lead,
    demo_configuration,
    sign_in,
)

MINUTE = timedelta(minutes=1)


async def add_called_lead(
    store: Store,
    received_at: datetime,
    *,
    owner: str | None,
    pipeline: str,
    called_after: timedelta | None,
    stage: str = "new",
    sla: timedelta | None = None,
    country: str = "DE",
    campaign: str | None = None,
) -> int:
    """A lead received at `received_at`, first called `called_after` later (by its owner)."""
    lead_id = await add_lead(
        store,
        received_at=received_at,
        owner=owner,
        pipeline=pipeline,
        name=f"Lead{received_at.timestamp():.0f}{owner}",
        country=country,
    )
    if called_after is not None:
        call = ActivityIn(kind=ActivityKind.CALL, occurred_at=received_at + called_after)
        organisation = compile_organisation(1, demo_configuration())
        agent = Actor(ActorKind.USER, owner, owner)
        at = received_at + called_after
        await activities.record(store, organisation, lead_id, call, actor=agent, now=at)
    lead = await store.leads.get(lead_id, for_update=True)
    assert lead is not None
    lead.stage_key = stage
    lead.utm_campaign = campaign
    lead.sla_due_at = received_at + sla if sla else None
    return lead_id


async def add_week(store: Store, clock: Clock) -> None:
    """Five German leads and one English lead yesterday; one German lead 40 days ago.

    First calls after 60 s, 120 s, 240 s, 600 s and never (German), 30 s (English). The 600 s
    call came after a 5-minute deadline and the uncalled lead's 10-minute deadline has passed:
    two SLA breaches, both Jonas Weber's.
    """
    day = clock.now - timedelta(days=1)
    german = "hair-de"
    await add_called_lead(
        store,
        day,
        owner="anna.schmidt",
        pipeline=german,
        called_after=MINUTE,
        stage="won",
        campaign="spring",
    )
    await add_called_lead(
        store,
        day + MINUTE,
        owner="anna.schmidt",
        pipeline=german,
        called_after=2 * MINUTE,
        stage="qualified",
        campaign="spring",
    )
    await add_called_lead(
        store,
        day + 2 * MINUTE,
        owner="elif.kaya",
        pipeline=german,
        called_after=4 * MINUTE,
        stage="contacted",
    )
    await add_called_lead(
        store,
        day + 3 * MINUTE,
        owner="jonas.weber",
        pipeline=german,
        called_after=10 * MINUTE,
        stage="contacted",
        sla=5 * MINUTE,
    )
    await add_called_lead(
        store,
        day + 4 * MINUTE,
        owner="jonas.weber",
        pipeline=german,
        called_after=None,
        sla=10 * MINUTE,
    )
    await add_called_lead(
        store,
        day,
        owner="sarah.jones",
        pipeline="hair-en",
        called_after=MINUTE / 2,
        stage="lost",
        country="GB",
    )
    await add_called_lead(
        store,
        clock.now - timedelta(days=40),
        owner="anna.schmidt",
        pipeline=german,
        called_after=MINUTE,
    )
    await store.commit()
    await refresh(store, clock)


async def refresh(store: Store, clock: Clock) -> None:
    """What the worker does every minute: bring the dashboards' daily rollup up to date."""
    zone = demo_configuration().organisation.timezone
    await rollups.refresh_rollups_in_steps(store, zone, clock.now)


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert found, f"no figure {name}"
    return found.group(1)


def table_rows(page: str, key: str) -> list[list[str]]:
    """The cells of the table `key` as the page shows them (tags stripped)."""
    body = page.split(f'data-table="{key}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in rows
    ]


async def download_csv(web: httpx.AsyncClient, address: str) -> list[list[str]]:
    answer = await web.get(address)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


async def download_xlsx(web: httpx.AsyncClient, address: str) -> list[list[object]]:
    answer = await web.get(address)
    assert answer.status_code == 200, answer.text
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_speed_to_lead_contact_rate_and_breaches_are_exact(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7")).text
    assert figure(page, "received") == "6"
    assert figure(page, "contact-rate") == "83%"  # 5 of 6
    # Seconds to first call 30, 60, 120, 240, 600: median 120 s; p90 240 + 0.6 × 360 = 456 s.
    assert figure(page, "median") == "2 min"
    assert figure(page, "p90") == "7 min 36 sec"
    assert figure(page, "fast") == "67%"  # 4 of 6 within five minutes
    assert figure(page, "breaches") == "2"
    # Yesterday came from the rollup (the last six complete days in Istanbul); today live.
    assert "Days May 6, 2026 to May 11, 2026 (Europe/Istanbul) from the daily summary" in page


async def test_speed_by_team_and_agent_in_the_export(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["manager"])
    teams = await download_csv(web, "/dashboard/export/speed_teams.csv?days=7")
    assert teams[0][:3] == ["Team", "Leads", "Contacted"]
    # German: 60, 120, 240, 600 s → median 180 s = 3 min, p90 240 + 0.7 × 360 = 492 s = 8.2 min.
    assert teams[1:] == [
        ["German team", "5", "4", "0.8", "3.0", "8.2", "0.6", "2"],
        ["English team", "1", "1", "1.0", "0.5", "0.5", "1.0", "0"],
    ]
    agents = await download_csv(web, "/dashboard/export/speed_agents.csv?days=7")
    jonas = next(row for row in agents if row[0] == "Jonas Weber")
    assert jonas == ["Jonas Weber", "2", "1", "0.5", "10.0", "10.0", "0.0", "2"]


async def test_the_funnel_counts_leads_at_each_stage_and_beyond(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7")).text
    assert table_rows(page, "funnel") == [
        ["New", "1", "5"],
        ["Contacted", "2", "4"],
        ["Qualified", "1", "2"],
        ["Offer sent", "0", "1"],
        ["Booked", "0", "1"],
        ["Won", "1", "1"],
        ["Lost", "1", "—"],
    ]


async def test_pool_shares_are_set_against_the_weights(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["manager"])
    rows = await download_csv(web, "/dashboard/export/pools.csv?days=7&pipeline=hair-de")
    # Weights 4, 4, 3, 3, 2 (of 16); leads 2, 1, 2 of 5.
    assert rows[1:] == [
        ["Hair transplant — German · Anna Schmidt", "2", "0.4", "0.25"],
        ["Hair transplant — German · Elif Kaya", "1", "0.2", "0.25"],
        ["Hair transplant — German · Jonas Weber", "2", "0.4", "0.1875"],
        ["Hair transplant — German · Murat Demir", "0", "0.0", "0.1875"],
        ["Hair transplant — German · Deniz Yılmaz", "0", "0.0", "0.125"],
    ]


async def test_filters_change_the_figures_and_stay_in_the_address(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["manager"])
    assert figure((await web.get("/?days=90")).text, "received") == "7"
    english = (await web.get("/?days=7&team=english")).text
    assert figure(english, "received") == "1"
    assert figure(english, "median") == "30 sec"
    assert "/dashboard/export/country.csv?team=english&amp;days=7" in english
    assert figure((await web.get("/?days=7&pipeline=dental-de")).text, "received") == "0"
    dates = (await web.get("/?from=2026-05-11&to=2026-05-11")).text
    assert figure(dates, "received") == "6"
    assert figure((await web.get("/?from=2026-05-12&to=2026-05-12")).text, "received") == "0"


async def test_an_impossible_filter_names_the_field(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await sign_in(web, EMAILS["manager"])
    bad_date = await web.get("/?from=2026-13-01")
    assert bad_date.status_code == 422
    assert "Check the field “From”" in bad_date.text
    backwards = await web.get("/?from=2026-05-10&to=2026-05-01")
    assert backwards.status_code == 422
    assert "Check the field “To”" in backwards.text
    unknown = await web.get("/?team=nobody")
    assert unknown.status_code == 422
    assert "Check the field “Team”" in unknown.text


async def test_the_team_lead_sees_only_their_teams_figures(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["team_lead"])
    page = (await web.get("/?days=7")).text
    assert figure(page, "received") == "5"
    assert figure(page, "median") == "3 min"
    assert "Sarah Jones" not in page
    assert [row[0] for row in table_rows(page, "speed_teams")] == ["German team"]
    leaders = table_rows(page, "leaderboard")
    assert leaders[0] == ["Anna Schmidt", "2", "2", "1", "1 min 30 sec"]
    assert "Who is on shift and on leave now" in page
    load = table_rows(page, "load")
    assert {row[0] for row in load} >= {"Anna Schmidt", "Jonas Weber"}


async def test_the_team_lead_may_not_filter_on_another_team(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["team_lead"])
    assert (await web.get("/?team=english")).status_code == 403
    assert (await web.get("/?pipeline=hair-en")).status_code == 403
    assert (await web.get("/dashboard/export/country.csv?team=english")).status_code == 403
    assert (await web.get("/dashboard/live?pipeline=hair-en")).status_code == 403
    assert (await web.get("/?team=german")).status_code == 200


async def test_an_agent_has_no_dashboard_exports(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["agent"])
    assert (await web.get("/dashboard/export/country.csv")).status_code == 403
    assert (await web.get("/dashboard/live")).status_code == 403


async def test_exports_hold_the_same_rows_as_the_table(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7")).text
    shown = [row[:2] for row in table_rows(page, "country")]
    assert shown == [["Germany", "5"], ["United Kingdom", "1"]]
    exported = await download_csv(web, "/dashboard/export/country.csv?days=7")
    assert exported[0] == ["Country", "Leads", "Share"]
    assert [row[:2] for row in exported[1:]] == shown
    sheet = await download_xlsx(web, "/dashboard/export/country.xlsx?days=7")
    assert sheet[0] == ["Country", "Leads", "Share"]
    assert [[name, str(leads)] for name, leads, _ in sheet[1:]] == shown
    assert sheet[1][2] == 5 / 6
    campaigns = await download_csv(web, "/dashboard/export/campaign.csv?days=7")
    assert [row[:2] for row in campaigns[1:]] == [["Unknown", "4"], ["spring", "2"]]


async def test_the_queue_shows_waiting_leads_and_their_age(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_lead(store, received_at=clock.now - 30 * MINUTE, owner=None, pipeline="hair-de")
    await add_lead(store, received_at=clock.now - 10 * MINUTE, owner=None, pipeline="hair-de")
    await store.commit()
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7")).text
    assert figure(page, "waiting") == "2"
    assert table_rows(page, "queue")[0][0] == "Hair transplant — German"
    assert table_rows(page, "queue")[0][1] == "2"
    assert table_rows(page, "queue")[0][3] == "30 min"
    rows = await download_csv(web, "/dashboard/export/queue.csv?days=7")
    assert rows[1][1] == "2"
    assert rows[1][3] == "30.0"


async def test_the_live_board_lists_the_newest_leads(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_lead(store, received_at=clock.now - MINUTE, owner="anna.schmidt", name="Newest")
    await store.commit()
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/")).text
    assert 'hx-get="/dashboard/live?days=30"' in page
    board = await web.get("/dashboard/live?days=30", headers={"HX-Request": "true"})
    assert board.text.lstrip().startswith('<section id="live-board"')
    assert "Newest" in board.text


@pytest.mark.parametrize("role", ["manager", "team_lead"])
async def test_each_export_computes_what_its_table_needs(
    web: httpx.AsyncClient, store: Store, clock: Clock, role: str
) -> None:
    """An export computes only its own table's figures: every table still exports the rows
    the page shows (first cells: the names, in the same order)."""
    await add_week(store, clock)
    await add_lead(store, received_at=clock.now - 10 * MINUTE, owner=None, pipeline="hair-de")
    await store.commit()
    await sign_in(web, EMAILS[role])
    page = (await web.get("/?days=7")).text
    keys = re.findall(r'data-table="([a-z_]+)"', page)
    assert {"queue", "speed_agents", "funnel", "breaches"} <= set(keys)
    for key in keys:
        shown = [row[0] for row in table_rows(page, key)]
        exported = await download_csv(web, f"/dashboard/export/{key}.csv?days=7")
        if key.startswith("trend_"):  # days: ISO in the file, the viewer's format on the page
            assert len(exported[1:]) == len(shown) == 8, key
            continue
        assert [row[0] for row in exported[1:]] == shown, key


async def test_a_formula_in_a_campaign_is_exported_as_inert_text(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    """A form post may carry any campaign: opened in a spreadsheet, it must stay text."""
    formula = '=HYPERLINK("http://evil","x")'
    day = clock.now - timedelta(days=1)
    await add_called_lead(
        store, day, owner="anna.schmidt", pipeline="hair-de", called_after=None, campaign=formula
    )
    await store.commit()
    await refresh(store, clock)
    await sign_in(web, EMAILS["manager"])
    rows = await download_csv(web, "/dashboard/export/campaign.csv?days=7")
    assert [row[:2] for row in rows[1:]] == [["'" + formula, "1"]]
    answer = await web.get("/dashboard/export/campaign.xlsx?days=7")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value == "'" + formula
    assert sheet["B2"].value == 1
