"""Two server processes, many concurrent clients: no lead assigned twice, no cap exceeded,
ratios exact. Everything here commits for real, on its own database."""

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

from leadflow.services.configuration import versions as configuration
from tests import factories
from tests.factories import agent, lead_body

CAPS = {"anna": 6, "ben": 6, "cem": 6, "dora": 12}
WEIGHTS = {"anna": 1, "ben": 1, "cem": 1, "dora": 2}
LEADS = 90
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def leadflow(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "leadflow"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def cluster(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    name = f"leadflow_race_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, query = server_url.partition("?")
    url = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    env = {**os.environ, "LEADFLOW_DATABASE_URL": url, "LEADFLOW_RUN_WORKER_IN_PROCESS": "false"}
    leadflow(env, "migrate")
    config = factories.organisation(
        [agent(key, caps={"day": cap}) for key, cap in CAPS.items()], weights=WEIGHTS
    )
    path = tmp_path_factory.mktemp("config") / "org.yaml"
    path.write_text(configuration.to_yaml(config))
    leadflow(env, "config", "apply", str(path))
    token = leadflow(env, "token", "create", "race").strip().splitlines()[-1]
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen([str(BIN / "leadflow"), "serve", "--port", str(port)], env=env)
        for port in ports
    ]
    try:
        for port in ports:
            wait_until_ready(port)
        yield {"url": url, "ports": ports, "token": token}
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_until_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


async def flood(cluster: dict) -> list[dict]:
    headers = {"Authorization": f"Bearer {cluster['token']}"}
    clients = [
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60)
        for port in cluster["ports"]
    ]
    gate = asyncio.Semaphore(40)

    async def send(i: int) -> dict:
        async with gate:
            body = lead_body(email=f"racer{i}@example.org", phone=None, external_id=f"race-{i}")
            response = await clients[i % 2].post("/api/v1/leads", json=body)
            assert response.status_code == 201, response.text
            return response.json()

    try:
        return await asyncio.gather(*(send(i) for i in range(LEADS)))
    finally:
        for client in clients:
            await client.aclose()


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        return connection.execute(sql).fetchall()


async def test_concurrent_intake_on_two_servers_never_double_assigns_or_passes_a_cap(
    cluster: dict,
) -> None:
    answers = await flood(cluster)
    url = cluster["url"]
    assert len({a["id"] for a in answers}) == LEADS
    [(initial, distinct)] = rows(
        url, "SELECT count(*), count(DISTINCT lead_id) FROM assignments WHERE kind = 'initial'"
    )
    assert initial == distinct == LEADS
    per_agent = dict(
        rows(
            url,
            "SELECT owner_agent_key, count(*) FROM leads WHERE owner_agent_key IS NOT NULL"
            " GROUP BY 1",
        )
    )
    assert per_agent == CAPS  # every cap filled exactly, never passed
    assert sum(a["assignment"]["outcome"] == "queued" for a in answers) == LEADS - sum(
        CAPS.values()
    )
    counters = dict(rows(url, "SELECT agent_key, sum(assigned) FROM agent_daily_counts GROUP BY 1"))
    opened = dict(rows(url, "SELECT key, open_leads FROM agents"))
    assert counters == opened == CAPS  # the counters agree with the leads table
    first_ten = rows(
        url,
        "SELECT agent_key, count(*) FROM (SELECT agent_key FROM assignments"
        " WHERE kind = 'initial' AND outcome = 'assigned' ORDER BY id LIMIT 10) s GROUP BY 1",
    )
    assert dict(first_ten) == {"anna": 2, "ben": 2, "cem": 2, "dora": 4}  # 1:1:1:2, exact
