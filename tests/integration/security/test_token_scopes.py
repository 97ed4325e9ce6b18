"""API tokens hold scopes: each /api/v1 endpoint needs one, and a token without it is answered
403 naming the scope, before anything is looked up. New tokens hold `intake` only unless more
are asked for, from the CLI or the administration page."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import psycopg
import pytest
import pytest_asyncio
from typer.testing import CliRunner

from leadflow.cli import app as cli
from leadflow.config import Settings
from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES, Scope
from leadflow.storage.database import Database
from leadflow.storage.embedded import libpq_url, sqlalchemy_url
from leadflow.storage.migrate import upgrade
from leadflow.storage.store import Store
from leadflow.web.app import create_app
from tests.conftest import _with_database
from tests.factories import lead_body
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, Scenario, browser, demo_configuration, sign_in

SCOPE_OF = {
    "POST /api/v1/leads": Scope.INTAKE,
    "GET /api/v1/leads": Scope.READ,
    "GET /api/v1/leads/{lead_id}": Scope.READ,
    "GET /api/v1/leads/{lead_id}/decision": Scope.READ,
    "POST /api/v1/leads/{lead_id}/reassign": Scope.WORK,
    "POST /api/v1/simulate": Scope.READ,
    "POST /api/v1/replays": Scope.READ,
    "POST /api/v1/leads/{lead_id}/activities": Scope.WORK,
    "GET /api/v1/leads/{lead_id}/activities": Scope.READ,
    "GET /api/v1/leads/{lead_id}/whatsapp": Scope.READ,
    "POST /api/v1/leads/{lead_id}/whatsapp": Scope.WORK,
    "GET /api/v1/leads/{lead_id}/media/{media_id}": Scope.READ,
    "GET /api/v1/queue": Scope.READ,
    "GET /api/v1/roster": Scope.READ,
    "GET /api/v1/agents/{agent_key}/availability": Scope.READ,
    "GET /api/v1/agents": Scope.READ,
    "GET /api/v1/agents/{agent_key}": Scope.READ,
    "POST /api/v1/agents": Scope.CONFIGURATION,
    "PATCH /api/v1/agents/{agent_key}": Scope.CONFIGURATION,
    "GET /api/v1/agents/{agent_key}/events": Scope.READ,
    "GET /api/v1/data-quality": Scope.READ,
    "GET /api/v1/config": Scope.CONFIGURATION,
    "POST /api/v1/config": Scope.CONFIGURATION,
    "GET /api/v1/config/versions": Scope.CONFIGURATION,
    "GET /api/v1/config/diff": Scope.CONFIGURATION,
    "POST /api/v1/config/rollback/{version}": Scope.CONFIGURATION,
    "POST /api/v1/leads/{lead_id}/stage": Scope.WORK,
    "GET /api/v1/tasks": Scope.READ,
    "POST /api/v1/tasks": Scope.WORK,
    "PATCH /api/v1/tasks/{task_id}": Scope.WORK,
    "GET /api/v1/web-forms": Scope.CONFIGURATION,
    "POST /api/v1/web-forms": Scope.CONFIGURATION,
    "GET /api/v1/web-forms/{key}": Scope.CONFIGURATION,
    "PATCH /api/v1/web-forms/{key}": Scope.CONFIGURATION,
    "GET /api/v1/web-forms/{key}/snippet": Scope.CONFIGURATION,
    "POST /api/v1/web-forms/{key}/disable": Scope.CONFIGURATION,
    "POST /api/v1/web-forms/{key}/enable": Scope.CONFIGURATION,
    "GET /api/v1/connectors": Scope.CONFIGURATION,
    "POST /api/v1/connectors": Scope.CONFIGURATION,
    "GET /api/v1/connectors/{key}": Scope.CONFIGURATION,
    "PATCH /api/v1/connectors/{key}": Scope.CONFIGURATION,
}
WITHOUT_TOKEN = {"POST /api/v1/forms/{form_key}"}
"""Website forms post with a per-form key, never a token."""


@pytest_asyncio.fixture
async def app_with_token(
    bound: Database, clock: Clock, store: Store, scenario: Scenario, scopes: frozenset[Scope]
) -> AsyncIterator[httpx.AsyncClient]:
    issued = await tokens.issue(store, "scoped", scopes)
    await store.commit()
    async with browser(bound, clock) as client:
        client.headers["Authorization"] = f"Bearer {issued.secret}"
        yield client


def _api_routes(database: Database) -> set[str]:
    paths = create_app(Settings(), database, owns_database=False).openapi()["paths"]
    return {
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        if path.startswith("/api/v1/")
        for method in operations
    }


def test_every_api_endpoint_that_takes_a_token_names_its_scope(bound: Database) -> None:
    assert _api_routes(bound) - WITHOUT_TOKEN == set(SCOPE_OF)


@pytest.mark.parametrize("scopes", [frozenset()])
async def test_a_token_without_the_scope_is_refused_at_every_endpoint_naming_it(
    app_with_token: httpx.AsyncClient, scenario: Scenario, scopes: frozenset[Scope]
) -> None:
    answers = {}
    for endpoint in SCOPE_OF:
        method, path = endpoint.split(" ")
        path = path.format(
            lead_id=1,
            agent_key="anna.schmidt",
            version=scenario.version,
            task_id=1,
            key="hair-de",
            media_id=1,
        )
        answer = await app_with_token.request(method, path, params={"old": scenario.version})
        answers[endpoint] = (answer.status_code, answer.json()["detail"])
    assert answers == {
        endpoint: (403, f"not allowed: the API token lacks the {scope.value!r} scope")
        for endpoint, scope in SCOPE_OF.items()
    }


@pytest.mark.parametrize("scopes", [ALL_SCOPES - {Scope.CONFIGURATION}])
async def test_a_token_without_the_configuration_scope_neither_changes_nor_rolls_it_back(
    app_with_token: httpx.AsyncClient, store: Store, scenario: Scenario, scopes: frozenset[Scope]
) -> None:
    document = demo_configuration().model_dump(mode="json")
    applied = await app_with_token.post("/api/v1/config", json=document)
    rolled = await app_with_token.post(f"/api/v1/config/rollback/{scenario.version}")
    refusal = "not allowed: the API token lacks the 'configuration' scope"
    assert (applied.status_code, applied.json()["detail"]) == (403, refusal)
    assert (rolled.status_code, rolled.json()["detail"]) == (403, refusal)
    assert await store.configs.active_id() == scenario.version


@pytest.mark.parametrize("scopes", [frozenset({Scope.CONFIGURATION})])
async def test_a_token_with_the_configuration_scope_changes_and_rolls_it_back(
    app_with_token: httpx.AsyncClient, scenario: Scenario, scopes: frozenset[Scope]
) -> None:
    document = demo_configuration().model_dump(mode="json")
    applied = await app_with_token.post("/api/v1/config", json=document)
    rolled = await app_with_token.post(f"/api/v1/config/rollback/{scenario.version}")
    assert (applied.status_code, rolled.status_code) == (201, 201)
    live = (await app_with_token.get("/api/v1/config")).json()
    assert live["version"] == rolled.json()["version"]


@pytest.mark.parametrize("scopes", [frozenset({Scope.INTAKE})])
async def test_an_intake_token_submits_leads_and_reads_nothing(
    app_with_token: httpx.AsyncClient, scopes: frozenset[Scope]
) -> None:
    submitted = await app_with_token.post("/api/v1/leads", json=lead_body(external_id="s1"))
    assert submitted.status_code == 201
    read = await app_with_token.get(f"/api/v1/leads/{submitted.json()['id']}")
    assert (read.status_code, read.json()["detail"]) == (
        403,
        "not allowed: the API token lacks the 'read' scope",
    )


async def test_a_new_token_holds_intake_only_unless_asked(store: Store) -> None:
    issued = await tokens.issue(store, "meta-ads")
    assert await tokens.authenticate(store, issued.secret) == tokens.TokenIdentity(
        "meta-ads", frozenset({Scope.INTAKE})
    )


# --- the administration page ---------------------------------------------------------------


async def test_an_admin_ticks_a_tokens_scopes_and_the_list_shows_them(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    csrf = await sign_in(web, EMAILS["admin"])
    form = {"name": "crm", "scope": ["read", "work"], "csrf_token": csrf}
    created = await web.post("/admin/tokens", data=form)
    assert created.status_code == 201
    secret = re.search(r'value="(lf_[^"]+)"', created.text)
    assert secret is not None
    found = await tokens.authenticate(store, secret.group(1))
    assert found is not None
    assert found.scopes == {Scope.READ, Scope.WORK}
    listing = (await web.get("/admin/tokens")).text
    row = re.search(r'<th scope="row">crm</th>.*?<td class="scopes">(.*?)</td>', listing, re.S)
    assert row is not None
    assert row.group(1) == "<code>read</code>, <code>work</code>"
    assert 'name="scope" value="configuration"' in listing


# --- the command line ----------------------------------------------------------------------


@pytest.fixture
def runner(database_url: str) -> Iterator[CliRunner]:
    """The CLI commits on its own connection: its tokens are removed afterwards."""
    yield CliRunner(env={"LEADFLOW_DATABASE_URL": database_url, "COLUMNS": "200"})
    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        connection.execute("DELETE FROM api_tokens WHERE name LIKE 'cli-%'")


async def test_the_cli_creates_a_token_with_the_scopes_asked_and_lists_them(
    runner: CliRunner,
) -> None:
    arguments = ["token", "create", "cli-crm", "--scope", "intake", "--scope", "read"]
    created = await asyncio.to_thread(runner.invoke, cli, arguments)
    assert created.exit_code == 0, created.output
    assert "with scopes intake, read" in created.output
    plain = await asyncio.to_thread(runner.invoke, cli, ["token", "create", "cli-ads"])
    assert "with scopes intake (" in plain.output
    listed = await asyncio.to_thread(runner.invoke, cli, ["token", "list"])
    rows = [line for line in listed.output.splitlines() if "cli-" in line]
    lines = {line.split("│")[1].strip(): line for line in rows}
    assert "intake, read" in lines["cli-crm"]
    assert "intake" in lines["cli-ads"]
    assert "read" not in lines["cli-ads"]


def test_the_cli_refuses_an_unknown_scope_and_says_the_default(runner: CliRunner) -> None:
    refused = runner.invoke(cli, ["token", "create", "cli-x", "--scope", "everything"])
    assert refused.exit_code == 1
    assert "unknown scope 'everything'; known: intake, read, work, configuration" in refused.output
    helped = runner.invoke(cli, ["token", "create", "--help"])
    assert "Default: intake only" in " ".join(helped.output.split())


# --- the migration -------------------------------------------------------------------------


def test_tokens_issued_before_scopes_keep_every_scope_and_new_ones_default_to_intake(
    server_url: str,
) -> None:
    name = f"leadflow_scopes_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(server_url, name)
    try:
        upgrade(sqlalchemy_url(url), "0008")
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                "INSERT INTO api_tokens (name, token_hash, prefix) VALUES ('crm', 'a', 'lf_a')"
            )
            upgrade(sqlalchemy_url(url))
            connection.execute(
                "INSERT INTO api_tokens (name, token_hash, prefix) VALUES ('ads', 'b', 'lf_b')"
            )
            rows = connection.execute("SELECT name, scopes FROM api_tokens ORDER BY id").fetchall()
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert rows == [("crm", ["intake", "read", "work", "configuration"]), ("ads", ["intake"])]
