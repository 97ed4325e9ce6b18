"""Turkish all the way down: pages read in Turkish show no English sentence, the engine's
reasons included (the decision trace, exclusions, owner history, the test-lead panel), and
holiday names follow the page's language.

The detector (`english_in`) reads a page's visible text and reports two kinds of English: a
catalog's English source string that has a Turkish translation but appears as it is, and a run
of common English words. `test_the_detector_finds_english_seeded_in_a_turkish_page` shows it
catching one English sentence.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from functools import cache
from importlib import resources

import httpx
import pytest
from babel.messages.pofile import read_po

from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.storage.store import Store
from tests.factories import lead_body
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, Scenario, demo_configuration, sign_in

# Kurban Bayramı 2026, first day (a Wednesday): the Turkish calendar's agents are on holiday.
BAYRAM = datetime(2026, 5, 27, 8, 0, tzinfo=UTC)

COMMON_ENGLISH = frozenset(
    re.findall(
        r"\w+",
        """a about after all an and any are as at away back be because been before but by can
    cannot could day days did do does each eligible every excluded first for from had has have
    he her his how if in into is it its last least lead leads leave left less matched more most
    new next no nobody none not now of off on one only open or other out over owner per pool
    reached repeat round rule same shift she should since so some speak starts such than that
    the their them then there these they this those through to today too under unit until up
    was we weight weighted were what when where which while who why will with without would
    you your""",
    )
)
"""Words of English prose; three in a row are English (Turkish text never has them)."""

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@cache
def translated_english() -> tuple[str, ...]:
    """English text of the catalog's strings whose Turkish differs: each literal piece of at
    least two words and twelve letters (placeholders cut the string into pieces)."""
    source = resources.files("leadflow.locale").joinpath("tr", "LC_MESSAGES", "messages.po")
    with source.open("rb") as po:
        catalog = read_po(po)
    pieces: set[str] = set()
    for message in catalog:
        if not message.id or not message.string or message.string == message.id:
            continue
        for source in (message.id,) if isinstance(message.id, str) else message.id:
            for piece in _PLACEHOLDER.split(source):
                piece = piece.strip(" .,:;()—-")
                if len(piece) >= 12 and " " in piece and piece not in message.string:
                    pieces.add(piece)
    return tuple(sorted(pieces, key=len, reverse=True))


@cache
def organisation_names() -> tuple[str, ...]:
    """What the organisation named itself (in English in the demo): data, not interface."""
    config = demo_configuration()
    names = {config.organisation.name, *(t.name for t in config.teams)}
    names |= {p.name for p in config.pipelines} | {a.name for a in config.agents}
    names |= {s.name for p in config.pipelines for s in p.stages if s.name}
    names |= {f.name for f in config.fields}
    return tuple(sorted((n for n in names if n), key=len, reverse=True))


def visible_text(page: str) -> list[str]:
    """The text a reader sees: script, style and tags removed, one string per element text."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    texts = [html.unescape(t).strip() for t in re.split(r"<[^>]+>", page)]
    return [" ".join(t.split()) for t in texts if t.strip()]


def english_in(page: str) -> list[str]:
    """Every English sentence or catalog string found in the page's visible text."""
    found = []
    for shown in visible_text(page):
        text = shown
        for name in organisation_names():
            text = text.replace(name, "·")
        found.extend(f"catalog: {piece!r} in {text!r}" for piece in translated_english()
                     if piece in text)  # fmt: skip
        words = re.findall(r"[A-Za-z']+", text)
        run = 0
        for word in words:
            run = run + 1 if word.lower() in COMMON_ENGLISH else 0
            if run >= 3:
                found.append(f"prose: {text!r}")
                break
    return found


async def turkish_admin(web: httpx.AsyncClient) -> str:
    token = await sign_in(web, EMAILS["admin"])
    answer = await web.post(
        "/account/locale", data={"locale": "tr", "next": "/", "csrf_token": token}
    )
    assert answer.status_code == 303, answer.text
    return token


