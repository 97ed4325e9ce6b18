"""The web interface in a real browser: each role's pages, an edit that makes a new version,
scoping, Turkish, accessibility basics, and no console errors nor outside requests."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit

BOARD = "Pipelines board"
PEOPLE = ["Agents", "Teams", "Shifts", "Leave"]
ROUTING = ["Pipelines", "Rules", "Versions", "Period replay"]
QUALITY = "Data quality"
LEADS = "Leads"
HOMES = {
    "admin": (
        "Overview",
        [
            "Overview",
            LEADS,
            BOARD,
            QUALITY,
            *PEOPLE,
            *ROUTING,
            "Users",
            "API tokens",
            "Channels",
            "Web forms",
        ],
    ),
    "manager": (
        "Dashboard",
        ["Dashboard", LEADS, BOARD, QUALITY, *PEOPLE, *ROUTING],
    ),
    "team_lead": ("My teams", ["My teams", LEADS, BOARD, QUALITY, *PEOPLE, "Pipelines"]),
    "agent": ("My leads", ["My leads", BOARD, QUALITY]),
}

ADMIN_PAGES = {
    "admin-overview": "/",
    "agents": "/config/agents",
    "agent-form": "/config/agents/anna.schmidt",
    "versions": "/config/versions",
    "version-diff": "/config/versions/1",
    "users": "/admin/users",
    "user-new": "/admin/users/new",
    "tokens": "/admin/tokens",
    "channels": "/admin/channels",
    "web-forms": "/admin/forms",
    "account": "/account",
}


def assert_clean(visit: Visit) -> None:
    assert visit.console_errors == []
    assert visit.external_requests == []
    assert visit.unlabelled_fields() == []


def main_nav(visit: Visit) -> list[str]:
    """The bar's links and the links of its menus, in order."""
    links = visit.page.get_by_role("navigation", name="Main").locator("ul.sections a")
    return [text.strip() for text in links.all_text_contents()]


@pytest.mark.parametrize("role", ["admin", "manager", "team_lead", "agent"])
def test_each_role_signs_in_to_their_own_home(visit: Visit, role: str) -> None:
    person = visit.sign_in(role)
    heading, sections = HOMES[role]
    expect(visit.page.get_by_role("heading", level=1)).to_have_text(heading)
    assert main_nav(visit) == sections
    expect(visit.page.locator("summary", has_text=person.name)).to_be_visible()
    visit.screenshot(f"home-{role}")
    assert_clean(visit)


def test_agent_home_lists_only_their_own_leads(visit: Visit) -> None:
    visit.sign_in("agent")
    table = visit.page.locator("table.leads")
    expect(table).to_be_visible()
    assert "Agent" not in table.locator("thead").inner_text()  # no owner column: all are theirs
    rows = table.locator("tbody tr")
    assert rows.count() >= 1
    expect(rows.first).not_to_contain_text("No leads yet.")
    expect(visit.page.locator(".cards .figure").first).not_to_have_text("0")  # open leads


def expect_every_chart_drawn(visit: Visit) -> None:
    """Every chart of the tab shown is drawn (the others are drawn when their tab opens)."""
    placeholders = visit.page.locator(".tab-panel:not([hidden]) [data-chart]")
    expect(placeholders.first).to_be_visible()
    # Both counted in one moment: after an htmx swap the page holds the new figures, whose
    # charts may be fewer than the old ones counted a moment before.
    visit.page.wait_for_function(
        """() => {
            const shown = ".tab-panel:not([hidden]) [data-chart]";
            const charts = document.querySelectorAll(shown).length;
            return charts > 0 && document.querySelectorAll(shown + " svg").length === charts;
        }""",
        timeout=10_000,
    )


def test_manager_dashboard_draws_charts_beside_their_tables(visit: Visit) -> None:
    visit.sign_in("manager")
    expect_every_chart_drawn(visit)
    expect(visit.page.locator("#table-country .chart svg")).to_be_visible()
    expect(visit.page.get_by_role("table", name="Leads by country")).to_be_visible()
    visit.page.get_by_role("tab", name="Speed").click()
    expect(visit.page.get_by_role("table", name="Speed to lead by agent")).to_be_visible()
    visit.page.get_by_role("tab", name="Conversion").click()
    expect(visit.page.get_by_role("table", name="Stage funnel")).to_be_visible()
    visit.page.get_by_role("tab", name="Volume").click()
    visit.page.get_by_label("Period", exact=True).select_option("7")
    expect(visit.page).to_have_url(re.compile(r"days=7"))
    expect_every_chart_drawn(visit)
    visit.page.get_by_label("Team", exact=True).select_option("german")
    expect(visit.page).to_have_url(re.compile(r"team=german"))
    expect(visit.page.locator(".period-range")).to_be_visible()
    expect_every_chart_drawn(visit)
    visit.screenshot("home-manager-german-7-days")
    export = visit.page.locator("#table-country a", has_text="CSV").get_attribute("href")
    assert export is not None
    assert "team=german" in export
    answer = visit.page.request.get(visit.site.base_url + export)
    assert answer.ok
    assert answer.text().splitlines()[0].lstrip("\ufeff") == "Country,Leads,Share"
    visit.page.get_by_role("tab", name="Queue").click()
    expect(visit.page.locator("#live-board table.leads")).to_be_visible()
    assert_clean(visit)


