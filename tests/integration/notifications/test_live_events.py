"""An agent's live stream (SSE) receives events NOTIFYed by any connection or server process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn

from leadflow.config import Settings
from leadflow.notify import LiveEvent, PostgresLiveHub
from leadflow.storage.database import Database
from leadflow.storage.embedded import libpq_url
from leadflow.web.app import create_app
from tests.integration.notifications.conftest import add_message, configure, free_port, issue_token

WAIT = 10.0  # generous upper bound; events arrive in milliseconds


@dataclass
class Server:
    url: str
    token: str


@pytest_asyncio.fixture
async def server(committed: Database) -> AsyncIterator[Server]:
    await configure(committed)
    token = await issue_token(committed)
    app = create_app(Settings(run_worker_in_process=False), committed, owns_database=False)
    port = free_port()
    running = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(running.serve())
    for _ in range(500):
        if running.started:
            break
        await asyncio.sleep(0.02)
    yield Server(f"http://127.0.0.1:{port}", token)
    running.should_exit = True
    await task


@dataclass
class Stream:
    """An SSE client: the wire format parsed into blocks (comments are kept under ":")."""

    lines: AsyncIterator[str]

    async def block(self) -> dict[str, Any]:
        async with asyncio.timeout(WAIT):
            found: dict[str, Any] = {}
            async for line in self.lines:
                if line == "":
                    if found:
                        return found
                    continue
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                found[name or ":"] = json.loads(value) if name == "data" else value
        raise AssertionError("stream ended")

    async def next(self) -> dict[str, Any]:
        """The next event, skipping comments."""
        while True:
            found = await self.block()
            if "event" in found:
                return found


@asynccontextmanager
async def stream(server: Server, agent: str, **headers: str) -> AsyncIterator[Stream]:
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=WAIT) as client,
        client.stream(
            "GET",
            f"/api/v1/agents/{agent}/events",
            headers={"Authorization": f"Bearer {server.token}", **headers},
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        opened = Stream(response.aiter_lines())
        assert await opened.block() == {":": "connected", "retry": "3000"}  # subscribed now
        yield opened


async def test_an_event_notified_from_another_connection_reaches_the_agent(
    server: Server, committed: Database
) -> None:
    publisher = PostgresLiveHub(libpq_url(committed.url))
    async with stream(server, "anna") as anna:
        await publisher.publish(LiveEvent(agent="ben", topic="lead.assigned", id=1))
        await publisher.publish(
            LiveEvent(agent="anna", topic="lead.assigned", payload={"lead_id": 42}, id=2)
        )
        event = await anna.next()
    assert event == {"event": "lead.assigned", "id": "2", "data": {"lead_id": 42}}


async def test_a_committed_assignment_reaches_the_agent_with_its_outbox_id(
    server: Server, committed: Database
) -> None:
    async with stream(server, "anna") as anna:
        message_id = await add_message(
            committed,
            key="lead.assigned:1:sse",
            topic="lead.assigned",
            channel="sse",
            recipient="anna",
            payload={"lead_id": 7, "agent": "anna"},
        )
        event = await anna.next()
    assert event == {
        "event": "lead.assigned",
        "id": str(message_id),
        "data": {"lead_id": 7, "agent": "anna"},
    }


async def test_a_reconnecting_agent_first_receives_what_it_missed(
    server: Server, committed: Database
) -> None:
    first = await add_message(
        committed, key="a", topic="lead.assigned", channel="sse", recipient="anna"
    )
    missed = await add_message(
        committed, key="b", topic="lead.reassigned", channel="sse", recipient="anna"
    )
    async with stream(server, "anna", **{"Last-Event-ID": str(first)}) as anna:
        event = await anna.next()
    assert (event["event"], event["id"]) == ("lead.reassigned", str(missed))


async def test_an_idle_stream_sends_heartbeat_comments(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fastapi.routing._PING_INTERVAL", 0.1)
    async with stream(server, "anna") as anna:
        assert await anna.block() == {":": "ping"}


async def test_a_stream_needs_a_token(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/api/v1/agents/anna/events")
    assert response.status_code == 401


async def test_an_unknown_agent_has_no_stream(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get(
            "/api/v1/agents/nobody/events", headers={"Authorization": f"Bearer {server.token}"}
        )
    assert response.status_code == 404


async def test_a_stream_ends_by_itself_after_its_maximum_lifetime(server: Server) -> None:
    """An API client (or a fuzzer) is never held forever; a browser reconnects after `retry`."""
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=WAIT) as client,
        client.stream(
            "GET",
            "/api/v1/agents/anna/events?max_seconds=1",
            headers={"Authorization": f"Bearer {server.token}"},
        ) as response,
        asyncio.timeout(WAIT),
    ):
        assert response.status_code == 200
        lines = [line async for line in response.aiter_lines()]
    assert lines[:2] == [": connected", "retry: 3000"]
    assert lines[-3:] == [": closing: reconnect to go on", "retry: 3000", ""]


@pytest.mark.parametrize("max_seconds", ["0", "3601", "soon"])
async def test_an_impossible_stream_lifetime_names_the_parameter(
    server: Server, max_seconds: str
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=WAIT) as client:
        response = await client.get(
            f"/api/v1/agents/anna/events?max_seconds={max_seconds}",
            headers={"Authorization": f"Bearer {server.token}"},
        )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "max_seconds"]
