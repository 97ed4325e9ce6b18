"""Import of the real X Education data set (9,240 leads) through the CSV import."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlalchemy import text

from leadflow.services.intake.imports import import_csv
from leadflow.storage.database import Database
from tests.conftest import DATA
from tests.integration.conftest import committing

LEADS = DATA / "xeducation-leads" / "Leads.csv"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not LEADS.exists(), reason=f"{LEADS} is absent (../shared/data)"),
]


@pytest_asyncio.fixture
async def empty(database_url: str) -> AsyncIterator[Database]:
    async with committing(database_url, pool_size=2) as database:
        yield database


def first_rejected_converted() -> int:
    with LEADS.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return sum(r["Converted"] == "1" for r in rows if r["Country"] == "Asia/Pacific Region")


async def test_all_xeducation_leads_import_once(empty: Database) -> None:
    now = datetime(2026, 5, 12, tzinfo=UTC)
    first = await import_csv(empty, LEADS, mapping="xeducation", threshold=0.6, now=now)
    assert (first.rows, first.imported, first.rejected, first.duplicates) == (9240, 9238, 2, 0)
    assert first.reasons == {"country: unknown country code 'Asia/Pacific Region'": 2}
    assert first.repeats == 0  # every prospect id is a different person
    again = await import_csv(empty, LEADS, mapping="xeducation", threshold=0.6, now=now)
    assert (again.imported, again.duplicates, again.rejected) == (0, 9238, 2)
    async with empty.engine.connect() as connection:
        by_country = dict(
            (
                await connection.execute(
                    text("SELECT country, count(*) FROM leads GROUP BY country")
                )
            ).all()
        )
        converted = (
            await connection.execute(
                text("SELECT count(*) FROM leads WHERE custom->>'converted' = '1'")
            )
        ).scalar_one()
    assert by_country["IN"] == 6492  # "India" read as ISO code
    assert converted == 3561 - first_rejected_converted()
