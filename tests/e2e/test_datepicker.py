"""Dates and times picked in the reader's language, not the browser's: a Turkish agent (in an
English browser) sees Turkish month and day names and a 24-hour clock, and the task they add
through the picker is due at the moment they picked."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, Person, Visit
from tests.e2e.test_tasks import _every_task, _overdue_callback_for_anna, _run
from tests.e2e.test_web import assert_clean

THIS_MONTH = ".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)"
TURKISH_SHORT = ["Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara"]
TURKISH_MONTHS = ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos"]


async def _due_of(url: str, title: str) -> datetime:
    return next(task.due_at for task in await _every_task(url) if task.title == title)


def _fifteenth_of_next_month() -> date:
    today = datetime.now(UTC).date()  # the browser's today: headless Chromium runs in UTC here
    return (today.replace(day=1) + timedelta(days=32)).replace(day=15)


def test_a_turkish_agent_picks_a_day_and_an_hour_in_turkish(
    visit: Visit, e2e_database: tuple[str, list[Person]]
) -> None:
    from leadflow.storage.embedded import sqlalchemy_url

    url = sqlalchemy_url(e2e_database[0])
    _, lead_id = _run(_overdue_callback_for_anna(url, "İlk arama"))
    visit.sign_in("agent")
    visit.page.get_by_role("button", name="TR", exact=True).click()
    try:
        expect(visit.page.locator("html")).to_have_attribute("lang", "tr")
        visit.go(f"/inbox/leads/{lead_id}")
        panel = visit.page.locator("#lead-tasks")
        title = f"Uçuşu sor {lead_id}"
        panel.locator("#task-title").fill(title)

        panel.get_by_label("Gün", exact=True).click()
        calendar = visit.page.locator(".flatpickr-calendar.open")
        expect(calendar).to_be_visible()
        months = calendar.locator(".flatpickr-monthDropdown-months option").all_inner_texts()
        assert months[: len(TURKISH_MONTHS)] == TURKISH_MONTHS
        weekdays = [day.strip() for day in calendar.locator(".flatpickr-weekday").all_inner_texts()]
        assert weekdays[:3] == ["Pzt", "Sal", "Çar"]  # the week starts on Monday
        calendar.locator(".flatpickr-next-month").click()
        day = _fifteenth_of_next_month()
        calendar.locator(
            ".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text="15"
        ).click()
        shown = panel.get_by_label("Gün", exact=True)
        expect(shown).to_have_value(f"15 {TURKISH_SHORT[day.month - 1]} {day.year}")
        expect(panel.locator("#task-day-value")).to_have_value(day.isoformat())

        panel.get_by_label("Saat", exact=True).click()
        clock = visit.page.locator(".flatpickr-calendar.open")
        expect(clock.locator(".flatpickr-hour")).to_be_visible()
        expect(clock.locator(".flatpickr-am-pm")).to_have_count(0)  # 24-hour clock
        clock.locator(".flatpickr-hour").fill("14")
        clock.locator(".flatpickr-minute").fill("30")
        clock.locator(".flatpickr-minute").press("Enter")
        expect(panel.get_by_label("Saat", exact=True)).to_have_value("14:30")
        expect(panel.locator("#task-at-value")).to_have_value("14:30")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(SCREENSHOTS / "datepicker-tr.png"))

        patient_time = panel.locator("#task-patient-time")
        expect(patient_time).to_be_checked()  # the patient's zone: Europe/Berlin
        panel.get_by_role("button", name="Görevi ekle").click()
        expect(panel).to_contain_text(title)
        assert_clean(visit)
    finally:  # the language is the account's: give it back for the other tests
        visit.page.get_by_role("button", name="EN", exact=True).click()
    due = _run(_due_of(url, title))
    berlin = datetime(day.year, day.month, day.day, 14, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert due == berlin


def test_an_english_reader_may_still_type_iso_dates(visit: Visit) -> None:
    visit.sign_in("manager")
    visit.go("/leads")
    visit.page.get_by_label("Received from").fill("2026-01-05")
    visit.page.get_by_role("button", name="Show").click()
    expect(visit.page).to_have_url(re.compile(r"received_from=2026-01-05"))
    expect(visit.page.get_by_label("Received from")).to_have_value("Jan 5, 2026")
    assert_clean(visit)


def test_a_date_typed_in_the_locales_order_is_picked_in_words_and_sent_in_that_order(
    visit: Visit,
) -> None:
    visit.sign_in("manager")
    visit.page.get_by_role("button", name="TR", exact=True).click()
    try:
        expect(visit.page.locator("html")).to_have_attribute("lang", "tr")
        sent = visit.page.locator("#from-value")  # the picker is in place
        expect(sent).to_have_attribute("type", "hidden")
        start = visit.page.get_by_label("Başlangıç", exact=True)
        start.click()
        calendar = visit.page.locator(".flatpickr-calendar.open")
        months = calendar.locator(".flatpickr-monthDropdown-months option").all_inner_texts()
        assert months[: len(TURKISH_MONTHS)] == TURKISH_MONTHS
        calendar.locator(THIS_MONTH, has_text="15").click()
        today = datetime.now(UTC).date()
        expect(start).to_have_value(f"15 {TURKISH_SHORT[today.month - 1]} {today.year}")
        expect(sent).to_have_value(f"15.{today.month:02d}.{today.year}")  # as the server reads
        assert_clean(visit)
    finally:
        visit.page.get_by_role("button", name="EN", exact=True).click()
