"""The configuration screens in a real browser: every page renders cleanly, an admin edits a rule
and routes a test lead through it, the shift planner saves a new version."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Visit

CONFIG_PAGES = {
    "config-teams": "/config/teams",
    "config-team": "/config/teams/german",
    "config-pipelines": "/config/pipelines",
    "config-pipeline": "/config/pipelines/hair-de",
    "config-fields": "/config/fields",
    "config-rules": "/config/rules",
    "config-rule": "/config/rules/german-hair",
    "config-shifts": "/config/shifts/german",
    "config-leave": "/config/leave/german",
}
SAVED = re.compile(r"Saved as configuration version \d+\.")


def assert_clean(visit: Visit) -> None:
    assert visit.console_errors == []
    assert visit.external_requests == []
    assert visit.unlabelled_fields() == []


def test_every_configuration_page_renders_cleanly(visit: Visit) -> None:
    visit.sign_in("admin")
    for name, path in CONFIG_PAGES.items():
        answer = visit.go(path)
        assert answer is not None
        assert answer.status == 200, path
        expect(visit.page.get_by_role("heading", level=1)).to_be_visible()
        visit.screenshot(name)
        assert_clean(visit)


def test_admin_edits_a_rule_and_routes_a_test_lead_through_it(visit: Visit) -> None:
    visit.sign_in("admin")
    visit.go("/config/rules/french")
    visit.page.get_by_label("Name", exact=True).fill("French-speaking leads")
    visit.page.get_by_label("Operator of condition 1").select_option("in")
    visit.page.get_by_label("Value of condition 1").fill("fr")
    visit.page.get_by_label("Why this change").fill("French by list")
    visit.page.get_by_role("button", name="Save as a new version").click()
    expect(visit.page.get_by_text(SAVED)).to_be_visible()
    expect(visit.page.get_by_role("link", name="French-speaking leads")).to_be_visible()
    # Saturday 5 December 2026, 12:00 in Paris: of the French pool only Karim Benali works then.
    panel = visit.page.locator("aside.test-lead")
    panel.get_by_label("Country").fill("FR")
    panel.get_by_label("Language").fill("fr")
    panel.get_by_label("Phone").fill("+33 6 12 34 56 78")
    panel.get_by_label("Treatment").select_option("dental")
    panel.get_by_label("Time (yours)").fill("2026-12-05T14:00")
    panel.get_by_role("button", name="Route this lead").click()
    result = visit.page.locator("#test-result")
    expect(result.locator(".decision-agent")).to_contain_text("Karim Benali")
    expect(result).to_contain_text("french")
    expect(result.get_by_text("Claire Martin").first).to_be_visible()  # excluded, with why
    visit.screenshot("config-rules-test-lead")
    assert_clean(visit)


def test_the_shift_planner_saves_a_new_version(visit: Visit) -> None:
    visit.sign_in("team_lead")
    visit.go("/config/shifts/german")
    visit.page.get_by_label("Jonas Weber on Sunday").fill("10:00-13:00, 14:00-16:00")
    visit.page.get_by_role("button", name="Save as a new version").click()
    expect(visit.page.get_by_text(SAVED)).to_be_visible()
    expect(visit.page.get_by_label("Jonas Weber on Sunday")).to_have_value(
        "10:00-13:00, 14:00-16:00"
    )
    visit.screenshot("config-shifts-saved")
    assert_clean(visit)
