"""The whole OpenAPI, fuzzed by schemathesis (`--checks all`, a fixed seed, a bounded number of
examples) against a real server process on real PostgreSQL: no answer is a server error, and
every answer matches what the spec documents (issue 14).

The server has the demo organisation, a website form and a token; the live event stream is
left out (it is a stream that lasts minutes by design, tested on its own)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.storage.database import Database
from leadflow.storage.embedded import sqlalchemy_url
from leadflow.storage.migrate import upgrade
from leadflow.storage.store import open_store
from leadflow.storage.tables import WebForm
from tests.conftest import _with_database
from tests.integration.ui import demo_configuration

SEED = 20261205
EXAMPLES = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _seed(url: str) -> str:
    from leadflow.services.configuration import versions as configuration

    database = Database(url, pool_size=1)
    try:
        async with open_store(database) as store:
            await configuration.apply(store, demo_configuration(), actor="test")
            await store.forms.add(WebForm(key="landing", name="Landing page"))
            issued = await tokens.issue(store, "fuzzer", scopes=ALL_SCOPES)
            await store.commit()
        return issued.secret
    finally:
        await database.dispose()


@pytest.fixture(scope="module")
def served(server_url: str) -> Iterator[tuple[str, str]]:
    """A `leadflow` server process on a database of its own: (base URL, token)."""
    name = f"leadflow_fuzz_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sqlalchemy_url(_with_database(server_url, name))
    upgrade(url)
    token = asyncio.run(_seed(url))
    port = _free_port()
    env = {
        **os.environ,
        "LEADFLOW_DATABASE_URL": url,
        "LEADFLOW_RUN_WORKER_IN_PROCESS": "false",
        "LEADFLOW_FORM_POSTS_PER_MINUTE": "1000000",
        "LEADFLOW_SECRET_KEY": "fuzzing-secret-key-for-tests",
        "LEADFLOW_LOG_JSON": "true",
    }
    command = [sys.executable, "-m", "uvicorn", "leadflow.web.main:create", "--factory"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base, server)
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_until_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited"
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become ready in 60 s")


def test_every_operation_answers_as_documented(served: tuple[str, str], tmp_path: Path) -> None:
    base, token = served
    report = tmp_path / "junit.xml"
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "--config-file",
            str(Path(__file__).with_name("schemathesis.toml")),
            "run",
            f"{base}/openapi.json",
            "--checks",
            "all",
            "--seed",
            str(SEED),
            "--max-examples",
            str(EXAMPLES),
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--exclude-path-regex",
            "/events$",
            "--header",
            f"Authorization: Bearer {token}",
            "--request-timeout",
            "20",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-15000:] + run.stderr[-3000:]
    assert "tests=" in report.read_text()
