"""What the home pages show, in the user's language, time zone and number format."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, add_lead, sign_in


async def add_mix(store: Store, clock: Clock) -> None:
    """Three German and one British lead this week; one Saudi lead 40 days ago."""
    day = timedelta(days=1)
    for n, (country, source, age) in enumerate(
        [
            ("DE", "google_ads", day),
            ("DE", "google_ads", 2 * day),
            ("DE", "website", 3 * day),
            ("GB", "meta_lead_ads", 4 * day),
            ("SA", "whatsapp", 40 * day),
        ]
    ):
        await add_lead(
            store,
            received_at=clock.now - age,
            owner="anna.schmidt",
            name=f"Mix{n}",
            country=country,
            source=source,
        )
    await store.commit()


def table_rows(page: str, key: str) -> list[tuple[str, str]]:
    """The first two cells (name, leads) of each row of the table `key`, tags stripped."""
    body = page.split(f'data-table="{key}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    cells = [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]
    return [(row[0], row[1]) for row in cells]


async def test_the_manager_sees_leads_by_country_and_source_with_a_chart_for_each(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_mix(store, clock)
    await sign_in(web, EMAILS["manager"])
    page = (await web.get("/?days=7")).text
    assert table_rows(page, "country") == [("Germany", "3"), ("United Kingdom", "1")]
    assert table_rows(page, "source") == [
        ("Google Ads", "2"),
        ("Meta lead ads", "1"),
        ("Website", "1"),
    ]
    assert 'data-chart="chart-data-country"' in page
    assert 'data-chart="chart-data-source"' in page
    assert '"labels": ["Germany", "United Kingdom"]' in page
    assert "/static/vendor/echarts/echarts.min.js" in page
    longer = (await web.get("/?days=90")).text
    assert ("Saudi Arabia", "1") in table_rows(longer, "country")


async def test_htmx_asks_for_the_figures_only(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_mix(store, clock)
    await sign_in(web, EMAILS["manager"])
    fragment = await web.get("/?days=30", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="dashboard"')
    assert "<html" not in fragment.text


async def test_the_turkish_interface_uses_turkish_words_numbers_and_dates(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_mix(store, clock)
    token = await sign_in(web, EMAILS["manager"])
    await web.post("/account/locale", data={"locale": "tr", "next": "/", "csrf_token": token})
    page = (await web.get("/?days=90")).text
    assert '<html lang="tr"' in page
    assert "Gösterge paneli" in page
    assert "Ülkeye göre müşteri adayları" in page
    assert ("Almanya", "3") in table_rows(page, "country")
    assert "Oturumu kapat" in page
    assert "%60" in page  # Turkish puts the percent sign first


async def test_dates_are_shown_in_the_users_time_zone(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await add_lead(store, received_at=clock.now - timedelta(hours=1), owner="anna.schmidt")
    await store.commit()
    token = await sign_in(web, EMAILS["agent"])
    await web.post(
        "/account/preferences",
        data={"locale": "en", "timezone": "Asia/Tokyo", "csrf_token": token},
    )
    page = (await web.get("/")).text
    # 07:00 UTC is 16:00 in Tokyo.
    assert 'datetime="2026-05-12T16:00+09:00"' in page
    assert "4:00" in page


async def test_a_language_switch_returns_to_the_same_page(web: httpx.AsyncClient) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await web.post(
        "/account/locale",
        data={"locale": "tr", "next": "/config/agents?team=german", "csrf_token": token},
    )
    assert answer.headers["location"] == "/config/agents?team=german"
    assert "Temsilciler" in (await web.get(answer.headers["location"])).text


async def test_an_unknown_address_gets_a_page_with_the_navigation(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["team_lead"])
    answer = await web.get("/no/such/page")
    assert answer.status_code == 404
    assert "Page not found" in answer.text
    assert 'href="/config/agents"' in answer.text


async def test_the_api_still_answers_json_for_unknown_addresses(web: httpx.AsyncClient) -> None:
    answer = await web.get("/api/v1/nothing", headers={"accept": "application/json"})
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not Found"}


async def test_pages_forbid_framing_and_outside_scripts(web: httpx.AsyncClient) -> None:
    page = await web.get("/signin")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
