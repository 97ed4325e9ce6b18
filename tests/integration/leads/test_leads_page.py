"""The leads page: who reaches it, filters from the address (a bad one named, not a 500),
sorting, bulk reassignment and stage moves recorded as single ones would be (refusals named
per lead), saved views per user, and exports with formulas made inert."""

from __future__ import annotations

import re

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text

from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.leads.scenario import Listed, add, add_listed_leads
from tests.integration.test_ui_dashboards import download_csv, download_xlsx
from tests.integration.ui import EMAILS, Scenario, sign_in


@pytest_asyncio.fixture
async def listed(store: Store, clock: Clock, scenario: Scenario) -> Listed:
    return await add_listed_leads(store, clock)


def rows(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr data-lead="(\d+)"', page)]


async def signed_in(web: httpx.AsyncClient, role: str) -> str:
    return await sign_in(web, EMAILS[role])


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("team_lead", 200),
                                              ("admin", 200), ("agent", 403)])  # fmt: skip
async def test_managers_and_team_leads_reach_the_page_agents_do_not(
    web: httpx.AsyncClient, listed: Listed, role: str, status: int
) -> None:
    await signed_in(web, role)
    answer = await web.get("/leads")
    assert answer.status_code == status
    if status == 200:
        assert 'href="/leads"' in answer.text  # in the navigation


async def test_a_team_lead_sees_their_teams_leads_only(
    web: httpx.AsyncClient, listed: Listed
) -> None:
    await signed_in(web, "team_lead")
    page = (await web.get("/leads")).text
    assert rows(page) == [listed["queued"], listed["jonas"], listed["lena"]]


async def test_filters_and_search_come_from_the_address(
    web: httpx.AsyncClient, listed: Listed
) -> None:
    await signed_in(web, "manager")
    assert rows((await web.get("/leads?stage=new&owner=none")).text) == [listed["queued"]]
    assert rows((await web.get("/leads?q=0151+23456789")).text) == [listed["lena"]]
    both = "/leads?status=queued&status=unassigned&team=german"
    assert rows((await web.get(both)).text) == [listed["queued"]]


async def test_an_unknown_filter_is_named_and_every_lead_shown(
    web: httpx.AsyncClient, listed: Listed
) -> None:
    await signed_in(web, "manager")
    answer = await web.get("/leads?stage=nosuch")
    assert answer.status_code == 422
    assert "Check the field “Stage”" in answer.text
    assert len(rows(answer.text)) == 5


async def test_sorting_by_a_column_and_back(web: httpx.AsyncClient, listed: Listed) -> None:
    await signed_in(web, "manager")
    page = (await web.get("/leads?sort=name")).text
    names = ["jonas", "lena", "queued", "omar", "sarah"]
    assert rows(page) == [listed[n] for n in names]
    assert 'href="/leads?sort=name&amp;order=desc"' in page
    page = (await web.get("/leads?sort=name&order=desc")).text
    assert rows(page) == [listed[n] for n in reversed(names)]


async def test_pages_follow_the_cursor(
    web: httpx.AsyncClient, listed: Listed, store: Store, clock: Clock
) -> None:
    for n in range(50):
        await add(store, f"extra{n}", clock.now.replace(hour=1, minute=n), {"source": "website"})
    await store.commit()
    await signed_in(web, "manager")
    first = (await web.get("/leads")).text
    assert len(rows(first)) == 50
    following = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert following
    second = (await web.get(following.group(1).replace("&amp;", "&"))).text
    assert len(rows(second)) == 5
    assert not set(rows(first)) & set(rows(second))


async def bulk(web: httpx.AsyncClient, csrf: str, leads: list[int], **fields: str) -> str:
    form = {"csrf_token": csrf, "query": "sort=name", "lead": [str(i) for i in leads], **fields}
    answer = await web.post("/leads/bulk", data=form)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/leads?sort=name"
    return (await web.get(answer.headers["location"])).text


