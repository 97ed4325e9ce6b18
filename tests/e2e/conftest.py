"""Browser tests: a real `uvicorn` server on a free port, a fresh migrated database holding the
demo organisation, some routed sample leads and one user per role, driven by Debian's Chromium.

Without /usr/bin/chromium the tests are skipped, except under CI (CI=true), where that is an
error: install it with `apt-get install chromium`. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, Page, Response, Route, sync_playwright

if TYPE_CHECKING:
    from leadflow.domain.submission import LeadSubmission

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
SAMPLE_DAYS = 8
SAMPLE_PER_DAY = 12


@dataclass(frozen=True)
class Person:
    email: str
    password: str
    role: str
    name: str


@dataclass(frozen=True)
class Site:
    base_url: str
    people: dict[str, Person]
    """By role: admin, manager, team_lead, agent."""


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's package with `apt-get install chromium`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {message}", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _database_on(server_url: str, name: str) -> str:
    base, _, query = server_url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")


async def _prepare(url: str) -> list[Person]:
    """The demo organisation, a few days of routed sample leads, and the demo users."""
    from leadflow.identity import InvalidLead
    from leadflow.services import demo
    from leadflow.services.access import users
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.services.intake import ingest as intake
    from leadflow.storage.database import Database
    from leadflow.storage.store import open_store

    database = Database(url, pool_size=2)
    live = LiveOrganisation()
    start = datetime.now(UTC) - timedelta(days=SAMPLE_DAYS)
    try:
        async with open_store(database) as store:
            await demo.ensure_configuration(store)
            people = await users.ensure_demo_users(store)
            await store.commit()
        async with open_store(database) as store:
            for submission in demo.sample_leads(start, SAMPLE_DAYS, SAMPLE_PER_DAY):
                try:
                    async with store.savepoint():
                        received = submission.created_at or start
                        await intake.ingest(
                            store, submission, live=live, threshold=0.6, now=received
                        )
                except InvalidLead:
                    continue  # the sample generator makes an odd invalid number; not our subject
            for submission in _german_weekday_morning_leads():
                await intake.ingest(
                    store, submission, live=live, threshold=0.6, now=submission.created_at
                )
            await store.commit()
    finally:
        await database.dispose()
    return [Person(p.email, p.password, p.role.value, p.name) for p in people]


def _german_weekday_morning_leads() -> list[LeadSubmission]:
    """Hair-transplant leads from Germany last Tuesday morning, when the demo agent (Anna
    Schmidt, Berlin) is on shift: her inbox has leads routed to her, whatever day it is now."""
    from leadflow.domain.submission import LeadSubmission

    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    morning = datetime.combine(tuesday, time(10, 0), ZoneInfo("Europe/Berlin"))
    return [
        LeadSubmission(
            source="website",
            external_id=f"e2e-morning-{n}",
            first_name=name,
            last_name="Morgen",
            email=f"{name.lower()}.morgen{n}@example.org",
            country="DE",
            language="de",
            treatment="hair_transplant",
            created_at=morning + timedelta(minutes=7 * n),
        )
        for n, name in enumerate(("Lena", "Jonas", "Mia", "Lukas", "Hannah", "Felix", "Paul"))
    ]


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = monotonic() + 120  # a shared, loaded machine starts the server slowly
    while monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 120 s")


@pytest.fixture(scope="session")
def e2e_database(server_url: str) -> Iterator[tuple[str, list[Person]]]:
    _require_chromium()
    from leadflow.storage.embedded import sqlalchemy_url
    from leadflow.storage.migrate import upgrade

    name = f"leadflow_e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _database_on(server_url, name)
    upgrade(sqlalchemy_url(url))
    # In a thread of its own: the test session's event loop must stay untouched.
    with ThreadPoolExecutor(1) as pool:
        people = pool.submit(asyncio.run, _prepare(sqlalchemy_url(url))).result()
    yield url, people
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def site(e2e_database: tuple[str, list[Person]]) -> Iterator[Site]:
    url, people = e2e_database
    port = _free_port()
    env = {
        **os.environ,
        "LEADFLOW_DATABASE_URL": url,
        "LEADFLOW_SECRET_KEY": uuid.uuid4().hex,
        "LEADFLOW_RUN_WORKER_IN_PROCESS": "false",
    }
    command = [sys.executable, "-m", "uvicorn", "leadflow.web.main:create", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process)
        yield Site(base_url, {person.role: person for person in people})
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser(site: Site) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """One browser tab on the site; collects console errors and any request leaving the site."""

    page: Page
    site: Site
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def go(self, path: str) -> Response | None:
        return self.page.goto(self.site.base_url + path)

    def sign_in(self, role: str) -> Person:
        person = self.site.people[role]
        self.go("/signin")
        self.page.get_by_label("E-mail address").fill(person.email)
        self.page.get_by_label("Password").fill(person.password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.site.base_url + "/")
        return person

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def unlabelled_fields(self) -> list[str]:
        """Visible form fields that no label names (an accessibility basic)."""
        script = """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden')
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                         && !e.getAttribute('aria-labelledby'))
            .map(e => e.outerHTML.slice(0, 120))"""
        result: list[str] = self.page.evaluate(script)
        return result

    def low_contrast_text(self, minimum: float = 4.5) -> list[str]:
        """Visible text whose colour against its background is below `minimum` (WCAG AA for
        normal text: 4.5:1). The background is the first opaque one among the ancestors."""
        script = """(minimum) => {
          const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => {
            const c = [r, g, b].map(v => { v /= 255;
              return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
            return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
          };
          const background = e => {
            for (let n = e; n; n = n.parentElement) {
              const c = rgb(getComputedStyle(n).backgroundColor);
              if (c.length === 3 || (c.length === 4 && c[3] >= 0.99)) return c.slice(0, 3);
            }
            return [255, 255, 255];
          };
          const found = [];
          for (const e of document.querySelectorAll('body *')) {
            const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
            if (!own || !e.getClientRects().length) continue;
            const style = getComputedStyle(e);
            if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
            const fg = rgb(style.color);
            if (fg.length === 4 && fg[3] < 0.99) continue;  // blended text: not judged here
            const [a, b] = [lum(fg.slice(0, 3)), lum(background(e))];
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            const text = e.textContent.trim().slice(0, 40);
            if (ratio < minimum) found.push(`${ratio.toFixed(2)} ${e.tagName} ${text}`);
          }
          return found;
        }"""
        result: list[str] = self.page.evaluate(script, minimum)
        return result


@pytest.fixture
def visit(browser: Browser, site: Site) -> Iterator[Visit]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    current = Visit(page, site)
    page.on("dialog", lambda dialog: dialog.accept())
    page.on(
        "console",
        lambda message: (
            current.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: current.console_errors.append(str(error)))

    def only_this_site(route: Route) -> None:
        url = route.request.url
        if url.startswith(site.base_url):
            route.continue_()
        else:
            current.external_requests.append(url)
            route.abort()

    page.route("**/*", only_this_site)
    yield current
    context.close()
