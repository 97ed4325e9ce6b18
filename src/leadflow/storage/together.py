"""Statements sent together, in one round trip, on a session's psycopg connection: intake's
claims and its batch write (docs/decisions/0022, 0023, 0024)."""

from __future__ import annotations

import functools
import itertools
import re
import weakref
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import psycopg
from psycopg.adapt import Transformer
from psycopg.rows import tuple_row
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import begins_transaction, connection_of, take_savepoint


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
    connection = await connection_of(session)
    if connection.prepare_threshold is not None:
        return await _pipelined(session, connection, statements, row_factory, commit=commit)
    prepared = _Prepared.of(connection)
    parts: list[bytes] = []
    if begins_transaction(connection):
        parts.append(b"BEGIN")
    if take_savepoint(session):
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
        if begins_transaction(connection):
            await connection.execute("BEGIN")
        if take_savepoint(session):
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
