"""The lead page's WhatsApp panel in a real browser: the conversation, a reply inside the 24-hour
window, a message arriving live while the page is open, and the panel in English and Turkish;
outside the window, the template offered with the reason, and a template's variables filled in
with its preview."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Person, Site, Visit
from tests.e2e.test_inbox import campaign_token, post_lead
from tests.e2e.test_web import assert_clean

CAMPAIGN = "whatsapp-e2e"


@pytest.fixture(scope="module")
def api_token(e2e_database: tuple[str, list[Person]]) -> str:
    return campaign_token(e2e_database, CAMPAIGN)


@pytest.fixture
def english_afterwards(visit: Visit) -> Iterator[None]:
    """The agent's account is shared by the browser tests: it speaks English again after."""
    yield
    english = visit.page.locator("form.language-switch button[value=en]")
    if english.count():
        english.click()


async def _wrote(url: str, lead_id: int, text: str, ago: timedelta, *, live: bool) -> None:
    """The person's WhatsApp message on the lead (and, `live`, the owner's live event), as
    processing writes them; the connector is created the first time."""
    from leadflow.services.channels.pipeline.secrets import Vault
    from leadflow.services.channels.setup import connectors
    from leadflow.storage.database import Database
    from leadflow.storage.store import open_store

    database = Database(url, pool_size=1)
    try:
        async with open_store(database) as store:
            if await store.channels.connector("e2e-wa") is None:
                await connectors.create(
                    store, Vault("e2e"), key="e2e-wa", kind="whatsapp", name="WhatsApp",
                    secrets={"access_token": "t" * 16},
                    settings={"phone_number_id": "1065", "template_name": "follow_up",
                              "template_language": "tr"},
                )  # fmt: skip
            lead = await store.leads.get(lead_id)
            assert lead is not None
            lead.whatsapp_id = "905321234567"
            activity = await store.leads.add_activity({
                "lead_id": lead_id, "kind": "message", "channel": "whatsapp",
                "direction": "inbound", "occurred_at": datetime.now(UTC) - ago,
                "agent_key": lead.owner_agent_key, "actor_kind": "integration",
                "actor": "whatsapp:e2e-wa",
                "detail": {"text": text, "wamid": f"wamid.{lead_id}.{len(text)}",
                           "status": "received"},
            })  # fmt: skip
            if live:
                await store.outbox.add(
                    topic="message.received", channel="sse", recipient=lead.owner_agent_key,
                    payload={"lead_id": lead_id, "activity_id": activity.id, "message": text},
                    idempotency_key=f"message.received:{activity.id}",
                )  # fmt: skip
            await store.commit()
    finally:
        await database.dispose()


async def _approved(url: str) -> None:
    """The connector's templates: `follow_up` (no variables, offered first) and a reminder
    with two."""
    from leadflow.services.channels.pipeline.secrets import Vault
    from leadflow.services.channels.setup import connectors
    from leadflow.storage.database import Database
    from leadflow.storage.store import open_store

    database = Database(url, pool_size=1)
    try:
        async with open_store(database) as store:
            view = await connectors.get(store, "e2e-wa")
            assert view is not None
            approved = [
                {"name": "follow_up", "language": "tr", "body": ""},
                {"name": "randevu_hatirlatma", "language": "tr", "body": REMINDER},
            ]
            settings = {**view.settings, "templates": approved}
            await connectors.update(store, Vault("e2e"), "e2e-wa", settings=settings)
            await store.commit()
    finally:
        await database.dispose()


REMINDER = "Merhaba {{1}}, randevunuz {{2}} tarihinde."


def approved(e2e_database: tuple[str, list[Person]]) -> None:
    from leadflow.storage.embedded import sqlalchemy_url

    url = sqlalchemy_url(e2e_database[0])
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _approved(url)).result()


def wrote(
    e2e_database: tuple[str, list[Person]], lead_id: int, text: str, ago: timedelta, live: bool
) -> None:
    from leadflow.storage.embedded import sqlalchemy_url

    url = sqlalchemy_url(e2e_database[0])
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _wrote(url, lead_id, text, ago, live=live)).result()


