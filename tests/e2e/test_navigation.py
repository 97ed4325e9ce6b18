"""The main navigation in a real browser: one line at 1024 and 1440 px for every role in English
and Turkish, its menus opened by mouse, by keyboard, and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import SCREENSHOTS, Site, Visit

MENUS = {
    "admin": {
        "People": ["Agents", "Teams", "Shifts", "Leave"],
        "Routing": ["Pipelines", "Rules", "Versions", "Period replay"],
        "Administration": ["Users", "API tokens", "Channels", "Web forms"],
    },
    "manager": {
        "People": ["Agents", "Teams", "Shifts", "Leave"],
        "Routing": ["Pipelines", "Rules", "Versions", "Period replay"],
    },
    "team_lead": {"People": ["Agents", "Teams", "Shifts", "Leave"]},
    "agent": {},
}
TURKISH = {"People": "Kişiler", "Routing": "Yönlendirme", "Administration": "Yönetim"}

ROWS = """() => {
    const boxes = [...document.querySelectorAll('header nav > ul > li')]
        .map(item => item.getBoundingClientRect());
    if (boxes.some(box => box.right > window.innerWidth)) return -1;
    const firstBottom = Math.min(...boxes.map(box => box.bottom));
    return boxes.some(box => box.top >= firstBottom) ? 2 : 1;
}"""
"""1 when the bar's items share one line (a wrapped item starts below the bottom of the others),
2 when they wrap, -1 when one of them is cut off at the window's right edge."""


def menus_of(visit: Visit) -> dict[str, list[str]]:
    found = {}
    for menu in visit.page.locator("header ul.sections details.nav-menu").all():
        label = menu.locator("summary").inner_text().strip()
        found[label] = [text.strip() for text in menu.locator("a").all_text_contents()]
    return found


def shoot(visit: Visit, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = visit.page.viewport_size["width"] if visit.page.viewport_size else 1280
    visit.page.screenshot(
        path=str(SCREENSHOTS / f"{name}.png"), clip={"x": 0, "y": 0, "width": width, "height": 420}
    )


@pytest.mark.parametrize("width", [1024, 1440])
@pytest.mark.parametrize("role", ["admin", "manager", "team_lead", "agent"])
def test_the_navigation_keeps_to_one_line_in_english_and_turkish(
    visit: Visit, role: str, width: int
) -> None:
    visit.page.set_viewport_size({"width": width, "height": 900})
    visit.sign_in(role)
    assert menus_of(visit) == MENUS[role]
    first = next(iter(MENUS[role]), None)
    if first:
        visit.page.locator("summary", has_text=first).click()
    shoot(visit, f"nav-{role}-en-{width}")
    assert visit.page.evaluate(ROWS) == 1
    visit.page.get_by_role("button", name="TR", exact=True).click()
    try:
        expect(visit.page.locator("html")).to_have_attribute("lang", "tr")
        for label in MENUS[role]:
            expect(visit.page.locator("summary", has_text=TURKISH[label])).to_be_visible()
        if first:
            visit.page.locator("summary", has_text=TURKISH[first]).click()
        shoot(visit, f"nav-{role}-tr-{width}")
        assert visit.page.evaluate(ROWS) == 1
    finally:  # the language is the account's: give it back for the other tests
        visit.page.get_by_role("button", name="EN", exact=True).click()


def test_a_menu_opens_and_leads_on_by_keyboard_alone(visit: Visit) -> None:
    visit.sign_in("admin")
    routing = visit.page.locator("summary", has_text="Routing")
    routing.focus()
    visit.page.keyboard.press("Enter")
    expect(visit.page.get_by_role("link", name="Rules", exact=True)).to_be_visible()
    visit.page.keyboard.press("Escape")
    expect(visit.page.get_by_role("link", name="Rules", exact=True)).to_be_hidden()
    assert visit.page.evaluate("document.activeElement.textContent.trim()") == "Routing"
    visit.page.keyboard.press("Enter")
    visit.page.keyboard.press("Tab")
    visit.page.keyboard.press("Tab")
    assert visit.page.evaluate("document.activeElement.textContent.trim()") == "Rules"
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url(visit.site.base_url + "/config/rules")
    expect(visit.page.locator("details.nav-menu.current summary")).to_have_text("Routing")
    # One menu open at a time; a click elsewhere closes it.
    visit.page.locator("summary", has_text="People").click()
    visit.page.locator("summary", has_text="Administration").click()
    assert visit.page.locator("details.nav-menu[open] summary").all_inner_texts() == [
        "Administration"
    ]
    visit.page.get_by_role("heading", level=1).click()
    expect(visit.page.locator("details.nav-menu[open]")).to_have_count(0)
    assert visit.console_errors == []


def test_the_menus_work_without_javascript(browser: Browser, site: Site) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1024, "height": 800}
    )
    try:
        page = context.new_page()
        visit = Visit(page, site)
        visit.sign_in("admin")
        page.locator("summary", has_text="Administration").click()
        page.get_by_role("link", name="API tokens", exact=True).click()
        page.wait_for_url(site.base_url + "/admin/tokens")
        expect(page.locator("details.nav-menu.current summary")).to_have_text("Administration")
    finally:
        context.close()
