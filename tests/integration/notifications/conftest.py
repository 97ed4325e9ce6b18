"""Notification tests commit for real (workers, servers and subprocesses see each other's
work), so they use their own sessions on the test database and empty it after each test."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest_asyncio
from sqlalchemy import text

from leadflow.domain.configuration import Configuration
from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.services.configuration import versions as configuration
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests import factories
from tests.integration.conftest import empty_committed

TEAM_LEAD = "gaye@clinic.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def now() -> datetime:
    """Real time: outbox rows are due from the database's now()."""
    return datetime.now(UTC)


@pytest_asyncio.fixture
async def committed(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, pool_size=20)
    yield database
    async with database.engine.begin() as connection:
        await empty_committed(connection)
    await database.dispose()


def organisation(**notifications: Any) -> Configuration:
    """The test organisation with a team lead, notifying as told."""
    config = factories.organisation(notifications=notifications)
    teams = [team.model_copy(update={"leads": [TEAM_LEAD]}) for team in config.teams]
    return config.model_copy(update={"teams": teams})


async def configure(database: Database, **notifications: Any) -> None:
    async with open_store(database) as store:
        await configuration.apply(store, organisation(**notifications), actor="test")
        await store.commit()


async def add_message(
    database: Database,
    *,
    key: str,
    topic: str = "lead.unassigned",
    channel: str = "alert",
    recipient: str | None = "german",
    payload: dict[str, Any] | None = None,
) -> int:
    async with open_store(database) as store:
        await store.outbox.add(
            topic=topic,
            channel=channel,
            recipient=recipient,
            payload=payload or {"lead_id": 42, "name": "Lena Vogel", "pipeline": "hair-de"},
            idempotency_key=key,
        )
        await store.commit()
        found = await store.session.execute(
            text("SELECT id FROM outbox WHERE idempotency_key = :key"), {"key": key}
        )
        return int(found.scalar_one())


async def message(database: Database, message_id: int) -> Any:
    async with open_store(database) as store:
        return await store.deliveries.message(message_id)


async def issue_token(database: Database) -> str:
    async with open_store(database) as store:
        issued = await tokens.issue(store, "notifications-test", ALL_SCOPES)
        await store.commit()
        return issued.secret
