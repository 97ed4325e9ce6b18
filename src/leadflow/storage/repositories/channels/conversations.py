"""Conversations on a messaging channel: the message activities of a lead's contact, found by
the vendor's own message id (WhatsApp's `wamid`, kept in `detail`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import Activity, Lead


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def message(
        self, channel: str, wamid: str, *, for_update: bool = False
    ) -> Activity | None:
        """The message activity with this vendor message id (index activities_whatsapp_message)."""
        statement = select(Activity).where(
            Activity.channel == channel, Activity.detail["wamid"].astext == wamid
        )
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement.limit(1))).scalar_one_or_none()

    async def activity(self, activity_id: int, *, for_update: bool = False) -> Activity | None:
        statement = select(Activity).where(Activity.id == activity_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def set_detail(self, activity_id: int, detail: dict[str, Any]) -> None:
        await self.session.execute(
            update(Activity).where(Activity.id == activity_id).values(detail=detail)
        )

    async def last_inbound(self, contact_id: int, channel: str) -> datetime | None:
        """When the contact last wrote on `channel`, over all their leads."""
        statement = (
            select(func.max(Activity.occurred_at))
            .join(Lead, Lead.id == Activity.lead_id)
            .where(
                Lead.contact_id == contact_id,
                Activity.kind == "message",
                Activity.channel == channel,
                Activity.direction == "inbound",
            )
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def messages(self, lead_id: int, channel: str, limit: int = 50) -> list[Activity]:
        """The lead's messages on `channel`, newest first."""
        statement = (
            select(Activity)
            .where(
                Activity.lead_id == lead_id,
                Activity.kind == "message",
                Activity.channel == channel,
            )
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(statement)).scalars())
