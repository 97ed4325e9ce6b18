"""The async engine and sessions. Only storage touches SQLAlchemy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import psycopg
from psycopg.types.json import set_json_dumps
from sqlalchemy import event
from sqlalchemy import exc as sa
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransaction

from leadflow.storage import json_values
from leadflow.storage.embedded import libpq_url, sqlalchemy_url, start_embedded

# Every Json and Jsonb psycopg sends, in every process that opens a database.
set_json_dumps(json_values.dumps)


def resolve_url(database_url: str | None, data_dir: Path) -> str:
    """The configured server, or the embedded one started in `data_dir`."""
    if database_url:
        return sqlalchemy_url(database_url)
    return start_embedded(data_dir)


class DatabaseUnavailable(Exception):
    """PostgreSQL cannot be reached (stopped, restarting, out of connections, the network
    between): the work was not done, and the same request can be sent again shortly."""

    def __init__(self) -> None:
        super().__init__("the database is unavailable; retry shortly")


# SQLSTATEs of a server that went away or refuses new sessions: connection exceptions (08…),
# shutdowns and start-up (57P01-57P03), too many connections (53300). A deadlock, a
# serialization failure or a cancelled statement are OperationalErrors too, but not outages.
_OUTAGE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def _is_outage(error: BaseException) -> bool:
    """Whether `error` says the server cannot be reached, rather than that a statement failed."""
    if isinstance(error, sa.TimeoutError | sa.InterfaceError | psycopg.InterfaceError):
        return True  # no connection free in the pool before its timeout; a closed connection
    if isinstance(error, sa.DBAPIError):
        return error.connection_invalidated or (error.orig is not None and _is_outage(error.orig))
    if isinstance(error, psycopg.errors.PipelineAborted):
        return False  # an earlier statement of the pipeline failed: that one says why
    if isinstance(error, psycopg.OperationalError):
        return error.sqlstate is None or error.sqlstate.startswith(_OUTAGE_STATES)
    return False


class Activations:
    """How many configurations were activated through one Database: counted when a version
    is stored active and again when its transaction ends. A configuration cached before the
    latest count is asked for again (services.configuration.organisation.LiveOrganisation).
    Owned by the Database, so by whoever made it (the app's lifespan, a job runner, a
    command), never by the process."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class Database:
    """Owns the engine; hands out sessions. The caller (request, job, command) owns the commit."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.activations = Activations()
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800
        )
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._bound: AsyncConnection | None = None
        self._plain = _PlainConnections(libpq_url(url), keep=2)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; losing the server in its work raises DatabaseUnavailable (the shells
        answer "retry shortly" without knowing SQLAlchemy or psycopg)."""
        try:
            async with self._session() as session:
                yield session
        except (sa.SQLAlchemyError, psycopg.Error) as error:
            if not _is_outage(error):
                raise
            raise DatabaseUnavailable() from error

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        if self._bound is not None:
            async with AsyncSession(
                bind=self._bound, join_transaction_mode="create_savepoint", expire_on_commit=False
            ) as session:
                yield session
            return
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def plain(self) -> AsyncIterator[AsyncSession]:
        """A unit of work on a plain psycopg connection, without SQLAlchemy's session: for the
        intake path, whose statements are all plain SQL (`driver()`, 0003). A transaction
        through a session cost 0.6 ms of CPU more than the same statements on the driver
        alone (docs/decisions/0022). What it
        yields is a `PlainSession`: `driver()`, commit, rollback; any ORM call fails loudly.
        Bound (tests), it is a savepoint of the bound transaction, as every session is."""
        if self._bound is not None:
            bound = (await self._bound.get_raw_connection()).driver_connection
            assert bound is not None
            nested = PlainSession(bound, nested=True)
            await bound.execute("SAVEPOINT unit")
            try:
                yield cast(AsyncSession, nested)
            finally:
                if nested.in_transaction():
                    await nested.rollback()
            return
        try:
            connection = await self._plain.take()
        except psycopg.Error as error:
            raise DatabaseUnavailable() from error
        try:
            yield cast(AsyncSession, PlainSession(connection))
        except psycopg.Error as error:
            if _is_outage(error):
                raise DatabaseUnavailable() from error
            raise
        finally:
            await self._plain.give_back(connection)

    def bind_to(self, connection: AsyncConnection | None) -> None:
        """Tests: run every session inside `connection`'s transaction (rolled back after)."""
        self._bound = connection

    async def dispose(self) -> None:
        await self._plain.close()
        await self.engine.dispose()


class _PlainConnections:
    """The plain units' connections of one Database: a unit takes an idle one or connects
    (failing at once when the server refuses, as the engine's pool does: a pool that waits
    for its background connections kept intake waiting 30 s in an outage), and gives it back
    to be kept if it is healthy. Intake uses one at a time per process; `keep` are kept."""

    def __init__(self, conninfo: str, *, keep: int) -> None:
        self._conninfo = conninfo
        self._keep = keep
        self._idle: list[psycopg.AsyncConnection[Any]] = []

    async def take(self) -> psycopg.AsyncConnection[Any]:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                return connection
        # Autocommit: its units begin their transactions themselves, with their first
        # statement (`begins_transaction`): psycopg's own BEGIN is a round trip of its own.
        # No preparing by psycopg: after a rollback it deallocates every prepared statement,
        # and `execute_together` prepares intake's statements itself (storage/together.py).
        return await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, prepare_threshold=None
        )

    async def give_back(self, connection: psycopg.AsyncConnection[Any]) -> None:
        """Keep `connection` if it is open and outside a transaction; roll back what its
        unit left uncommitted (the unit's owner commits), close it otherwise."""
        status = connection.info.transaction_status
        try:
            if not connection.closed and status != psycopg.pq.TransactionStatus.IDLE:
                await connection.rollback()
                status = connection.info.transaction_status
        except psycopg.Error:
            status = psycopg.pq.TransactionStatus.UNKNOWN
        if status == psycopg.pq.TransactionStatus.IDLE and len(self._idle) < self._keep:
            self._idle.append(connection)
        else:
            await connection.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()


