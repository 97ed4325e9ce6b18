"""The transactional outbox: side effects written with the change that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver
from leadflow.storage.tables import OutboxMessage


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        topic: str,
        channel: str,
        recipient: str | None,
        payload: dict[str, Any],
        idempotency_key: str,
    ) -> None:
        """Idempotent: the same key twice is one message."""
        await self.session.execute(
            insert(OutboxMessage)
            .values(
                topic=topic,
                channel=channel,
                recipient=recipient,
                payload=payload,
                idempotency_key=idempotency_key,
            )
            .on_conflict_do_nothing(constraint="outbox_idempotency_key")
        )

    async def claim_due(self, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        """Pending messages due by `now`, locked for this worker (others skip them)."""
        statement = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.execute(statement)).scalars())

    async def mark(self, message_id: int, **values: Any) -> None:
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
        )

    async def mark_delivered(self, message_ids: list[int], at: datetime) -> None:
        """Settle the messages that reached everyone, in one statement."""
        if message_ids:
            connection = await driver(self.session)
            await connection.execute(
                "UPDATE outbox SET status = 'delivered', attempts = attempts + 1,"
                " delivered_at = %s, last_error = NULL WHERE id = ANY(%s)",
                (at, message_ids),
            )

    async def listing(self, status: str | None = None, limit: int = 100) -> list[OutboxMessage]:
        statement = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if status:
            statement = statement.where(OutboxMessage.status == status)
        return list((await self.session.execute(statement)).scalars())
