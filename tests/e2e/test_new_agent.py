"""Adding an agent on the Agents screen in a real browser: the form saves a new configuration
version with the agent in their team and pool, starting on a later day (ramp-up)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Visit
from tests.e2e.test_web import assert_clean

SAVED = re.compile(r"Saved as configuration version \d+\.")


def test_an_admin_adds_an_agent_with_a_start_date_and_a_pool(visit: Visit) -> None:
    visit.sign_in("admin")
    visit.page.locator("header summary", has_text="People").click()
    visit.page.get_by_role("link", name="Agents", exact=True).click()
    visit.page.get_by_role("button", name="Add an agent").click()
    expect(visit.page.get_by_role("heading", level=1)).to_have_text("New agent")
    visit.page.wait_for_load_state()  # the date picker is in place
    visit.screenshot("config-agent-new")
    assert_clean(visit)
    page = visit.page
    page.get_by_label("Name", exact=True).fill("Lena Vogel")
    page.get_by_label("Key", exact=True).fill("lena.vogel")
    page.get_by_label("E-mail address (optional)").fill("lena.vogel@clinic.example")
    page.get_by_label("Team", exact=True).select_option("german")
    # A start far ahead: the agent gets no leads in the rest of the browser tests.
    page.get_by_label("Start date (optional)").fill("2030-01-04")
    page.get_by_label("Hair transplant — German", exact=True).check()
    page.get_by_label("Weight in Hair transplant — German").fill("2")
    page.get_by_label("Languages").fill("de, en")
    page.get_by_label("Why this change").fill("new hire")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text(SAVED)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lena Vogel")
    visit.go("/config/pipelines/hair-de")
    expect(page.locator("main")).to_contain_text("Lena Vogel")
    assert_clean(visit)


def test_a_new_agent_with_a_bad_key_is_shown_the_problem_beside_the_field(visit: Visit) -> None:
    visit.sign_in("admin")
    visit.go("/config/agents/new")
    page = visit.page
    page.get_by_label("Name", exact=True).fill("Somebody")
    page.get_by_label("Key", exact=True).fill("Some Body")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator("#key-problem")).to_contain_text("Use lower-case letters")
    expect(page.get_by_label("Key", exact=True)).to_have_attribute("aria-invalid", "true")
