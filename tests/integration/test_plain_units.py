"""Intake's unit of work on a plain psycopg connection (decisions 0022, 0023, 0024): one
transaction from its first statement to its commit, begun in its first statement's round trip,
each round trip one message."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import psycopg
import pytest
from psycopg import pq
from sqlalchemy import text

from leadflow.domain.submission import LeadSubmission
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake.ingest import Ingested, ingest_many
from leadflow.storage.database import PlainSession
from leadflow.storage.repositories.leads.contacts import ContactDetails
from leadflow.storage.store import open_plain_store, open_store
from leadflow.storage.together import execute_together
from tests import factories
from tests.integration.conftest import emptied_afterwards

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


@contextmanager
def protocol(connection: psycopg.AsyncConnection[Any]) -> Iterator[list[str]]:
    """The messages `connection` exchanged with the server meanwhile (libpq's trace), one a
    line, filled in when the block ends."""
    lines: list[str] = []
    with tempfile.TemporaryFile("w+") as trace:
        connection.pgconn.trace(trace.fileno())
        connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield lines
        finally:
            connection.pgconn.untrace()
            trace.seek(0)
            lines.extend(trace.read().splitlines())


def round_trips(lines: list[str]) -> int:
    """Each round trip ends with the server's ReadyForQuery."""
    return sum(1 for line in lines if line.startswith("B\t5\tReadyForQuery"))


async def test_a_new_lead_is_stored_and_routed_in_three_round_trips(database_url: str) -> None:
    """BEGIN goes with the identity claim, SAVEPOINT with the routing claim, COMMIT with the
    write. psycopg's own BEGIN waited for its answer first: four round trips (0023). Each
    round trip is one message: psycopg's pipeline sent each statement, a Sync and a flush
    request on their own (0024)."""
    async with emptied_afterwards(database_url, pool_size=2) as database:
        async with open_store(database) as store:
            await configuration.apply(store, factories.organisation(), actor="test")
            await store.commit()
        live = LiveOrganisation(recheck_after=3600)
        async with open_plain_store(database) as store:
            await live.get(store)  # the active version, asked once and then remembered
            await store.commit()
        lead = LeadSubmission.model_validate(factories.lead_body(external_id="one"))
        async with open_plain_store(database) as store:
            store.commit_with_write()  # as a server's batch does
            with protocol(cast(PlainSession, store.session).psycopg_connection) as lines:
                [result] = await ingest_many(store, [lead], live=live, threshold=0.6, now=NOW)
                await store.commit()
        assert isinstance(result, Ingested)
        assert result.lead.owner_agent_key is not None
        sent = [line.split("\t")[2].split()[0] for line in lines if line.startswith("F")]
        assert sent == ["Query", "Query", "Query"]
        assert round_trips(lines) == 3
        async with open_store(database) as store:
            assert await store.leads.count() == 1


async def test_a_plain_unit_rolled_back_keeps_nothing_of_its_first_statement(
    database_url: str,
) -> None:
    """The unit's connection is in autocommit mode between transactions: its first statement
    must begin one, or it would be committed on its own."""
    details = ContactDetails("Ada", "Lovelace", "+4915112345678", None, None, "DE", "de")
    async with emptied_afterwards(database_url, pool_size=2) as database:
        async with open_plain_store(database) as store:
            [(contact_id, created)] = await store.contacts.resolve_all(
                [([("phone", "+4915112345678")], details)]
            )
            assert created
            await store.session.rollback()
        async with database.engine.connect() as connection:
            found = await connection.execute(
                text("SELECT count(*), (SELECT count(*) FROM contact_identities) FROM contacts")
            )
            assert tuple(found.one()) == (0, 0)
        async with open_plain_store(database) as store:  # and committed, it is kept
            [(contact_id, created)] = await store.contacts.resolve_all(
                [([("phone", "+4915112345678")], details)]
            )
            await store.commit()
        async with database.engine.connect() as connection:
            found = await connection.execute(text("SELECT id FROM contacts"))
            assert found.scalars().all() == [contact_id]


async def test_statements_a_failed_message_left_unprepared_are_prepared_again(
    database_url: str,
) -> None:
    """A statement is prepared with its first EXECUTE, in the same message, and stays prepared
    through a rollback; when a statement before it fails, its PREPARE never ran, and the next
    message must send it again."""
    async with (
        emptied_afterwards(database_url, pool_size=2) as database,
        open_plain_store(database) as store,
    ):
        session = store.session
        twice = "SELECT %(a)s::int + %(a)s::int, '100%%', %(b)s::text"
        [[named]] = await execute_together(session, [(twice, {"a": 2, "b": "x"})])
        assert named == (4, "100%", "x")
        connection = cast(PlainSession, session).psycopg_connection
        for _ in range(6):  # a statement of the unit's own, as `driver()` sends them
            await connection.execute("SELECT %s::int", (1,))
        with pytest.raises(psycopg.errors.DivisionByZero):
            await execute_together(session, [("SELECT 1 / %s", (0,)), ("SELECT %s::int + 1", (1,))])
        await session.rollback()
        # Prepared before the rollback, and still there: where psycopg prepares statements
        # itself, it deallocates every prepared statement after a rollback.
        [[again]] = await execute_together(session, [(twice, {"a": 3, "b": "y"})])
        assert again == (6, "100%", "y")
        [[added]] = await execute_together(session, [("SELECT %s::int + 1", (41,))])
        assert added == (42,)
        [[divided]] = await execute_together(session, [("SELECT 1 / %s", (1,))])
        assert divided == (1,)
