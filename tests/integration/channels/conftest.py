"""Channel fixtures: a Google Ads connector, and processing as the job does it."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import pytest_asyncio

from leadflow.config import Settings
from leadflow.services.channels.pipeline import processing
from leadflow.services.channels.pipeline.processing import ProcessReport
from leadflow.services.channels.pipeline.processors import Registry
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.services.channels.vendors import REGISTRY
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store

GOOGLE_KEY = "g00gle-shared-key-7f3a"


@pytest.fixture(scope="session")
def vault() -> Vault:
    return Vault(os.environ["LEADFLOW_SECRET_KEY"])


@pytest_asyncio.fixture
async def google_connector(store: Store, vault: Vault) -> connectors.ConnectorView:
    view = await connectors.create(
        store,
        vault,
        key="clinic-google",
        kind="google_ads",
        name="Google Ads — hair DE",
        secrets={"google_key": GOOGLE_KEY},
        settings={"hints": {"campaign": "spring"}},
    )
    await store.commit()
    return view


async def process_all(
    database: Database, vault: Vault, now: datetime, registry: Registry = REGISTRY
) -> ProcessReport:
    """What the `process_inbound` job does at `now`."""
    return await processing.process_due(
        database,
        registry,
        vault,
        live=LiveOrganisation(recheck_after=0),
        threshold=Settings().language_confidence,
        clock=lambda: now,
    )
