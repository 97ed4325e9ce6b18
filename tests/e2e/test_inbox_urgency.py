"""The inbox in a real browser puts a lead past its first-contact deadline first and makes it
stand out, also one the team lead took over after the last automatic SLA step (its missed
deadline stays)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
from playwright.sync_api import expect

from tests.e2e.conftest import Person, Site, Visit
from tests.e2e.test_inbox import campaign_token, post_lead
from tests.e2e.test_web import assert_clean

CAMPAIGN = "urgency-e2e"


def missed(url: str, lead_id: int, *, hours: int) -> None:
    """The lead's deadline passed `hours` ago and the team lead took it over."""
    due = datetime.now(UTC) - timedelta(hours=hours)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "UPDATE leads SET sla_due_at = %s, sla_escalated_at = %s, sla_misses = 3 WHERE id = %s",
            (due, due + timedelta(minutes=1), lead_id),
        )


def test_an_overdue_lead_comes_first_and_stands_out(
    visit: Visit, site: Site, e2e_database: tuple[str, list[Person]]
) -> None:
    token = campaign_token(e2e_database, CAMPAIGN)
    fresh = post_lead(site, token, "Frida", CAMPAIGN)
    taken = post_lead(site, token, "Theo", CAMPAIGN)
    url, _ = e2e_database
    missed(url, taken, hours=400)  # older than any other lead's deadline in this database
    visit.sign_in("agent")
    rows = visit.page.locator("table.inbox tbody tr")
    expect(rows.first).to_have_attribute("id", f"lead-{taken}")
    overdue = visit.page.locator(f"#lead-{taken}")
    expect(overdue).to_have_class("overdue")
    expect(overdue.locator(".sla")).to_have_text("overdue")
    cell = overdue.locator("td").first
    assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(253, 236, 236)"
    clock = overdue.locator(".sla")
    assert clock.evaluate("e => getComputedStyle(e).color") == "rgb(164, 22, 26)"
    expect(visit.page.locator(f"#lead-{fresh}")).not_to_have_class("overdue")
    expect(visit.page.locator(f"#lead-{fresh} .sla")).to_contain_text("left")
    waiting = visit.page.locator("[data-waiting]")
    assert int(waiting.inner_text()) >= 2  # the taken-over lead still waits for its call
    visit.screenshot("inbox-overdue-first")
    assert_clean(visit)
