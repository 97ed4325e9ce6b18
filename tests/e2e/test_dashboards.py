"""The reworked dashboards in Chromium: tabs, drill-down from a row and from a bar, exports,
and the API's documentation pages drawn with no request leaving the site."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.e2e.conftest import Visit


def test_tabs_show_one_section_at_a_time_and_keep_it_in_the_address(visit: Visit) -> None:
    visit.sign_in("manager")
    volume = visit.page.locator("#tab-volume")
    speed = visit.page.locator("#tab-speed")
    expect(volume).to_be_visible()
    expect(speed).to_be_hidden()
    expect(visit.page.locator("#table-trend_leads .chart svg")).to_be_visible()
    visit.page.get_by_role("tab", name="Speed").click()
    expect(speed).to_be_visible()
    expect(volume).to_be_hidden()
    expect(visit.page).to_have_url(re.compile(r"#tab-speed$"))
    expect(visit.page.locator("#table-trend_speed h3")).to_be_visible()
    expect(visit.page.get_by_role("tab", name="Speed")).to_have_attribute("aria-selected", "true")
    visit.page.reload()
    expect(speed).to_be_visible()
    assert visit.console_errors == []
    assert visit.external_requests == []


def test_a_row_links_to_the_leads_behind_it(visit: Visit) -> None:
    visit.sign_in("manager")
    visit.go("/?days=7")
    row = visit.page.locator("#table-country tbody th a").first
    country = row.inner_text()
    href = row.get_attribute("href")
    assert href is not None
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == "/leads"
    assert query["country"][0].isalpha()
    assert {"received_from", "received_to"} <= set(query)
    row.click()
    visit.page.wait_for_url(re.compile(r"/leads\?"))
    assert parse_qs(urlsplit(visit.page.url).query)["country"] == query["country"], country


def test_a_bar_opens_the_leads_behind_it(visit: Visit) -> None:
    visit.sign_in("manager")
    visit.go("/?days=7")
    first_link = visit.page.locator("#table-source tbody th a").first.get_attribute("href")
    assert first_link is not None
    bar = visit.page.locator("#table-source .chart svg path[fill='#0b5cad']").first
    bar.click()
    visit.page.wait_for_url(re.compile(r"/leads\?"))
    assert visit.page.url.endswith(first_link)


def test_every_table_exports_what_it_shows(visit: Visit) -> None:
    visit.sign_in("manager")
    visit.go("/?days=7#tab-speed")
    with visit.page.expect_download() as download:
        visit.page.locator("#table-speed_agents a", has_text="CSV").click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Agent,Leads,Contacted,Contact rate,Median speed to lead (minutes)")
    shown = visit.page.locator("[data-table='speed_agents'] tbody tr").count()
    assert len(lines) - 1 == shown


def test_the_api_documentation_draws_without_internet(visit: Visit) -> None:
    visit.go("/docs")
    expect(visit.page.locator(".swagger-ui .info .title")).to_contain_text("Leadflow")
    visit.go("/redoc")
    expect(visit.page.locator("redoc h1, .api-info h1").first).to_contain_text("Leadflow")
    assert visit.external_requests == []
