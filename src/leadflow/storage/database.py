"""The async engine and sessions. Only storage touches SQLAlchemy."""

from __future__ import annotations

import functools
import itertools
import re
import weakref
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, cast

import psycopg
from psycopg.adapt import Transformer
from psycopg.rows import tuple_row
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
        # statement (`_begins`): psycopg's own BEGIN is a round trip of its own. No preparing
        # by psycopg: after a rollback it deallocates every prepared statement, and
        # `execute_together` prepares intake's statements itself (`_Prepared`).
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
    found = await _driver(session)
    if _begins(found):
        await found.execute("BEGIN")
    if session.info.pop(_SAVEPOINT, False):
        await found.execute("SAVEPOINT plain")
    return found


def _begins(connection: psycopg.AsyncConnection[Any]) -> bool:
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


async def _driver(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
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
    return not session.info.pop(_SAVEPOINT, False)


async def execute_together(
    session: AsyncSession,
    statements: Sequence[tuple[str, Any]],
    row_factory: Any = tuple_row,
    *,
    commit: bool = False,
) -> list[list[Any]]:
    """Run statements on `session`'s psycopg connection in order, in one message and one round
    trip, and return each one's rows. The BEGIN of a plain unit's transaction, a savepoint
    asked for and, with `commit`, the COMMIT go in the same message; the COMMIT is not
    executed when a statement before it fails (the transaction is then in error).

    On a plain unit's connection the message is one simple query of EXECUTEs of statements
    prepared on the connection the first time each is sent (`_Prepared`), their parameters as
    literals: psycopg's pipeline sent each statement, the Sync and a flush request on their
    own, and its work per statement cost more than the statement (docs/decisions/0024). On
    the ORM's connections they go in psycopg's pipeline (`_pipelined`)."""
    if not statements:
        return []
    connection = await _driver(session)
    if connection.prepare_threshold is not None:
        return await _pipelined(session, connection, statements, row_factory, commit=commit)
    prepared = _Prepared.of(connection)
    parts: list[bytes] = []
    if _begins(connection):
        parts.append(b"BEGIN")
    if session.info.pop(_SAVEPOINT, False):
        parts.append(b"SAVEPOINT plain")
    executes = []
    for sql, params in statements:
        name, preparing = prepared.name(sql)
        if preparing is not None:
            parts.append(preparing)
        executes.append(len(parts))
        parts.append(prepared.execute(name, sql, params))
    if commit:
        parts.append(b"COMMIT")
    cursor = connection.cursor(row_factory=row_factory)
    try:
        await cursor.execute(b"; ".join(parts), prepare=False)
    except BaseException:  # an error, or cancelled: which PREPAREs ran is unknown
        prepared.unsure()
        raise
    prepared.confirmed()
    rows: list[list[Any]] = []
    at = 0
    for index in executes:
        while at < index:
            cursor.nextset()
            at += 1
        rows.append(await cursor.fetchall())
    return rows


async def _pipelined(
    session: AsyncSession,
    connection: psycopg.AsyncConnection[Any],
    statements: Sequence[tuple[str, Any]],
    row_factory: Any,
    *,
    commit: bool,
) -> list[list[Any]]:
    """`execute_together` on a connection psycopg prepares statements on itself (the ORM's):
    psycopg deallocates every prepared statement after a rollback, its own and `_Prepared`'s,
    so the statements go in its pipeline (a send for each, a Sync and a flush request)."""
    cursors: list[psycopg.AsyncCursor[Any]] = []
    async with connection.pipeline():
        if _begins(connection):
            await connection.execute("BEGIN")
        if session.info.pop(_SAVEPOINT, False):
            await connection.execute("SAVEPOINT plain")
        for sql, params in statements:
            cursor = connection.cursor(row_factory=row_factory)
            await cursor.execute(sql, params)
            cursors.append(cursor)
        if commit:  # a statement of the pipeline: connection.commit() would sync once more
            await connection.execute("COMMIT")
    return [await cursor.fetchall() for cursor in cursors]


class _Prepared:
    """The statements `execute_together` prepared on one connection, by their SQL: PREPARE
    once (the server plans them as psycopg's own prepared statements), then EXECUTE with
    literals. A prepared statement outlives a rolled-back transaction; after a message that
    failed, which of its PREPAREs ran is unknown, and its statements are prepared again under
    new names."""

    _all: ClassVar[weakref.WeakKeyDictionary[psycopg.AsyncConnection[Any], _Prepared]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._names: dict[str, str] = {}
        self._sent: list[str] = []
        self._literals = Transformer(connection)

    @classmethod
    def of(cls, connection: psycopg.AsyncConnection[Any]) -> _Prepared:
        found = cls._all.get(connection)
        if found is None:
            found = cls._all[connection] = cls(connection)
        return found

    def name(self, sql: str) -> tuple[str, bytes | None]:
        """The statement's name, and the PREPARE to send before its first EXECUTE."""
        if (name := self._names.get(sql)) is not None:
            return name, None
        name = self._names[sql] = f"leadflow_{next(_NAMES)}"
        self._sent.append(sql)
        return name, f"PREPARE {name} AS {_numbered(sql)[0]}".encode()

    def execute(self, name: str, sql: str, params: Any) -> bytes:
        order = _numbered(sql)[1]
        if not order:
            return b"EXECUTE " + name.encode()
        values = [params[key] for key in order] if isinstance(params, Mapping) else params
        literal = self._literals.as_literal
        return b"EXECUTE %s(%s)" % (name.encode(), b", ".join(literal(v) for v in values))

    def unsure(self) -> None:
        for sql in self._sent:
            self._names.pop(sql, None)
        self._sent.clear()

    def confirmed(self) -> None:
        self._sent.clear()


_NAMES = itertools.count(1)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s|%%")


@functools.cache
def _numbered(sql: str) -> tuple[str, tuple[str | int, ...]]:
    """`sql` with psycopg's placeholders (`%s`, `%(name)s`) numbered as a prepared
    statement's ($1, $2…), and what each number takes: a parameter's name or position."""
    order: list[str | int] = []
    positions = itertools.count()

    def number(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        key: str | int = match.group(1) or next(positions)
        if key not in order:
            order.append(key)
        return f"${order.index(key) + 1}"

    return _PLACEHOLDER.sub(number, sql), tuple(order)


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
