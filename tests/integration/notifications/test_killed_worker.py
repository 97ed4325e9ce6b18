"""A worker killed in the middle of a delivery does not send again what it already sent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from leadflow.notify import Channels, HttpWebhookSender
from leadflow.services.delivery import outbox as delivery
from leadflow.storage.database import Database
from tests.integration.notifications.conftest import add_message, configure, message, now

LEADFLOW = str(Path(sys.executable).parent / "leadflow")


async def test_a_worker_killed_after_a_send_does_not_repeat_it(
    committed: Database, database_url: str, httpserver: HTTPServer
) -> None:
    await configure(
        committed,
        webhooks=[
            {"key": "crm", "url": httpserver.url_for("/crm"), "allow_private_network": True},
            {
                "key": "slack",
                "url": httpserver.url_for("/slack"),
                "format": "slack",
                "allow_private_network": True,
            },
        ],
    )
    message_id = await add_message(committed, key="lead.unassigned:1")
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("LEADFLOW_")
    }
    worker = await asyncio.create_subprocess_exec(
        LEADFLOW,
        "outbox",
        "deliver",
        env={**environment, "LEADFLOW_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    calls = {"/crm": 0, "/slack": 0}

    def crm(_: Request) -> Response:
        calls["/crm"] += 1
        return Response("ok")

    def slack(_: Request) -> Response:
        # The worker has sent to the CRM and now dies, before it could settle the message.
        calls["/slack"] += 1
        if calls["/slack"] == 1:
            os.kill(worker.pid, signal.SIGKILL)
        return Response("ok")

    httpserver.expect_request("/crm").respond_with_handler(crm)
    httpserver.expect_request("/slack").respond_with_handler(slack)
    try:
        assert await asyncio.wait_for(worker.wait(), 30) == -signal.SIGKILL
    finally:
        if worker.returncode is None:
            worker.kill()
    assert (await message(committed, message_id)).status == "pending"

    async with httpx.AsyncClient(timeout=5) as client:
        channels = Channels(webhooks=HttpWebhookSender(client))
        report = await delivery.deliver_due(committed, channels, now=now())

    assert report.delivered == 1
    assert calls == {"/crm": 1, "/slack": 2}  # Slack never answered the killed worker
    assert (await message(committed, message_id)).status == "delivered"
