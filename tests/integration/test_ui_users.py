"""Accounts: creating users, argon2 passwords, the demo users, and `leadflow user …`."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from typer.testing import CliRunner

from leadflow.cli import app as cli
from leadflow.services.access import users
from leadflow.services.access.scoping import Role
from leadflow.services.access.users import AccountError, NewUser, Problem
from leadflow.storage.embedded import libpq_url
from leadflow.storage.store import Store


def new_user(**changes: object) -> NewUser:
    values: dict[str, object] = {
        "email": "Selin.Arslan@Clinic.example",
        "name": "Selin Arslan",
        "role": "agent",
        "password": "a long enough secret",
        "agent_key": "selin.arslan",
    }
    return NewUser(**{**values, **changes})  # type: ignore[arg-type]


async def test_a_created_user_signs_in_with_their_password_only(store: Store) -> None:
    created = await users.create_user(store, new_user(), actor="test")
    assert created.email == "selin.arslan@clinic.example"
    row = await store.users.get(created.id)
    assert row is not None
    assert row.password_hash is not None
    assert row.password_hash.startswith("$argon2id$")
    assert await users.authenticate(store, "SELIN.ARSLAN@clinic.example", "a long enough secret")
    assert await users.authenticate(store, created.email, "a wrong secret") is None
    assert await users.authenticate(store, "not an address", "a long enough secret") is None


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"email": "not-an-address"}, Problem.EMAIL_INVALID),
        ({"name": "  "}, Problem.NAME_MISSING),
        ({"role": "superuser"}, Problem.ROLE_UNKNOWN),
        ({"role": "integration"}, Problem.ROLE_UNKNOWN),
        ({"role": "team_lead"}, Problem.TEAM_MISSING),
        ({"agent_key": None}, Problem.AGENT_MISSING),
        ({"password": "short"}, Problem.PASSWORD_SHORT),
        ({"locale": "de"}, Problem.LOCALE_UNKNOWN),
        ({"timezone": "Mars/Olympus"}, Problem.TIMEZONE_UNKNOWN),
    ],
)
async def test_an_invalid_user_is_refused_with_its_reason(
    store: Store, changes: dict[str, object], problem: Problem
) -> None:
    with pytest.raises(AccountError) as refused:
        await users.create_user(store, new_user(**changes), actor="test")
    assert refused.value.problem is problem


async def test_demo_users_exist_once_and_get_fresh_passwords(store: Store) -> None:
    first = await users.ensure_demo_users(store)
    assert [person.role for person in first] == [
        Role.ADMIN,
        Role.MANAGER,
        Role.TEAM_LEAD,
        Role.TEAM_LEAD,
        Role.AGENT,
    ]
    second = await users.ensure_demo_users(store)
    assert len(await users.list_accounts(store)) == 5
    lead = next(p for p in second if p.email == "gaye@anatolia.example")
    agent = next(p for p in second if p.role is Role.AGENT)
    signed_in = await users.authenticate(store, lead.email, lead.password)
    assert signed_in is not None
    assert signed_in.team_keys == ("german", "russian", "french")  # as organisation.yaml names her
    assert await users.authenticate(store, lead.email, first[3].password) is None
    account = await users.authenticate(store, agent.email, agent.password)
    assert account is not None
    assert account.agent_key == "anna.schmidt"


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The CLI commits on its own connection: remove what it wrote afterwards."""
    monkeypatch.setenv("LEADFLOW_DATABASE_URL", database_url)
    yield database_url
    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        connection.execute("DELETE FROM users WHERE email LIKE '%@cli.example'")


def test_the_cli_creates_a_team_lead_and_resets_a_password(cli_database: str) -> None:
    runner = CliRunner()
    arguments = ["user", "create", "Lead@CLI.example", "--role", "team_lead", "--password-stdin"]
    arguments += ["--team", "german", "--team", "english"]
    created = runner.invoke(cli, arguments, input="first password 123\n")
    assert created.exit_code == 0, created.output
    assert "lead@cli.example (team_lead) can now sign in" in created.output
    reset = runner.invoke(
        cli, ["user", "password", "lead@cli.example", "--password-stdin"], input="second pw 4567\n"
    )
    assert reset.exit_code == 0, reset.output
    refused = runner.invoke(
        cli,
        ["user", "create", "x@cli.example", "--role", "agent", "--password-stdin"],
        input="first password 123\n",
    )
    assert refused.exit_code == 1
    assert "an agent user needs the key of their agent" in refused.output
