"""One PostgreSQL connection LISTENing on a channel for the whole process, reconnecting after a
failure, handing every notification's payload to a callback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import psycopg
import structlog
from psycopg import sql

log = structlog.get_logger(__name__)


class ListenerUnavailable(Exception):
    def __init__(self, channel: str, waited: float) -> None:
        super().__init__(f"could not LISTEN on {channel!r} within {waited:.0f} s")


class Listener:
    def __init__(
        self,
        conninfo: str,
        channel: str,
        on_message: Callable[[str], None],
        *,
        retry_after: float = 1.0,
    ) -> None:
        self.conninfo = conninfo
        self.channel = channel
        self.on_message = on_message
        self.retry_after = retry_after
        self._listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, patience: float = 10.0) -> None:
        """Listen from now on (idempotent); returns once LISTEN is in force."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"listen {self.channel}")
        try:
            await asyncio.wait_for(self._listening.wait(), patience)
        except TimeoutError:
            raise ListenerUnavailable(self.channel, patience) from None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._listening.clear()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                # Notifications sent while reconnecting are lost; readers catch up on their own
                # (an event stream resumes from Last-Event-ID, delivery polls on a schedule).
                self._listening.clear()
                log.warning("listen connection lost", channel=self.channel, error=str(exc))
                await asyncio.sleep(self.retry_after)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True
        ) as connection:
            await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._listening.set()
            async for notification in connection.notifies():
                self.on_message(notification.payload)
