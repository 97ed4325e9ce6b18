"""`leadflow channels backfill`: a Meta form's leads for a period pulled from the Graph API page
by page, each through the webhook's idempotent path: a lead received before is not made twice,
and running the command again changes nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from typer.testing import CliRunner, Result

from leadflow.cli import app
from leadflow.connectors.inbound import Receipt
from leadflow.services.channels.pipeline import inbound
from leadflow.services.channels.setup import connectors
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests.fakes.graph import FakeGraph
from tests.integration.conftest import committing
from tests.integration.meta.conftest import APP_SECRET, PAGE_TOKEN, run_job, vault

ISTANBUL = ZoneInfo("Europe/Istanbul")  # the test organisation's time zone
MAY_1 = datetime(2026, 5, 1, tzinfo=ISTANBUL)


@pytest_asyncio.fixture
async def committed(database_url: str) -> AsyncIterator[Database]:
    async with committing(database_url, pool_size=5) as database:
        yield database


@pytest.fixture
def runner(database_url: str) -> CliRunner:
    return CliRunner(env={"LEADFLOW_DATABASE_URL": database_url, "COLUMNS": "220"})


async def invoke(runner: CliRunner, *args: str) -> Result:
    return await asyncio.to_thread(runner.invoke, app, ["channels", *args])


@pytest.fixture
def form(graph: FakeGraph) -> FakeGraph:
    """Form 700: 230 leads on 1 and 2 May (Istanbul), 10 just before, 10 just after."""

    def add(n: int, created: datetime) -> None:
        graph.add_lead(f"{70000 + n}", form_id="700", created=created, answers={
            "full_name": f"Person {n}", "email": f"person{n}@example.de",
        })  # fmt: skip

    for n in range(10):
        add(n, MAY_1 - timedelta(minutes=10 - n))
    for n in range(10, 240):
        add(n, MAY_1 + timedelta(minutes=12 * (n - 10)))
    for n in range(240, 250):
        add(n, MAY_1 + timedelta(days=2, minutes=n - 240))
    graph.add_lead("80000", form_id="701", created=MAY_1 + timedelta(hours=1), answers={})
    return graph


async def _connector(database: Database, graph: FakeGraph) -> None:
    async with open_store(database) as store:
        await connectors.create(
            store, vault(), key="clinic-meta", kind="meta", name="Clinic page",
            secrets={"app_secret": APP_SECRET, "page_token": PAGE_TOKEN},
            settings={"api_base": graph.api_base},
        )  # fmt: skip
        await store.commit()


async def _delivered_by_webhook(database: Database, leadgen_id: str) -> None:
    """A lead Meta's webhook delivered (and the job processed) before the backfill."""
    async with open_store(database) as store:
        channel = await connectors.channel(store, vault(), "clinic-meta")
        assert channel is not None
        receipt = Receipt(leadgen_id, "lead", {"leadgen_id": leadgen_id, "form_id": "700"})
        await inbound.receive(store, channel, [receipt], datetime.now(UTC))
        await store.commit()
    assert (await run_job(database, datetime.now(UTC), LiveOrganisation())).processed == 1


async def _leads(database: Database) -> list[str]:
    async with open_store(database) as store:
        ids = [f"{70000 + n}" for n in range(250)] + ["80000"]
        found = [await store.leads.by_external_id("meta_lead_ads", i) for i in ids]
        return [lead.external_id for lead in found if lead is not None and lead.external_id]


async def test_backfill_pulls_the_period_page_by_page_and_makes_each_lead_once(
    committed: Database, runner: CliRunner, form: FakeGraph
) -> None:
    await _connector(committed, form)
    await _delivered_by_webhook(committed, "70100")
    args = (
        "backfill",
        "clinic-meta",
        "--form",
        "700",
        "--from",
        "2026-05-01",
        "--to",
        "2026-05-02",
    )
    result = await invoke(runner, *args)
    assert result.exit_code == 0, result.output
    assert "230 leads from 2026-05-01 to 2026-05-02; 1 received before, 229 new" in result.output
    assert sorted(await _leads(committed)) == [f"{70000 + n}" for n in range(10, 240)]
    pages = [query for path, query in form.requests if path.endswith("/700/leads")]
    assert [page.get("after") for page in pages] == [None, "100", "200"]
    assert json.loads(pages[0]["filtering"])[0]["operator"] == "GREATER_THAN"

    again = await invoke(runner, *args)
    assert again.exit_code == 0, again.output
    assert "230 received before, 0 new" in again.output
    assert len(await _leads(committed)) == 230


async def test_backfill_of_a_connector_that_is_not_metas_is_refused(
    committed: Database, runner: CliRunner
) -> None:
    async with open_store(committed) as store:
        await connectors.create(store, vault(), key="clinic-google", kind="google_ads", name="G")
        await store.commit()
    result = await invoke(
        runner, "backfill", "clinic-google", "--form", "1", "--from", "2026-05-01", "--to",
        "2026-05-01",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "google_ads connector" in result.output


async def test_a_period_that_ends_before_it_starts_is_refused(runner: CliRunner) -> None:
    result = await invoke(
        runner, "backfill", "x", "--form", "1", "--from", "2026-05-02", "--to", "2026-05-01"
    )
    assert result.exit_code == 1
    assert "--to: must not be before --from" in result.output
