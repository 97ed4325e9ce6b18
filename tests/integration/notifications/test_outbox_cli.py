"""`leadflow outbox list` shows dead messages with their error; `retry ID` makes one due."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner, Result

from leadflow.cli import app
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests.integration.notifications.conftest import add_message, message


@pytest.fixture
def runner(database_url: str) -> CliRunner:
    return CliRunner(env={"LEADFLOW_DATABASE_URL": database_url, "COLUMNS": "200"})


async def invoke(runner: CliRunner, *args: str) -> Result:
    """The command runs its own event loop, so off this test's loop."""
    return await asyncio.to_thread(runner.invoke, app, ["outbox", *args])


async def kill(database: Database, message_id: int) -> None:
    async with open_store(database) as store:
        await store.outbox.mark(message_id, status="dead", attempts=8, last_error="HTTP 410")
        await store.commit()


async def test_dead_messages_are_listed_and_retried(committed: Database, runner: CliRunner) -> None:
    message_id = await add_message(committed, key="lead.unassigned:1")
    await kill(committed, message_id)

    listed = await invoke(runner, "list", "--status", "dead")
    assert listed.exit_code == 0, listed.output
    assert "lead.unassigned" in listed.output
    assert "HTTP 410" in listed.output

    retried = await invoke(runner, "retry", str(message_id))
    assert retried.exit_code == 0, retried.output
    again = await message(committed, message_id)
    assert (again.status, again.attempts) == ("pending", 0)


async def test_retrying_a_message_that_is_not_dead_says_so(
    committed: Database, runner: CliRunner
) -> None:
    message_id = await add_message(committed, key="lead.unassigned:1")
    result = await invoke(runner, "retry", str(message_id))
    assert result.exit_code == 1
    assert "only dead ones are retried" in result.output
