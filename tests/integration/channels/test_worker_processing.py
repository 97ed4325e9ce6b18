"""End to end with the real worker: a Google lead posted to the webhook is routed by the
`process_inbound` job woken by the receipt's commit (and the 5-second schedule backs it up)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest_asyncio

from leadflow.config import Settings
from leadflow.connectors import google_ads
from leadflow.jobs.worker import run_worker
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from leadflow.web.app import create_app
from tests.integration.channels.conftest import GOOGLE_KEY
from tests.integration.conftest import committing

WAIT = 15.0  # upper bound: the schedule ticks every 5 s, a wake-up takes milliseconds


@pytest_asyncio.fixture
async def committed(database_url: str, vault: Vault) -> AsyncIterator[Database]:
    async with committing(database_url, pool_size=10) as database:
        async with open_store(database) as store:
            await connectors.create(
                store, vault, key="g", kind="google_ads", name="G",
                secrets={"google_key": GOOGLE_KEY},
            )  # fmt: skip
            await store.commit()
        yield database


@asynccontextmanager
async def worker(database: Database) -> AsyncIterator[None]:
    task = asyncio.create_task(
        run_worker(Settings(), database, name="test", install_signal_handlers=False)
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def routed_lead_of(database: Database, external_id: str) -> str:
    for _ in range(int(WAIT * 10)):
        async with open_store(database) as store:
            lead = await store.leads.by_external_id("google_ads", external_id)
            if lead is not None:
                return lead.routing_status
        await asyncio.sleep(0.1)
    raise AssertionError(f"lead {external_id} was not stored within {WAIT:.0f} s")


async def test_a_posted_lead_is_routed_by_the_worker(committed: Database) -> None:
    app = create_app(Settings(), committed, owns_database=False)
    transport = httpx.ASGITransport(app=app)
    body = google_ads.sample(lead_id="w-1", google_key=GOOGLE_KEY, is_test=False)
    async with worker(committed), httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        await asyncio.sleep(0.5)  # the worker is listening
        answer = await c.post("/hooks/google-ads/g", json=body)
        assert answer.status_code == 200
        assert await routed_lead_of(committed, "w-1") == "assigned"
