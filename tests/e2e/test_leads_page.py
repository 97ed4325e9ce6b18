"""The leads page in a real browser: filter, sort by a column, tick leads and move them to a
stage, save the view and open it again, export; in English and Turkish at 1440 and 1024 px
(screenshots)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import Visit
from tests.e2e.test_web import assert_clean

ROWS = "table[data-table=leads] tbody tr[data-lead]"


def lead_ids(visit: Visit) -> list[int]:
    return [
        int(i) for i in visit.page.locator(ROWS).evaluate_all("rs => rs.map(r => r.dataset.lead)")
    ]


def test_a_manager_filters_sorts_moves_saves_a_view_and_exports(visit: Visit) -> None:
    visit.sign_in("manager")
    visit.page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    expect(visit.page.get_by_role("heading", level=1)).to_have_text("Leads")
    rows = visit.page.locator(ROWS)
    expect(rows).to_have_count(50)
    assert_clean(visit)
    # filter: the German team's leads of the hair-transplant pipeline
    visit.page.get_by_label("Team", exact=True).select_option("german")
    visit.page.get_by_label("Pipeline", exact=True).select_option("hair-de")
    visit.page.get_by_role("button", name="Show").click()
    expect(visit.page).to_have_url(re.compile(r"team=german&pipeline=hair-de"))
    expect(rows.first).to_contain_text("Hair")
    count = rows.count()
    assert 0 < count <= 50
    # sort by name, A to Z, then back
    visit.page.locator("th a[data-sort=name]").click()
    expect(visit.page.locator("th[aria-sort=ascending] a[data-sort=name]")).to_have_count(1)
    names = rows.locator("td:nth-child(2)").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    # tick the first two and move them to Contacted
    chosen = lead_ids(visit)[:2]
    for lead_id in chosen:
        visit.page.locator(f"tr[data-lead='{lead_id}'] input[name=lead]").check()
    visit.page.get_by_label("Stage", exact=True).last.select_option("contacted")
    visit.page.get_by_role("button", name="Move", exact=True).click()
    expect(visit.page.locator(".flash").first).to_contain_text("Leads moved: 2.")
    for lead_id in chosen:
        expect(visit.page.locator(f"tr[data-lead='{lead_id}']")).to_contain_text("Contacted")
    # save the view, open it from the list
    visit.page.get_by_placeholder("Name of the view").fill("German hair")
    visit.page.get_by_role("button", name="Save this view").click()
    expect(visit.page.locator(".flash").first).to_contain_text("View “German hair” saved.")
    visit.go("/leads")
    expect(rows).to_have_count(50)
    visit.page.get_by_role("link", name="German hair").click()
    expect(visit.page).to_have_url(re.compile(r"team=german&pipeline=hair-de&sort=name"))
    expect(rows).to_have_count(count)
    # export what is listed
    with visit.page.expect_download() as download:
        visit.page.get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text)))
    assert exported[0][:2] == ["Lead", "Name"]
    assert [int(r[0]) for r in exported[1:]][:count] == lead_ids(visit)


def test_the_leads_page_in_english_and_turkish_at_two_widths(visit: Visit) -> None:
    visit.sign_in("manager")
    for width in (1440, 1024):
        visit.page.set_viewport_size({"width": width, "height": 900})
        visit.go("/leads?status=assigned&status=queued")
        expect(visit.page.locator(ROWS)).to_have_count(50)
        overflow = visit.page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than the window at {width} px"
        visit.screenshot(f"leads-en-{width}")
        visit.page.get_by_role("button", name="TR", exact=True).click()
        try:
            expect(visit.page.get_by_role("heading", level=1)).to_have_text("Müşteri adayları")
            visit.screenshot(f"leads-tr-{width}")
            assert_clean(visit)
        finally:
            visit.page.get_by_role("button", name="EN", exact=True).click()