def test_team_lead_dashboard_shows_their_teams_people_and_leaderboard(visit: Visit) -> None:
    visit.sign_in("team_lead")
    expect(visit.page.get_by_role("heading", level=1)).to_have_text("My teams")
    visit.page.get_by_role("tab", name="People").click()
    for table in (
        "Who is on shift and on leave now",
        "Members' load against caps",
        "Leaderboard",
    ):
        expect(visit.page.get_by_role("table", name=table)).to_be_visible()
    expect_every_chart_drawn(visit)
    visit.page.get_by_role("tab", name="Speed").click()
    expect(visit.page.get_by_role("table", name="SLA breaches")).to_be_visible()
    teams = visit.page.get_by_label("Team", exact=True).locator("option").all_inner_texts()
    # gaye.sahin leads the German, Russian and French teams (organisation.yaml and her account)
    assert teams[0] == "All my teams"
    assert sorted(teams[1:]) == ["French team", "German team", "Russian team"]
    expect_every_chart_drawn(visit)
    visit.screenshot("home-team-lead-dashboard")
    assert_clean(visit)
    response = visit.go("/?team=english")
    assert response is not None
    assert response.status == 403


def test_every_admin_page_renders_cleanly(visit: Visit) -> None:
    visit.sign_in("admin")
    for name, path in ADMIN_PAGES.items():
        response = visit.go(path)
        assert response is not None
        assert response.status == 200, path
        expect(visit.page.get_by_role("heading", level=1)).to_be_visible()
        visit.screenshot(name)
        assert_clean(visit)


def test_admin_changes_caps_and_a_new_version_appears(visit: Visit) -> None:
    visit.sign_in("admin")
    visit.go("/config/agents/jonas.weber")
    visit.page.get_by_label("Per day").fill("23")
    visit.page.get_by_label("Why this change").fill("more leads for Jonas")
    visit.page.get_by_role("button", name="Save as a new version").click()
    saved = visit.page.get_by_role("status").filter(has_text="Saved as configuration version")
    expect(saved).to_be_visible()
    version = re.search(r"version (\d+)", saved.inner_text())
    assert version is not None
    expect(visit.page.get_by_label("Per day")).to_have_value("23")

    visit.go("/config/versions")
    newest = visit.page.locator("tbody tr").first
    expect(newest).to_contain_text(version.group(1))
    expect(newest).to_contain_text("live")
    expect(newest).to_contain_text("more leads for Jonas")
    visit.screenshot("versions-after-edit")
    newest.get_by_role("link", name="Changes").click()
    expect(visit.page.locator("pre.diff .add").filter(has_text="day: 23")).to_have_count(1)
    visit.screenshot("version-diff-after-edit")
    assert_clean(visit)


def test_team_lead_cannot_open_another_teams_agent(visit: Visit) -> None:
    visit.sign_in("team_lead")
    visit.go("/config/agents")
    teams = visit.page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert teams
    assert set(teams) == {"German team", "Russian team", "French team"}
    response = visit.go("/config/agents/sarah.jones")  # English team: asli.demir's
    assert response is not None
    assert response.status == 403
    expect(visit.page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    visit.screenshot("forbidden-team-lead")


def test_turkish_interface_renders(visit: Visit) -> None:
    visit.sign_in("manager")
    visit.page.get_by_role("button", name="TR").click()
    try:
        expect(visit.page.locator("html")).to_have_attribute("lang", "tr")
        expect(visit.page.get_by_role("heading", level=1)).to_have_text("Gösterge paneli")
        by_country = visit.page.get_by_role("heading", name="Ülkeye göre müşteri adayları")
        expect(by_country).to_be_visible()
        visit.page.locator("details.account-menu summary").click()
        expect(visit.page.get_by_role("button", name="Oturumu kapat")).to_be_visible()
        expect_every_chart_drawn(visit)
        visit.screenshot("home-manager-tr")
        visit.go("/config/agents")
        expect(visit.page.get_by_role("heading", level=1)).to_have_text("Temsilciler")
        visit.screenshot("agents-tr")
        assert_clean(visit)
    finally:
        visit.page.get_by_role("button", name="EN").click()
    expect(visit.page.locator("html")).to_have_attribute("lang", "en")


def test_failed_sign_in_does_not_say_which_part_was_wrong(visit: Visit) -> None:
    messages = []
    for email, password in (
        ("nobody@anatolia.example", "whatever-password"),
        (visit.site.people["agent"].email, "wrong-password"),
    ):
        visit.go("/signin")
        visit.page.get_by_label("E-mail address").fill(email)
        visit.page.get_by_label("Password").fill(password)
        visit.page.get_by_role("button", name="Sign in").click()
        messages.append(visit.page.get_by_role("alert").inner_text())
    assert messages[0] == messages[1]
    assert "not correct" in messages[0]
    visit.screenshot("signin-failed")


def test_keyboard_reaches_the_skip_link_first_and_signs_out(visit: Visit) -> None:
    visit.sign_in("agent")
    visit.page.keyboard.press("Tab")
    focused = visit.page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    visit.page.locator("details.account-menu summary").focus()
    visit.page.keyboard.press("Enter")  # opens the account's menu
    visit.page.get_by_role("button", name="Sign out").focus()
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url(re.compile(r"/signin$"))
    visit.go("/")
    expect(visit.page).to_have_url(re.compile(r"/signin\?next=/$"))


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("admin", ["/", "/config/agents", "/config/rules", "/config/versions", "/admin/users"]),
        ("manager", ["/"]),
        ("team_lead", ["/", "/config/shifts/german", "/config/leave/german"]),
        ("agent", ["/"]),
    ],
)
def test_text_has_sufficient_contrast(visit: Visit, role: str, paths: list[str]) -> None:
    visit.sign_in(role)
    for path in paths:
        visit.go(path)
        assert visit.low_contrast_text() == [], path
