"""Meta Lead Ads tests: a local Graph API per test, a Meta connector pointed at it, and the
processing job run as the worker runs it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from leadflow.config import Settings
from leadflow.connectors.meta.webhook import SIGNATURE_HEADER, signature
from leadflow.services.channels.pipeline import processing
from leadflow.services.channels.pipeline.processing import ProcessReport
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.services.channels.vendors import REGISTRY
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.fakes.graph import FakeGraph

PAGE_TOKEN = "page-token-0123456789"
APP_SECRET = "app-secret-0123456789"
VERIFY_TOKEN = "verify-token-0123456789"
CONNECTOR = "clinic-meta"
HOOK = f"/hooks/meta/{CONNECTOR}"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph(token=PAGE_TOKEN, app_secret=APP_SECRET)
    fake.start()
    yield fake
    fake.stop()


def vault() -> Vault:
    return Vault(Settings().session_secret())


@pytest_asyncio.fixture
async def meta(store: Store, org: Any, graph: FakeGraph) -> str:
    """The clinic's Meta connector (the test organisation active), reading leads from the
    local Graph API."""
    await connectors.create(
        store,
        vault(),
        key=CONNECTOR,
        kind="meta",
        name="Clinic Facebook page",
        secrets={"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN, "page_token": PAGE_TOKEN},
        settings={"api_base": graph.api_base, "page_id": "page-1"},
    )
    await store.commit()
    return CONNECTOR


async def deliver(
    client: httpx.AsyncClient, body: bytes, secret: str = APP_SECRET
) -> httpx.Response:
    """POST a notification as Meta does: the raw body, signed with the app secret."""
    return await client.post(
        HOOK,
        content=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature(body, secret)},
    )


@pytest.fixture
def live() -> LiveOrganisation:
    return LiveOrganisation()


async def run_job(database: Database, now: datetime, live: LiveOrganisation) -> ProcessReport:
    """One run of the `process_inbound` job at `now`."""
    return await processing.process_due(
        database,
        REGISTRY,
        vault(),
        live=live,
        threshold=Settings().language_confidence,
        clock=lambda: now,
    )