async def test_bulk_reassignment_records_each_lead_as_a_manual_reassignment(
    web: httpx.AsyncClient, listed: Listed, store: Store
) -> None:
    csrf = await signed_in(web, "manager")
    chosen = [listed["jonas"], listed["queued"], listed["lena"]]
    page = await bulk(web, csrf, chosen, action="reassign", agent="anna.schmidt",
                      reason="covers the week")  # fmt: skip
    assert "Leads reassigned: 2." in page
    assert f"Lead #{listed['lena']}: the agent owns it already" in page
    for lead_id in (listed["jonas"], listed["queued"]):
        found = (
            await store.session.execute(
                text("SELECT kind, agent_key, actor, reason FROM assignments WHERE lead_id = :id"),
                {"id": lead_id},
            )
        ).all()
        assert [tuple(r) for r in found] == [
            ("manual", "anna.schmidt", "director@clinic.example", "covers the week")
        ]
        lead = await store.leads.get(lead_id)
        assert lead is not None
        await store.refresh(lead)
        assert lead.owner_agent_key == "anna.schmidt"


async def test_a_team_lead_cannot_bulk_move_leads_of_another_team(
    web: httpx.AsyncClient, listed: Listed, store: Store
) -> None:
    csrf = await signed_in(web, "team_lead")
    page = await bulk(web, csrf, [listed["jonas"], listed["sarah"]], action="reassign",
                      agent="elif.kaya", reason="balance the load")  # fmt: skip
    assert "Leads reassigned: 1." in page
    assert f"Lead #{listed['sarah']}: not found, or not one of your leads" in page


async def test_bulk_stage_change_records_a_stage_change_per_lead_and_names_refusals(
    web: httpx.AsyncClient, listed: Listed, store: Store
) -> None:
    csrf = await signed_in(web, "manager")
    chosen = [listed["lena"], listed["jonas"], listed["sarah"]]
    page = await bulk(web, csrf, chosen, action="stage", stage="lost")
    assert f"Lead #{listed['lena']}: a lost lead needs a reason: choose one" in page
    page = await bulk(web, csrf, chosen, action="stage", stage="lost", lost_reason="price")
    assert "Leads moved: 3." in page
    moves = (
        await store.session.execute(
            text(
                "SELECT lead_id, from_stage, to_stage, lost_reason, actor FROM activities"
                " WHERE kind = 'stage_change' ORDER BY lead_id"
            )
        )
    ).all()
    assert [tuple(m) for m in moves] == [
        (listed["lena"], "new", "lost", "price", "director@clinic.example"),
        (listed["jonas"], "contacted", "lost", "price", "director@clinic.example"),
        (listed["sarah"], "qualified", "lost", "price", "director@clinic.example"),
    ]


async def test_saved_views_are_each_users_own(web: httpx.AsyncClient, listed: Listed) -> None:
    csrf = await signed_in(web, "manager")
    answer = await web.post(
        "/leads/views",
        data={
            "csrf_token": csrf,
            "name": "German queue",
            "query": "team=german&status=queued&cursor=x",
        },
    )
    assert answer.headers["location"] == "/leads?team=german&status=queued"
    page = (await web.get("/leads")).text
    assert '<a href="/leads?team=german&amp;status=queued"' in page
    assert 'data-view="German queue"' in page
    await web.post("/signout", data={"csrf_token": csrf})
    await signed_in(web, "admin")
    assert 'data-view="German queue"' not in (await web.get("/leads")).text


async def test_exports_hold_the_list_with_formulas_made_inert(
    web: httpx.AsyncClient, listed: Listed, store: Store, clock: Clock
) -> None:
    await add(store, "=HYPERLINK(1)", clock.now, {"source": "website"})
    await store.commit()
    await signed_in(web, "manager")
    table = await download_csv(web, "/leads/export.csv?team=german")
    assert table[0][:3] == ["Lead", "Name", "Phone"]
    assert [int(r[0]) for r in table[1:]] == [listed["queued"], listed["jonas"], listed["lena"]]
    sheet = await download_xlsx(web, "/leads/export.xlsx?q=%3DHYPER")
    assert sheet[1][1] == "'=Hyperlink(1) Test"
