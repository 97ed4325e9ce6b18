"""The data-quality page in a real browser: a stage gains a requirement, the leads already in
it are listed with the bar charts of the totals; in English and in Turkish (screenshots)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Person, Visit
from tests.e2e.test_web import assert_clean

STAGED = 12


async def _require_travel_month(url: str) -> None:
    """A version, activated a day ago, in which Qualified requires the treatment and the travel
    month, and a dozen open leads in Qualified since two days ago without a travel month."""
    from sqlalchemy import text

    from leadflow.domain.configuration import Configuration
    from leadflow.services.configuration import versions as configuration
    from leadflow.storage.database import Database
    from leadflow.storage.store import open_store

    database = Database(url, pool_size=1)
    try:
        async with open_store(database) as store:
            active = await store.configs.active()
            assert active is not None
            document = configuration.validate(active.document).model_dump(mode="json")
            for pipeline in document["pipelines"]:
                for stage in pipeline["stages"]:
                    qualified = stage["key"] == "qualified"
                    stage["requires"] = ["treatment", "travel_month"] if qualified else []
            month = {"key": "travel_month", "name": "Travel month", "type": "month"}
            others = [f for f in document["fields"] if f["key"] != "travel_month"]
            document["fields"] = [*others, month]
            changed = Configuration.model_validate(document)
            version = await configuration.apply(
                store, changed, actor="e2e", comment="data quality test"
            )
            # The requirement appeared a day ago: the leads' gaps are a day old, not two.
            await store.session.execute(
                text(
                    "UPDATE config_versions SET created_at = now() - interval '1 day'"
                    " WHERE id = :id"
                ),
                {"id": version},
            )
            # Only the staged leads are in Qualified (earlier browser tests may have put one).
            await store.session.execute(
                text("UPDATE leads SET stage_key = 'contacted' WHERE stage_key = 'qualified'")
            )
            await store.session.execute(
                text(
                    "UPDATE leads SET stage_key = 'qualified',"
                    " stage_entered_at = now() - interval '2 days'"
                    " WHERE id IN (SELECT id FROM leads WHERE closed_at IS NULL"
                    " AND pipeline_key IS NOT NULL ORDER BY id LIMIT :n)"
                ),
                {"n": STAGED},
            )
            await store.commit()
    finally:
        await database.dispose()


@pytest.fixture(scope="module")
def requirement(e2e_database: tuple[str, list[Person]]) -> None:
    from leadflow.storage.embedded import sqlalchemy_url

    url, _ = e2e_database
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _require_travel_month(sqlalchemy_url(url))).result()


def test_the_data_quality_page_lists_the_gaps_in_english_and_turkish(
    visit: Visit, requirement: None, tmp_path: Path
) -> None:
    visit.sign_in("manager")
    visit.page.get_by_role("link", name="Data quality").click()
    expect(visit.page.get_by_role("heading", level=1)).to_have_text("Data quality")
    rows = visit.page.locator("table[data-table=leads] tbody tr[data-lead]")
    expect(rows).to_have_count(STAGED)
    expect(rows.first).to_contain_text("Travel month")
    expect(rows.first).to_contain_text("1 day")
    expect(visit.page.locator("[data-chart=chart-data-teams] svg")).to_have_count(1)
    visit.page.screenshot(path=str(tmp_path / "data-quality-en.png"), full_page=True)
    visit.screenshot("data-quality-en")
    assert_clean(visit)
    visit.page.get_by_label("Missing field", exact=True).select_option("travel_month")
    visit.page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(STAGED)
    visit.page.get_by_role("button", name="TR").click()
    try:
        expect(visit.page.get_by_role("heading", level=1)).to_have_text("Veri kalitesi")
        expect(rows.first).to_contain_text("1 gün")
        expect(visit.page.locator("[data-chart=chart-data-agents] svg")).to_have_count(1)
        visit.page.screenshot(path=str(tmp_path / "data-quality-tr.png"), full_page=True)
        visit.screenshot("data-quality-tr")
        assert_clean(visit)
    finally:
        visit.page.get_by_role("button", name="EN").click()