def test_an_agent_replies_on_whatsapp_and_sees_the_next_message_arrive(
    visit: Visit, site: Site, api_token: str, e2e_database: tuple[str, list[Person]],
    english_afterwards: None,
) -> None:  # fmt: skip
    lead_id = post_lead(site, api_token, "Deniz", CAMPAIGN)
    wrote(e2e_database, lead_id, "Merhaba, saç ekimi fiyatı nedir?", timedelta(hours=2), False)
    visit.sign_in("agent")
    visit.go(f"/inbox/leads/{lead_id}")

    panel = visit.page.locator("#whatsapp")
    expect(panel).to_contain_text("Merhaba, saç ekimi fiyatı nedir?")
    expect(panel).to_contain_text("The 24-hour window is open until")
    panel.get_by_label("Reply").fill("Merhaba Deniz! Size yarın 10:00'da ulaşabilir miyiz?")
    panel.get_by_role("button", name="Send on WhatsApp").click()
    expect(visit.page.get_by_text("WhatsApp message queued for sending.")).to_be_visible()
    panel = visit.page.locator("#whatsapp")
    expect(panel.locator("li.whatsapp-outbound")).to_contain_text("waiting to be sent")

    expect(panel).to_have_attribute("data-whatsapp-live", "connected")
    wrote(e2e_database, lead_id, "Evet, uygun.", timedelta(0), True)
    expect(visit.page.locator("#whatsapp li.whatsapp-inbound").last).to_contain_text("Evet, uygun.")
    visit.page.locator("#whatsapp").scroll_into_view_if_needed()
    visit.screenshot("whatsapp-panel-en")
    assert_clean(visit)

    visit.page.locator("form.language-switch button[value=tr]").click()
    expect(visit.page.locator("#whatsapp")).to_contain_text("WhatsApp ile gönder")
    visit.screenshot("whatsapp-panel-tr")


def test_outside_the_window_the_panel_offers_the_template_and_says_why(
    visit: Visit, site: Site, api_token: str, e2e_database: tuple[str, list[Person]],
    english_afterwards: None,
) -> None:  # fmt: skip
    lead_id = post_lead(site, api_token, "Elif", CAMPAIGN)
    wrote(e2e_database, lead_id, "Bilgi alabilir miyim?", timedelta(hours=30), False)
    visit.sign_in("agent")
    visit.go(f"/inbox/leads/{lead_id}")

    panel = visit.page.locator("#whatsapp")
    expect(panel).to_contain_text("The 24-hour window closed at")
    expect(panel).to_contain_text("Template: “follow_up” (tr)")
    expect(panel.get_by_label("Reply")).to_have_count(0)
    visit.screenshot("whatsapp-panel-template-en")
    visit.page.locator("form.language-switch button[value=tr]").click()
    expect(visit.page.locator("#whatsapp")).to_contain_text("Şablonu gönder")
    visit.screenshot("whatsapp-panel-template-tr")
    visit.page.get_by_role("button", name="Şablonu gönder").click()
    expect(visit.page.locator("#whatsapp li.whatsapp-outbound")).to_contain_text("follow_up")


def test_a_lead_whose_person_writes_comes_to_the_top_of_the_inbox_live(
    visit: Visit, site: Site, api_token: str, e2e_database: tuple[str, list[Person]]
) -> None:
    older = post_lead(site, api_token, "Hakan", CAMPAIGN)
    post_lead(site, api_token, "Irmak", CAMPAIGN)
    visit.sign_in("agent")
    expect(visit.page.locator("[data-live-status]")).to_have_text(
        "New leads appear here as they arrive."
    )
    rows = visit.page.locator("table.inbox tbody tr")
    expect(rows.first).not_to_have_id(f"lead-{older}")

    wrote(e2e_database, older, "Merhaba, hâlâ ilgileniyorum.", timedelta(0), True)

    expect(rows.first).to_have_id(f"lead-{older}")
    expect(rows.first).to_have_class(re.compile(r"\barrived\b"))
    assert_clean(visit)


def test_a_templates_variables_are_filled_in_with_a_live_preview_and_sent(
    visit: Visit, site: Site, api_token: str, e2e_database: tuple[str, list[Person]]
) -> None:
    lead_id = post_lead(site, api_token, "Selin", CAMPAIGN)
    wrote(e2e_database, lead_id, "Randevu almak istiyorum.", timedelta(hours=30), False)
    approved(e2e_database)
    visit.sign_in("agent")
    visit.go(f"/inbox/leads/{lead_id}")

    panel = visit.page.locator("#whatsapp")
    panel.get_by_label("Approved template").select_option("randevu_hatirlatma:tr")
    reminder = panel.locator('fieldset[data-template="randevu_hatirlatma:tr"]')
    expect(reminder).to_be_visible()
    expect(panel.locator('fieldset[data-template="follow_up:tr"]')).to_be_hidden()
    expect(reminder.get_by_label("Variable {{1}}")).to_have_value("Selin")
    preview = reminder.locator(".whatsapp-preview")
    expect(preview).to_have_text("Merhaba Selin, randevunuz {{2}} tarihinde.")
    reminder.get_by_label("Variable {{2}}").fill("12 Aralık 14:00")
    expect(preview).to_have_text("Merhaba Selin, randevunuz 12 Aralık 14:00 tarihinde.")
    visit.screenshot("whatsapp-template-variables-en")
    panel.get_by_role("button", name="Send the template").click()

    expect(visit.page.get_by_text("WhatsApp message queued for sending.")).to_be_visible()
    expect(visit.page.locator("#whatsapp li.whatsapp-outbound").last).to_contain_text(
        "Merhaba Selin, randevunuz 12 Aralık 14:00 tarihinde."
    )
    assert_clean(visit)
