"""The reworked dashboards: headline figures against the previous period, trends per day that
add up to the period's figures (from the rollup and counted live alike), top rows with "Other"
and the full table, drill-down addresses, dates typed in the locale's order, and the API's
documentation served without internet."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx

from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.test_ui_dashboards import (
    MINUTE,
    add_called_lead,
    add_week,
    figure,
    refresh,
    table_rows,
)
from tests.integration.ui import EMAILS, add_lead, sign_in


def change(page: str, name: str) -> str:
    found = re.search(rf'data-change="{name}">([^<]*)<', page)
    assert found, f"no change for {name}"
    return found.group(1)


def links(page: str, key: str) -> list[str]:
    body = page.split(f'data-table="{key}"', 1)[1].split("</table>")[0]
    return [a.replace("&amp;", "&") for a in re.findall(r'href="([^"]+)" data-drill', body)]


async def test_the_trend_adds_up_to_the_periods_figures(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7")).text
    rows = table_rows(page, "trend_leads")
    assert len(rows) == 8  # a partial day at each end of the 7 × 24 hours
    assert sum(int(row[1]) for row in rows) == int(figure(page, "received")) == 6
    assert sum(int(row[2]) for row in rows) == 5  # contacted
    yesterday = table_rows(page, "trend_speed")[-2]
    assert yesterday[1:] == ["2 min", "7 min 36 sec"]  # the day's median and p90: the period's


async def test_the_trend_is_the_same_from_the_rollup_and_counted_live(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["manager"])
    rolled = (await web.get("/?days=7")).text
    assert "from the daily summary" in rolled
    later = clock.now - timedelta(days=2)
    await add_called_lead(
        store, later, owner="anna.schmidt", pipeline="hair-de", called_after=3 * MINUTE
    )
    await store.commit()
    live = (await web.get("/?days=7")).text  # that day is stale in the rollup until a refresh
    await refresh(store, clock)
    refreshed = (await web.get("/?days=7")).text
    for key in ("trend_leads", "trend_speed", "trend_contact", "trend_conversion"):
        assert table_rows(refreshed, key) != table_rows(rolled, key) or key == "trend_conversion"
    assert sum(int(r[1]) for r in table_rows(refreshed, "trend_leads")) == 7
    assert int(figure(refreshed, "received")) == 7
    assert table_rows(live, "trend_leads") == table_rows(rolled, "trend_leads")


async def test_headline_figures_show_the_change_against_the_previous_period(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)  # six leads this week, one 40 days ago
    for days in (8, 9, 10):  # three in the week before, none contacted
        await add_lead(store, received_at=clock.now - timedelta(days=days), owner="anna.schmidt")
    await store.commit()
    await refresh(store, clock)
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7")).text
    assert figure(page, "received") == "6"
    assert change(page, "received") == "+100% against 3 in the previous period"
    assert change(page, "contact-rate") == "+83.3 pts against 0% in the previous period"
    assert 'class="change change-good" data-change="received"' in page


async def test_the_waiting_figure_is_the_apis_queue(
    web: httpx.AsyncClient, client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    for minutes in (30, 10):
        await add_lead(
            store, received_at=clock.now - minutes * MINUTE, owner=None, pipeline="hair-de"
        )
    await store.commit()
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7")).text
    api = (await client.get("/api/v1/queue")).json()
    assert figure(page, "waiting") == str(len(api)) == "2"
    assert "/leads?status=queued&amp;status=unassigned&amp;status=unrouted" in page


async def test_rows_and_bars_link_to_the_leads_behind_them(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_week(store, clock)
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7&team=german")).text
    germany = links(page, "country")[0]
    assert urlsplit(germany).path == "/leads"
    query = parse_qs(urlsplit(germany).query)
    assert query["country"] == ["DE"]
    assert query["team"] == ["german"]
    start, end = query["received_from"][0], query["received_to"][0]
    assert start.startswith((clock.now - timedelta(days=7)).date().isoformat())
    assert end.startswith(clock.now.date().isoformat())
    assert parse_qs(urlsplit(links(page, "speed_agents")[0]).query)["owner"] == ["anna.schmidt"]
    stages = [parse_qs(urlsplit(a).query)["stage"][0] for a in links(page, "funnel")]
    assert stages[:2] == ["new", "contacted"]
    chart = page.split('id="chart-data-country"', 1)
    assert len(chart) == 1  # one country in the team's leads: no one-bar chart
    days = links(page, "trend_leads")
    assert len(days) == 8
    assert all("received_from" in a for a in days)


async def test_a_long_table_shows_its_top_rows_and_other_and_links_to_all(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    for i in range(14):
        await add_called_lead(
            store,
            clock.now - timedelta(hours=i + 1),
            owner="anna.schmidt",
            pipeline="hair-de",
            called_after=MINUTE,
            campaign=f"campaign-{i:02d}",
        )
    await store.commit()
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7")).text
    rows = table_rows(page, "campaign")
    assert len(rows) == 11
    assert rows[-1][:2] == ["Other", "4"]
    assert 'href="/dashboard/table/campaign?days=7"' in page
    full = (await web.get("/dashboard/table/campaign?days=7")).text
    assert len(table_rows(full, "campaign")) == 14
    exported = (await web.get("/dashboard/export/campaign.csv?days=7")).text
    assert exported.count("campaign-") == 14


async def test_durations_and_dates_read_in_turkish(
    web: httpx.AsyncClient, store: Store, clock: Clock, scenario: object
) -> None:
    await add_week(store, clock)
    user = await store.users.by_email(EMAILS["manager"])
    assert user is not None
    await store.users.update(user.id, locale="tr")
    await store.commit()
    await sign_in(web, EMAILS["manager"])
    day = clock.now.date() - timedelta(days=3)
    typed = f"{day.day:02d}.{day.month:02d}.{day.year}"
    page = await web.get(f"/?from={typed}&to={typed}")
    assert page.status_code == 200
    assert f'value="{typed}"' in page.text
    assert 'placeholder="GG.AA.YYYY"' in page.text
    week = (await web.get("/?days=7")).text
    assert figure(week, "p90") == "7 dk. 36 sn."
    assert "Hacim" in week
    assert "Dönüşüm" in week


async def test_a_date_in_the_wrong_order_names_the_field(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await sign_in(web, EMAILS["manager"])
    page = await web.get("/?from=31/12/2026")
    assert page.status_code == 422
    assert "From" in page.text
    assert "order the field shows" in page.text


async def test_the_api_documentation_needs_no_internet(web: httpx.AsyncClient) -> None:
    for address in ("/docs", "/redoc"):
        page = (await web.get(address)).text
        assert "https://" not in page.replace("https://github.com", "")
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
            assert (await web.get(asset)).status_code == 200, asset
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in (await web.get("/docs")).text
    assert "/static/vendor/redoc/redoc.standalone.js" in (await web.get("/redoc")).text