class PlainSession:
    """The part of a session the intake path uses, on a plain psycopg connection
    (`Database.plain`): `driver()` finds the connection in `info`; commit and rollback end
    its transaction. Anything else a repository asks of it is an ORM call that has no place
    on this path: it fails at once, naming what was asked."""

    def __init__(self, connection: psycopg.AsyncConnection[Any], *, nested: bool = False) -> None:
        self.info: dict[str, Any] = {_DRIVER: connection}
        self._connection = connection
        self.nested = nested
        """Inside a bound test's transaction: savepoint `unit` stands for the transaction."""
        self._nested_open = nested

    @property
    def psycopg_connection(self) -> psycopg.AsyncConnection[Any]:
        """The unit's psycopg connection (not `connection`: an ORM call of that name must
        still fail, naming it)."""
        return self._connection

    def in_transaction(self) -> bool:
        if self.nested:
            return self._nested_open
        return self._connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    async def commit(self) -> None:
        if self.nested:
            await self._connection.execute("RELEASE SAVEPOINT unit")
            self._nested_open = False
        else:
            await self._connection.commit()

    async def rollback(self) -> None:
        if self.nested:
            await self._connection.execute("ROLLBACK TO SAVEPOINT unit")
            await self._connection.execute("RELEASE SAVEPOINT unit")
            self._nested_open = False
        else:
            await self._connection.rollback()

    def __getattr__(self, name: str) -> Any:
        raise TypeError(f"a plain unit of work has no ORM session ({name!r} asked)")


async def driver(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The psycopg connection under `session`, inside its transaction.

    The intake path (a dozen statements a lead) runs plain SQL on it: SQLAlchemy's work per
    statement (cache keys, compilation look-up, result and ORM rows) was about 40% of the
    server's CPU per lead (py-spy, docs/decisions/0003).
    """
    found = await connection_of(session)
    if begins_transaction(found):
        await found.execute("BEGIN")
    if take_savepoint(session):
        await found.execute("SAVEPOINT plain")
    return found


def begins_transaction(connection: psycopg.AsyncConnection[Any]) -> bool:
    """Whether the next statement on `connection` must begin a transaction itself: a plain
    unit's connection is in autocommit mode outside its transactions (`_PlainConnections`).

    psycopg begins a transaction by sending BEGIN and waiting for its answer before the
    statement, in pipeline mode too (a Sync after BEGIN): a round trip of each transaction
    spent on BEGIN alone (strace of a server under intake's bench, docs/decisions/0023). Sent
    as the first statement of the first round trip, it costs nothing more."""
    return (
        connection.autocommit
        and connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    )


async def connection_of(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The psycopg connection under `session` (asked of SQLAlchemy once, then kept)."""
    found: psycopg.AsyncConnection[Any] | None = session.info.get(_DRIVER)
    if found is None:
        connection = await session.connection()
        found = (await connection.get_raw_connection()).driver_connection
        assert found is not None
        session.info[_DRIVER] = found
    return found


def ask_savepoint(session: AsyncSession) -> None:
    """Ask for savepoint `plain` before the next plain statement of `session`: it is sent with
    that statement when that is `execute_together`'s (one round trip less), alone otherwise."""
    session.info[_SAVEPOINT] = True


def ask_commit(session: AsyncSession) -> None:
    """The unit's owner commits right after intake's batch write: that write may carry the
    COMMIT in its own round trip (0022). Taken once, by the next write that can."""
    session.info[_COMMIT] = True


def commit_asked(session: AsyncSession) -> bool:
    """Whether the write about to be sent may carry the COMMIT: asked for, and the unit is a
    transaction of its own (a plain unit, not one bound inside a test's transaction). No
    longer asked either way: a write after a failed one leaves the commit to the owner."""
    asked = bool(session.info.pop(_COMMIT, False))
    unit = cast(object, session)
    return asked and isinstance(unit, PlainSession) and not unit.nested


def savepoint_sent(session: AsyncSession) -> bool:
    """Whether savepoint `plain`, once asked for, was sent (otherwise nothing was done after
    it, and nothing needs undoing); it is no longer asked for either way."""
    return not take_savepoint(session)


def take_savepoint(session: AsyncSession) -> bool:
    """Whether savepoint `plain` is asked for and not yet sent: the statement about to be sent
    sends it, and it is no longer asked for."""
    return bool(session.info.pop(_SAVEPOINT, False))


_SAVEPOINT = "leadflow.savepoint"
"""Set while savepoint `plain` is asked for and not yet sent (`ask_savepoint`)."""

_COMMIT = "leadflow.commit"
"""Set while the unit's owner lets intake's batch write carry the COMMIT (`ask_commit`)."""

_DRIVER = "leadflow.driver"
"""Where a session keeps its transaction's psycopg connection (asking SQLAlchemy each time
cost 5% of intake's CPU)."""


@event.listens_for(Session, "after_transaction_end")
def _forget_driver(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the connection goes back to the pool
        session.info.pop(_DRIVER, None)
