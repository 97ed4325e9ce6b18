"""The CLI's answers to wrong or empty input: the exit code and message a user expects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from sqlalchemy import text
from typer.testing import CliRunner, Result

from leadflow.cli import app
from leadflow.services.access import users
from leadflow.services.access.scoping import Role
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from tests import factories
from tests.integration.conftest import committing


@pytest_asyncio.fixture
async def committed(database_url: str) -> AsyncIterator[Database]:
    async with committing(database_url, pool_size=3) as database:
        yield database


@pytest.fixture
def runner(database_url: str) -> CliRunner:
    return CliRunner(env={"LEADFLOW_DATABASE_URL": database_url, "COLUMNS": "200"})


async def invoke(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return await asyncio.to_thread(runner.invoke, app, list(args), input=stdin)


async def first_lead(store: Store) -> int:
    found = await store.session.execute(text("SELECT min(id) FROM leads"))
    return int(found.scalar_one())


def led_configuration(path: Path) -> Path:
    config = factories.organisation()
    team = config.teams[0].model_copy(update={"leads": ["gaye@x.org", "asli@x.org"]})
    english = team.model_copy(update={"key": "english", "name": "English", "leads": ["gaye@x.org"]})
    document = config.model_copy(update={"teams": [team, english]}).model_dump(
        mode="json", exclude_defaults=True
    )
    path.write_text(yaml.safe_dump(document))
    return path


async def test_config_apply_warns_of_each_team_lead_account_and_an_unchanged_file_makes_no_version(
    committed: Database, runner: CliRunner, tmp_path: Path
) -> None:
    async with open_store(committed) as store:
        gaye = users.NewUser("gaye@x.org", "Gaye", Role.TEAM_LEAD, "a-long-password-1",
                             team_keys=("german",))  # fmt: skip
        await users.create_user(store, gaye, actor="test")
        await store.commit()
    file = led_configuration(tmp_path / "org.yaml")
    applied = await invoke(runner, "config", "apply", str(file))
    assert applied.exit_code == 0, applied.output
    assert "team lead asli@x.org of german has no account" in applied.output
    assert "the account of team lead gaye@x.org does not cover english" in applied.output
    assert "is active" in applied.output
    again = await invoke(runner, "config", "apply", str(file))
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output
    assert "no new version made" in again.output


async def test_an_import_whose_every_row_is_rejected_fails(
    committed: Database, runner: CliRunner, tmp_path: Path
) -> None:
    file = tmp_path / "leads.csv"
    file.write_text("first_name,country\nLena,DE\nOmar,AE\n")  # no source, phone or e-mail
    result = await invoke(runner, "import", "leads", str(file))
    assert result.exit_code == 1, result.output
    assert "every one of the 2 rows was rejected" in result.output


async def test_a_user_linked_to_an_unknown_agent_or_team_is_refused(
    committed: Database, runner: CliRunner
) -> None:
    agent = await invoke(runner, "user", "create", "x@x.org", "--role", "agent", "--agent",
                         "nosuch", "--password-stdin", stdin="a-long-password-1\n")  # fmt: skip
    assert agent.exit_code == 1, agent.output
    assert "--agent: no agent 'nosuch' in the active configuration" in agent.output
    lead = await invoke(runner, "user", "create", "y@x.org", "--role", "team_lead", "--team",
                        "nosuch", "--password-stdin", stdin="a-long-password-1\n")  # fmt: skip
    assert lead.exit_code == 1, lead.output
    assert "--team: no team 'nosuch'" in lead.output
    async with open_store(committed) as store:
        assert await store.users.by_email("x@x.org") is None


async def test_unknown_teams_and_agents_and_an_empty_replay_fail(
    committed: Database, runner: CliRunner
) -> None:
    roster = await invoke(runner, "roster", "--team", "nosuch")
    assert roster.exit_code == 1, roster.output
    assert "no team 'nosuch'; the teams are german" in roster.output
    replay = await invoke(runner, "replay", "--from", "2026-01-01", "--to", "2026-01-02")
    assert replay.exit_code == 1, replay.output
    assert "no leads were received from 2026-01-01 to 2026-01-02" in replay.output
    wrong = await invoke(runner, "replay", "--from", "yesterday", "--to", "2026-01-02")
    assert wrong.exit_code == 2, wrong.output
    assert "--from" in wrong.output
    assert "'yesterday' is not a date" in wrong.output


async def test_why_not_an_unknown_agent_fails(
    committed: Database, runner: CliRunner, tmp_path: Path
) -> None:
    file = tmp_path / "one.csv"
    file.write_text("source,first_name,email,country\nwebsite,Lena,lena@example.org,DE\n")
    assert (await invoke(runner, "import", "leads", str(file))).exit_code == 0
    async with open_store(committed) as store:
        lead_id = await first_lead(store)
    known = await invoke(runner, "explain", str(lead_id), "--agent", "anna")
    assert known.exit_code == 0, known.output
    unknown = await invoke(runner, "explain", str(lead_id), "--agent", "nosuch")
    assert unknown.exit_code == 1, unknown.output
    assert "no agent 'nosuch' in the active configuration" in unknown.output


async def test_help_shows_words_not_python_types(runner: CliRunner) -> None:
    shown = (await invoke(runner, "user", "create", "--help")).output
    assert "<bool>" not in shown
    assert "<list[str]>" not in shown
    assert "TEXT…" in shown
