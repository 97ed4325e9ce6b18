"""The data-quality page: what each role sees, the filters, the exports (the same rows as the
page, formulas made inert) and the API answering the same figures."""

from __future__ import annotations

import re

import httpx
import pytest

from leadflow.services.access import tokens
from leadflow.services.access.scoping import Scope
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.quality_scenario import Gaps, qualified_gaps
from tests.integration.test_ui_dashboards import download_csv, download_xlsx
from tests.integration.ui import EMAILS, application, sign_in


@pytest.fixture
async def gaps(store: Store, clock: Clock, scenario: object) -> Gaps:
    return await qualified_gaps(store, clock)


def listed(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr data-lead="(\d+)"', page)]


def cells(page: str, lead_id: int) -> list[str]:
    row = page.split(f'<tr data-lead="{lead_id}">', 1)[1].split("</tr>", 1)[0]
    found = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in found]


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert found, f"no figure {name}"
    return found.group(1)


async def test_the_page_lists_each_gap_with_field_names_and_age(
    web: httpx.AsyncClient, gaps: Gaps
) -> None:
    await sign_in(web, EMAILS["manager"])
    answer = await web.get("/data-quality")
    assert answer.status_code == 200
    page = answer.text
    assert listed(page) == [gaps.both_missing, gaps.english, gaps.blank_month]
    assert cells(page, gaps.both_missing) == [
        "Lena Test",
        "Hair transplant — German",
        "Qualified",
        "Anna Schmidt",
        "German team",
        "Treatment Travel month",
        "3 days",
    ]
    assert f'href="/inbox/leads/{gaps.both_missing}"' in page
    assert (figure(page, "leads"), figure(page, "fields")) == ("3", "5")
    assert 'data-chart="chart-data-teams"' in page


async def test_each_role_sees_the_gaps_of_the_leads_it_may_see(
    web: httpx.AsyncClient, gaps: Gaps
) -> None:
    await sign_in(web, EMAILS["team_lead"])
    assert listed((await web.get("/data-quality")).text) == [gaps.both_missing, gaps.blank_month]
    await web.post("/signout", data={"csrf_token": "x"})
    async with httpx.AsyncClient(transport=web._transport, base_url=str(web.base_url)) as other:
        other.headers["accept"] = "text/html"
        await sign_in(other, EMAILS["agent"])
        page = (await other.get("/data-quality")).text
        assert listed(page) == [gaps.both_missing]
        assert 'id="team"' not in page  # an agent has no team or agent filters


async def test_filters_narrow_the_list_and_stay_in_the_export_links(
    web: httpx.AsyncClient, gaps: Gaps
) -> None:
    await sign_in(web, EMAILS["admin"])
    page = (await web.get("/data-quality?team=english&field=treatment")).text
    assert listed(page) == [gaps.english]
    assert "/data-quality/export.csv?team=english&amp;field=treatment" in page
    refused = await web.get("/data-quality?stage=nowhere")
    assert refused.status_code == 422
    assert "Check the field “Stage”" in refused.text


async def test_a_team_lead_may_not_filter_on_another_team(
    web: httpx.AsyncClient, gaps: Gaps
) -> None:
    await sign_in(web, EMAILS["team_lead"])
    assert (await web.get("/data-quality?team=english")).status_code == 403
    assert (await web.get("/data-quality/export.csv?team=english")).status_code == 403


async def test_the_exports_hold_the_rows_of_the_page(
    web: httpx.AsyncClient, gaps: Gaps, store: Store
) -> None:
    lead = await store.leads.get(gaps.english, for_update=True)
    assert lead is not None
    lead.first_name = '=HYPERLINK("http://evil.example","x")'
    await store.commit()
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/data-quality")).text
    exported = await download_csv(web, "/data-quality/export.csv")
    sheet = await download_xlsx(web, "/data-quality/export.xlsx")
    assert exported[0][:2] == ["Lead", "Name"]
    assert [int(row[0]) for row in exported[1:]] == listed(page)
    assert [row[0] for row in sheet[1:]] == listed(page)
    assert exported[1][6] == sheet[1][6] == "Treatment; Travel month"
    assert exported[1][8] == "3.0"
    formula = next(row for row in sheet[1:] if row[0] == gaps.english)
    assert formula[1] == '\'=HYPERLINK("http://evil.example","x") Test'


async def test_the_api_answers_the_figures_of_the_page(web: httpx.AsyncClient, gaps: Gaps) -> None:
    await sign_in(web, EMAILS["team_lead"])
    page = (await web.get("/data-quality")).text
    answer = await web.get("/api/v1/data-quality", headers={"accept": "application/json"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [lead["lead_id"] for lead in body["leads"]] == listed(page)
    assert str(body["leads_with_gaps"]) == figure(page, "leads")
    assert str(body["missing_fields"]) == figure(page, "fields")
    assert body["teams"][0] | {"oldest": None} == {
        "team": "german",
        "agent": None,
        "leads": 2,
        "missing_fields": 3,
        "oldest": None,
    }
    assert body["leads"][0]["missing"] == ["treatment", "travel_month"]
    assert body["leads"][0]["age_s"] == 3 * 24 * 3600


async def test_the_api_names_an_unknown_filter(client: httpx.AsyncClient, gaps: Gaps) -> None:
    answer = await client.get("/api/v1/data-quality?field=shoe_size")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "field 'shoe_size' is not in the active configuration"
    malformed = await client.get("/api/v1/data-quality?team=")
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["query", "team"]
    assert (await client.get("/api/v1/data-quality?limit=0")).status_code == 422


async def test_the_page_speaks_turkish(web: httpx.AsyncClient, gaps: Gaps) -> None:
    await sign_in(web, EMAILS["manager"])
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', (await web.get("/account")).text)
    assert csrf
    await web.post(
        "/account/locale", data={"locale": "tr", "csrf_token": csrf.group(1), "next": "/"}
    )
    page = (await web.get("/data-quality")).text
    assert "Veri kalitesi" in page
    assert cells(page, gaps.both_missing)[-1] == "3 gün"


async def test_the_api_needs_the_read_scope(
    store: Store, bound: Database, clock: Clock, gaps: Gaps
) -> None:
    issued = await tokens.issue(store, "intake-only", frozenset({Scope.INTAKE}))
    await store.commit()
    app = application(bound, clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://leadflow.test",
        headers={"Authorization": f"Bearer {issued.secret}"},
    ) as intake:
        answer = await intake.get("/api/v1/data-quality")
    assert answer.status_code == 403
    assert "read" in answer.text
