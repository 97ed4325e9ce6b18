"""Signed-in browsers (web sessions) and the sign-in throttle's counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import SignInThrottle, User, WebSession


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, id_hash: str, user_id: int, expires_at: datetime) -> None:
        self.session.add(WebSession(id_hash=id_hash, user_id=user_id, expires_at=expires_at))
        await self.session.flush()

    async def resume(self, id_hash: str, now: datetime) -> tuple[User, list[Any]] | None:
        """The active user of the unexpired session `id_hash`, with its pending messages (every
        signed-in request asks: one statement)."""
        statement = (
            select(User, WebSession.flashes)
            .join(WebSession, WebSession.user_id == User.id)
            .where(WebSession.id_hash == id_hash, WebSession.expires_at > now, User.is_active)
        )
        row = (await self.session.execute(statement)).one_or_none()
        return None if row is None else (row[0], list(row[1]))

    async def set_flashes(self, id_hash: str, flashes: list[Any]) -> None:
        statement = update(WebSession).where(WebSession.id_hash == id_hash).values(flashes=flashes)
        await self.session.execute(statement)

    async def end(self, id_hash: str) -> None:
        await self.session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))

    async def end_all(self, user_id: int, *, keep: str | None = None) -> None:
        """End every session of the user but `keep` (the one that asked, if any)."""
        statement = delete(WebSession).where(WebSession.user_id == user_id)
        if keep is not None:
            statement = statement.where(WebSession.id_hash != keep)
        await self.session.execute(statement)

    async def drop_expired(self, user_id: int, now: datetime) -> None:
        statement = delete(WebSession).where(
            WebSession.user_id == user_id, WebSession.expires_at <= now
        )
        await self.session.execute(statement)


class ThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def blocked(self, keys: list[str], now: datetime) -> dict[str, datetime]:
        """Of `keys`, those refused at `now`, with the end of their block."""
        statement = select(SignInThrottle.key, SignInThrottle.blocked_until).where(
            SignInThrottle.key.in_(keys), SignInThrottle.blocked_until > now
        )
        rows = (await self.session.execute(statement)).all()
        return {key: until for key, until in rows if until is not None}

    async def fail(
        self, key: str, now: datetime, *, limit: int, window: timedelta, lockout: timedelta
    ) -> None:
        """Count a failure of `key` (a new window once the last one passed); the `limit`-th
        failure in a window blocks `key` for `lockout`. One statement: concurrent failures
        all count."""
        table = SignInThrottle.__table__
        stale = table.c.window_started_at <= now - window
        failures = case((stale, 1), else_=table.c.failures + 1)
        statement = insert(SignInThrottle).values(
            key=key,
            failures=1,
            window_started_at=now,
            blocked_until=now + lockout if limit <= 1 else None,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": failures,
                "window_started_at": case((stale, now), else_=table.c.window_started_at),
                "blocked_until": case(
                    (failures >= limit, now + lockout), else_=table.c.blocked_until
                ),
            },
        )
        await self.session.execute(statement)

    async def clear(self, key: str) -> None:
        await self.session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))
