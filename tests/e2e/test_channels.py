"""Admin → Channels in a real browser: connect a Google Ads lead form as an admin would, its
secret masked from then on, map a question, send a test event and read its routing decision."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Visit
from tests.e2e.test_web import assert_clean

SECRET = "e2e-google-key-QRST"


def test_an_admin_connects_google_ads_and_sends_a_test_event(visit: Visit) -> None:
    visit.sign_in("admin")
    visit.go("/admin/channels")
    visit.page.get_by_label("Add a connector").select_option("google_ads")
    visit.page.get_by_role("button", name="Add", exact=True).click()

    visit.page.get_by_label("Key (in the webhook address)").fill("e2e-google")
    visit.page.get_by_label("Name", exact=True).fill("Google Ads — e2e")
    visit.page.get_by_label("google_key").fill(SECRET)
    visit.page.get_by_label("Question").first.fill("QUESTION_1")
    visit.page.get_by_label("Lead field").first.fill("custom.procedure")
    visit.page.get_by_role("button", name="Add connector").click()

    expect(visit.page.locator("#webhook-url")).to_have_text("/hooks/google-ads/e2e-google")
    expect(visit.page.locator('[data-secret="google_key"]')).to_contain_text("…QRST")
    assert SECRET not in visit.page.content()
    expect(visit.page.get_by_label("Lead field").first).to_have_value("custom.procedure")

    visit.page.get_by_role("button", name="Send a test event").click()
    result = visit.page.locator("#test-result")
    expect(result).to_contain_text("routed to nobody")
    expect(result.locator(".test-decision")).to_be_visible()
    expect(visit.page.locator("#events tbody tr").first).to_contain_text("Processed")
    visit.screenshot("channel-test-event")
    assert_clean(visit)

    visit.go("/admin/channels")
    expect(visit.page.locator('[data-connector="e2e-google"] [data-state]')).to_have_text("Working")
