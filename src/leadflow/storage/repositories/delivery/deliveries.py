"""Deliveries: which recipients each outbox message has reached, and the outbox look-ups that
delivery, its dead-letter list and the live event streams need."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import Delivery, OutboxMessage


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def done(self, outbox_ids: Iterable[int]) -> dict[int, set[str]]:
        """Recipients already reached, per message."""
        ids = list(outbox_ids)
        reached: dict[int, set[str]] = {key: set() for key in ids}
        if not ids:
            return reached
        rows = await self.session.execute(
            select(Delivery.outbox_id, Delivery.recipient).where(Delivery.outbox_id.in_(ids))
        )
        for outbox_id, recipient in rows:
            reached[outbox_id].add(recipient)
        return reached

    async def record(self, outbox_id: int, recipient: str) -> None:
        """Idempotent: recording the same send twice keeps one row."""
        await self.session.execute(
            insert(Delivery)
            .values(outbox_id=outbox_id, recipient=recipient)
            .on_conflict_do_nothing(constraint="deliveries_outbox_recipient")
        )

    async def of_message(self, outbox_id: int) -> list[Delivery]:
        statement = select(Delivery).where(Delivery.outbox_id == outbox_id).order_by(Delivery.id)
        return list((await self.session.execute(statement)).scalars())

    async def message(self, message_id: int, *, for_update: bool = False) -> OutboxMessage | None:
        statement = select(OutboxMessage).where(OutboxMessage.id == message_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def live_events(self, agent: str, after_id: int, limit: int) -> list[OutboxMessage]:
        """An agent's live (sse) events written after `after_id`, oldest first."""
        statement = (
            select(OutboxMessage)
            .where(
                OutboxMessage.channel == "sse",
                OutboxMessage.recipient == agent,
                OutboxMessage.id > after_id,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return list((await self.session.execute(statement)).scalars())
