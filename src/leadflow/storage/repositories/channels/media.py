"""The files people sent in messages (`message_media`): stored once downloaded, listed per lead
without their bytes, and read back with them for a download."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from leadflow.storage.tables import MessageMedia


class MediaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> int:
        statement = insert(MessageMedia).values(**values).returning(MessageMedia.id)
        return int((await self.session.execute(statement)).scalar_one())

    async def of_lead(self, lead_id: int) -> list[MessageMedia]:
        """The lead's files, oldest first, without their bytes."""
        statement = (
            select(MessageMedia)
            .options(defer(MessageMedia.content))
            .where(MessageMedia.lead_id == lead_id)
            .order_by(MessageMedia.id)
        )
        return list((await self.session.execute(statement)).scalars())

    async def get(self, lead_id: int, media_id: int) -> MessageMedia | None:
        """One file of the lead, with its bytes (None when it is another lead's)."""
        statement = select(MessageMedia).where(
            MessageMedia.id == media_id, MessageMedia.lead_id == lead_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()
