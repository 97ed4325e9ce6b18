"""Web forms in a real browser: an admin creates a form for a landing page, the page (served
on another origin, the allowed one) posts the copied embed snippet, the lead arrives; a bot
filling the honeypot is answered alike and counted on the admin screen (English, Turkish)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Person, Visit, _free_port
from tests.e2e.test_config_screens import assert_clean


class LandingPage:
    """A clinic's landing page on its own origin, showing the snippet it was given."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.snippet = ""

    def serve(self) -> ThreadingHTTPServer:
        landing = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (
                    "<!doctype html><html lang='de'><head><meta charset='utf-8'>"
                    "<title>Haartransplantation in Istanbul</title></head><body>"
                    f"<h1>Beratung anfragen</h1>{landing.snippet}</body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                return

        return ThreadingHTTPServer(("127.0.0.1", self.port), Handler)


@pytest.fixture
def landing() -> Iterator[LandingPage]:
    page = LandingPage()
    server = page.serve()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield page
    server.shutdown()
    server.server_close()


@pytest.fixture
def admin_in_english_afterwards(visit: Visit) -> Iterator[None]:
    yield
    english = visit.page.locator("form.language-switch button[value=en]")
    if english.count():
        english.click()


def _leads_of_form(url: str, key: str) -> list[tuple[str | None, str | None]]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT first_name, phone_e164 FROM leads WHERE external_id LIKE %s",
            (f"{key}:%",),
        ).fetchall()
    return [(row[0], row[1]) for row in rows]


def test_a_landing_page_posts_the_embed_snippet_and_spam_is_counted(
    visit: Visit,
    browser: Browser,
    landing: LandingPage,
    e2e_database: tuple[str, list[Person]],
    admin_in_english_afterwards: None,
) -> None:
    page = visit.page
    visit.sign_in("admin")
    visit.go("/admin/forms")
    expect(page.get_by_role("heading", name="Web forms", level=1)).to_be_visible()
    page.get_by_label("Key").fill("haar-landing")
    page.get_by_label("Name").fill("Haartransplantation — Landingpage")
    page.get_by_label("Allowed origins").fill(landing.origin)
    page.get_by_label("Field mapping").fill("vorname = first_name\ntelefon = phone")
    page.get_by_role("button", name="Create form").click()
    expect(page.get_by_text("The form Haartransplantation — Landingpage is ready")).to_be_visible()
    landing.snippet = page.locator("#snippet").input_value()
    assert f'action="{visit.site.base_url}/api/v1/forms/haar-landing"' in landing.snippet

    clinic = browser.new_context(locale="de-DE")
    try:
        person = clinic.new_page()
        person.goto(landing.origin)
        person.get_by_label("First name").fill("Jonas")
        person.get_by_label("Phone").fill("+49 151 23456789")
        person.get_by_role("button", name="Send").click()
        expect(person.locator("body")).to_contain_text('"received":true')
        bot = clinic.new_page()
        bot.goto(landing.origin)
        bot.get_by_label("First name").fill("Cheap Pills")
        bot.locator("input[name=company_website]").fill("http://spam.example", force=True)
        bot.get_by_role("button", name="Send").click()
        expect(bot.locator("body")).to_contain_text('"received":true')
    finally:
        clinic.close()

    url, _ = e2e_database
    assert _leads_of_form(url, "haar-landing") == [("Jonas", "+4915123456789")]
    visit.go("/admin/forms/haar-landing")
    expect(page.locator("#refused-spam")).to_have_text("1")
    expect(page.locator("#refused-origin")).to_have_text("0")
    visit.screenshot("web-form-en")
    assert_clean(visit)
    visit.go("/admin/forms")
    visit.screenshot("web-forms-en")

    page.locator("form.language-switch button[value=tr]").click()
    expect(page.get_by_role("heading", name="Web formları", level=1)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Reddedilen: bal küpü")).to_be_visible()
    visit.screenshot("web-forms-tr")
    visit.go("/admin/forms/haar-landing")
    expect(page.get_by_role("heading", name="Yerleştirme kodu")).to_be_visible()
    visit.screenshot("web-form-tr")
    assert_clean(visit)
