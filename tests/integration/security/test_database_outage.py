"""While the database is down, clients are told to retry (503 with Retry-After), never a 500.

The outage: the app's database is a port on which nothing listens (bound, never listening:
every connection is refused), as when PostgreSQL is stopped or restarting.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError

from leadflow.storage.database import Database, DatabaseUnavailable, driver
from tests.integration.conftest import Clock
from tests.integration.ui import BASE_URL, EMAILS, application, sign_in

UNAVAILABLE = {"detail": "the database is unavailable; retry shortly"}


@pytest.fixture
def refused_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest_asyncio.fixture
async def down(refused_port: int, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app whose database refuses every connection."""
    database = Database(f"postgresql+psycopg://postgres@127.0.0.1:{refused_port}/leadflow")
    transport = httpx.ASGITransport(app=application(database, clock))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client
    await database.dispose()


def assert_retry_later(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.json() == UNAVAILABLE
    assert answer.headers["retry-after"] == "5"


async def test_a_lead_sent_during_an_outage_is_answered_retry_later(
    down: httpx.AsyncClient,
) -> None:
    lead = {"source": "api", "name": "Ada", "phone": "+4915112345678"}
    answer = await down.post("/api/v1/leads", json=lead, headers={"Authorization": "Bearer x"})
    assert_retry_later(answer)


async def test_a_form_post_during_an_outage_is_answered_retry_later(
    down: httpx.AsyncClient,
) -> None:
    answer = await down.post("/api/v1/forms/contact", data={"name": "Ada", "phone": "+4915112"})
    assert_retry_later(answer)


async def test_reading_a_lead_during_an_outage_is_answered_retry_later(
    down: httpx.AsyncClient,
) -> None:
    answer = await down.get("/api/v1/leads/1", headers={"Authorization": "Bearer x"})
    assert_retry_later(answer)


async def test_readiness_fails_and_health_holds_during_an_outage(down: httpx.AsyncClient) -> None:
    ready = await down.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["ready"] is False
    assert ready.json()["database"].startswith("unavailable")
    assert (await down.get("/healthz")).json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "The database is unavailable"), ("tr", "Veritabanına ulaşılamıyor")],
)
async def test_a_signed_in_page_during_an_outage_explains_in_the_users_language(
    web: httpx.AsyncClient, down: httpx.AsyncClient, language: str, title: str
) -> None:
    await sign_in(web, EMAILS["manager"])
    down.cookies = web.cookies
    answer = await down.get("/", headers={"accept": "text/html", "accept-language": language})
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["retry-after"] == "5"
    assert f"<h1>{title}</h1>" in answer.text


@pytest_asyncio.fixture
async def real(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, pool_size=2)
    yield database
    await database.dispose()


async def in_one_session(database: Database, *statements: str, terminated: bool = False) -> None:
    """Run `statements` in one session, its connection first ended by the server if
    `terminated` (as when PostgreSQL restarts under it)."""
    async with database.session() as session:
        if terminated:
            pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            async with database.session() as other:
                await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for statement in statements:
            await session.execute(text(statement))


async def test_intakes_own_connection_in_an_outage_is_reported_unavailable_at_once(
    refused_port: int,
) -> None:
    """Intake's transactions run on connections of their own (`Database.plain`, 0022): one
    the server refuses is an outage at once, not after a pool's wait for its background
    connections (psycopg_pool's 30 s; the bound below only guards against such a stall)."""
    database = Database(f"postgresql+psycopg://postgres@127.0.0.1:{refused_port}/leadflow")
    try:
        with pytest.raises(DatabaseUnavailable):
            await asyncio.wait_for(_unit_of(database), timeout=10)
    finally:
        await database.dispose()


async def test_intakes_connection_the_server_ended_fails_once_then_is_replaced(
    real: Database,
) -> None:
    """A kept connection the server ended (a restart) is an outage for the one unit that
    finds it, then dropped: the next unit connects anew."""
    async with real.plain() as unit:
        cursor = await (await driver(unit)).execute("SELECT pg_backend_pid()")
        [pid] = await cursor.fetchone() or (None,)
        await unit.commit()
    async with real.session() as other:
        await other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    with pytest.raises(DatabaseUnavailable):
        async with real.plain() as unit:
            await (await driver(unit)).execute("SELECT 1")
    async with real.plain() as unit:
        cursor = await (await driver(unit)).execute("SELECT pg_backend_pid()")
        assert (await cursor.fetchone() or (None,))[0] not in (None, pid)


async def _unit_of(database: Database) -> None:
    async with database.plain():
        pass


async def test_a_connection_the_server_ends_is_reported_unavailable(real: Database) -> None:
    with pytest.raises(DatabaseUnavailable):
        await in_one_session(real, "SELECT 1", terminated=True)


async def test_a_failing_statement_is_not_an_outage(real: Database) -> None:
    with pytest.raises(DataError):
        await in_one_session(real, "SELECT 1 / 0")


async def test_a_cancelled_statement_is_not_an_outage(real: Database) -> None:
    """A statement timeout is an OperationalError too, but the server is there."""
    with pytest.raises(OperationalError, match="canceling statement"):
        await in_one_session(real, "SET LOCAL statement_timeout = 1", "SELECT pg_sleep(1)")
