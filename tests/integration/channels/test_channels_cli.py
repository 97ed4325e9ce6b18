"""`leadflow channels`: add a connector (secrets shown as hints only), list its health, send a
test event, list events and replay a dead one; wrong input is a clear message and exit 1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner, Result

from leadflow.cli import app
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests.fakes.whatsapp import FakeWhatsApp
from tests.integration.conftest import committing

SECRET = "g00gle-key-abcdef-9876"


@pytest_asyncio.fixture
async def committed(database_url: str) -> AsyncIterator[Database]:
    async with committing(database_url, pool_size=5) as database:
        yield database


@pytest.fixture
def runner(database_url: str) -> CliRunner:
    return CliRunner(env={"LEADFLOW_DATABASE_URL": database_url, "COLUMNS": "220"})


async def invoke(runner: CliRunner, *args: str) -> Result:
    return await asyncio.to_thread(runner.invoke, app, ["channels", *args])


async def add(runner: CliRunner) -> Result:
    return await invoke(
        runner, "add", "clinic-google", "--kind", "google_ads", "--name", "Google hair",
        "--secret", f"google_key={SECRET}", "--map", "QUESTION_1=custom.procedure",
        "--hint", "campaign=spring",
    )  # fmt: skip


async def test_a_connector_is_added_and_shown_with_hints_of_its_secrets(
    committed: Database, runner: CliRunner
) -> None:
    added = await add(runner)
    assert added.exit_code == 0, added.output
    shown = await invoke(runner, "show", "clinic-google")
    assert shown.exit_code == 0, shown.output
    assert "…9876" in shown.output
    assert SECRET not in added.output + shown.output
    assert "/hooks/google-ads/clinic-google" in shown.output
    assert "QUESTION_1 → custom.procedure" in shown.output


async def test_a_test_event_makes_a_test_lead_and_health_counts_it(
    committed: Database, runner: CliRunner
) -> None:
    await add(runner)
    tested = await invoke(runner, "test", "clinic-google")
    assert tested.exit_code == 0, tested.output
    assert "processed" in tested.output
    assert "routed to nobody" in tested.output
    assert "routing would decide: assigned" in tested.output

    health = await invoke(runner, "health")
    assert health.exit_code == 0, health.output
    [row] = [line for line in health.output.splitlines() if "clinic-google" in line]
    assert " ok " in row


async def test_a_dead_event_is_listed_with_its_reason_and_replayed(
    committed: Database, runner: CliRunner
) -> None:
    await add(runner)
    await invoke(runner, "test", "clinic-google")
    async with open_store(committed) as store:
        [event] = await store.channels.events()
        await store.channels.mark_event(event.id, status="dead", last_error="vendor said 190")
        await store.commit()

    listed = await invoke(runner, "events", "--status", "dead")
    assert "vendor said 190" in listed.output
    replayed = await invoke(runner, "replay", str(event.id))
    assert replayed.exit_code == 0, replayed.output
    again = await invoke(runner, "replay", str(event.id))
    assert again.exit_code == 1
    assert "only dead or retrying events are replayed" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "x", "--kind", "fax", "--name", "X"), "kind: one of meta, google_ads"),
        (("add", "Bad Key", "--kind", "meta", "--name", "X"), "key: lower-case letters"),
        (("add", "x", "--kind", "meta", "--name", "X", "--map", "Q=nope"), "unknown lead field"),
        (("add", "x", "--kind", "meta", "--name", "X", "--secret", "oops"), "NAME=VALUE"),
        (("show", "nobody"), "no connector 'nobody'"),
        (("events", "--status", "lost"), "status: one of"),
        (("replay", "999999"), "no inbound event 999999"),
        (("test", "nobody"), "no connector 'nobody'"),
    ],
)
async def test_wrong_input_is_a_clear_message_and_a_failure(
    committed: Database, runner: CliRunner, args: tuple[str, ...], message: str
) -> None:
    result = await invoke(runner, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output


async def test_a_whatsapp_connectors_templates_are_pulled_and_a_missing_waba_id_named(
    committed: Database, runner: CliRunner, httpserver: HTTPServer
) -> None:
    fake = FakeWhatsApp(httpserver)
    fake.manager = [
        {"name": "appointment_reminder", "language": "de", "status": "APPROVED",
         "components": [{"type": "BODY", "text": "Hallo {{1}}, am {{2}}."}]},
        {"name": "offer_draft", "language": "de", "status": "REJECTED",
         "components": [{"type": "BODY", "text": "Angebot"}]},
    ]  # fmt: skip
    settings = {"phone_number_id": fake.phone_number_id, "api_base": fake.api_base}
    added = await invoke(
        runner, "add", "clinic-wa", "--kind", "whatsapp", "--name", "WhatsApp",
        "--secret", f"access_token={fake.token}", "--settings", json.dumps(settings),
    )  # fmt: skip
    assert added.exit_code == 0, added.output

    missing = await invoke(runner, "templates", "clinic-wa")
    assert missing.exit_code == 1
    assert "waba_id" in missing.output
    async with open_store(committed) as store:
        row = await store.channels.connector("clinic-wa")
        assert row is not None
        await store.channels.update_connector(
            "clinic-wa", settings={**row.settings, "waba_id": fake.waba_id}
        )
        await store.commit()
    pulled = await invoke(runner, "templates", "clinic-wa")

    assert pulled.exit_code == 0, pulled.output
    assert "appointment_reminder (de): 2 parameters" in pulled.output
    assert "left out: offer_draft (de): rejected, not approved" in pulled.output
