"""Past leads with their activities, in batches: what the automation dry run reads."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import Activity, Lead


class HistoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_between(self, start: datetime, end: datetime) -> int:
        query = select(func.count()).where(Lead.received_at >= start, Lead.received_at < end)
        return int((await self.session.execute(query)).scalar_one())

    async def leads_between(
        self, start: datetime, end: datetime, *, after_id: int, limit: int
    ) -> list[tuple[Lead, list[Activity]]]:
        """Leads received in [start, end) with ids above `after_id`, by id, each with its
        activities oldest first."""
        leads = list(
            (
                await self.session.execute(
                    select(Lead)
                    .where(Lead.received_at >= start, Lead.received_at < end, Lead.id > after_id)
                    .order_by(Lead.id)
                    .limit(limit)
                )
            ).scalars()
        )
        if not leads:
            return []
        rows = await self.session.execute(
            select(Activity)
            .where(Activity.lead_id.in_([lead.id for lead in leads]))
            .order_by(Activity.lead_id, Activity.occurred_at, Activity.id)
        )
        by_lead: dict[int, list[Activity]] = defaultdict(list)
        for activity in rows.scalars():
            by_lead[activity.lead_id].append(activity)
        return [(lead, by_lead[lead.id]) for lead in leads]