async def routed_leads(web: httpx.AsyncClient, store: Store) -> list[int]:
    """Leads through the real intake and engine: German, Turkish and English speakers."""
    issued = await tokens.issue(store, "turkish-pages", ALL_SCOPES)
    await store.commit()
    ids = []
    for index, language in enumerate(("de", "tr", "en")):
        body = lead_body(language=language, email=f"p{index}@example.org", phone=None)
        answer = await web.post(
            "/api/v1/leads",
            json=body,
            headers={"Authorization": f"Bearer {issued.secret}", "accept": "application/json"},
        )
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


@pytest.fixture
def bayram(clock: Clock) -> Clock:
    clock.now = BAYRAM
    return clock


@pytest.mark.usefixtures("bayram")
async def test_the_lead_page_and_its_trace_read_in_turkish_only(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    ids = await routed_leads(web, store)
    await turkish_admin(web)
    for lead_id in ids:
        page = await web.get(f"/inbox/leads/{lead_id}")
        assert page.status_code == 200, page.text
        assert "tatil: Kurban Bayramı" in page.text or "uygun kimse yok" in page.text
        assert english_in(page.text) == [], f"lead {lead_id}"


@pytest.mark.usefixtures("bayram")
async def test_the_test_lead_panel_reads_in_turkish_only(
    web: httpx.AsyncClient, scenario: Scenario
) -> None:
    token = await turkish_admin(web)
    lead = {"country": "DE", "language": "de", "source": "website",
            "treatment": "hair_transplant", "phone": "+49 151 23456789"}  # fmt: skip
    panel = await web.post(
        "/config/rules/test/german-hair",
        data={"csrf_token": token, **{f"lead_{k}": v for k, v in lead.items()}},
    )
    assert panel.status_code == 200, panel.text
    assert "tatil: Kurban Bayramı" in panel.text
    assert english_in(panel.text) == []


@pytest.mark.usefixtures("bayram")
async def test_holiday_names_follow_the_page_language(
    web: httpx.AsyncClient, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    lead = {"country": "DE", "language": "de", "source": "website",
            "treatment": "hair_transplant", "phone": "+49 151 23456789"}  # fmt: skip
    panel = await web.post(
        "/config/rules/test/german-hair",
        data={"csrf_token": token, **{f"lead_{k}": v for k, v in lead.items()}},
    )
    assert "holiday: Eid al-Adha" in panel.text
    assert "Kurban Bayramı" not in panel.text


@pytest.mark.parametrize(
    "path", ["/", "/inbox", "/config/shifts/german", "/config/agents", "/config/rules"]
)
async def test_main_pages_read_in_turkish_only(
    web: httpx.AsyncClient, scenario: Scenario, path: str
) -> None:
    await turkish_admin(web)
    page = await web.get(path)
    assert page.status_code == 200, page.text
    assert english_in(page.text) == []


@pytest.mark.usefixtures("bayram")
async def test_the_detector_finds_english_seeded_in_a_turkish_page(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    [lead_id, *_] = await routed_leads(web, store)
    await turkish_admin(web)
    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert english_in(page) == []
    for seeded in (
        "<dd>nobody eligible in hair-de; the team lead is alerted</dd>",  # an engine reason
        "<p>Why this lead went to this agent</p>",  # a catalog string left untranslated
    ):
        assert english_in(page.replace("</main>", seeded + "</main>")), seeded


@pytest.mark.usefixtures("bayram")
async def test_the_team_leads_rota_gives_weekdays_in_turkish(
    web: httpx.AsyncClient, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    await web.post("/account/locale", data={"locale": "tr", "next": "/", "csrf_token": token})
    page = await web.get("/")
    assert page.status_code == 200, page.text
    assert "Çar 11:00 (Europe/Istanbul)" in page.text  # Wednesday, in Elif Kaya's time zone
    assert "Wed " not in page.text
    assert english_in(page.text) == []
