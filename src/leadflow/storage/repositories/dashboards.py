"""Read models for the home pages: a viewer's leads, lead counts by a dimension, activity totals.

Every query takes the viewer's lead scope as plain arguments (everything, or owner agents and
pipelines), so one statement serves any role and pages never loop over rows to filter them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import ApiToken, Lead

Dimension = Literal["country", "source", "language", "treatment", "routing_status"]
_DIMENSIONS: dict[str, Any] = {
    "country": Lead.country,
    "source": Lead.source,
    "language": Lead.language,
    "treatment": Lead.treatment,
    "routing_status": Lead.routing_status,
}


def _scoped(everything: bool, agents: Collection[str], pipelines: Collection[str]) -> Any:
    if everything:
        return true()
    conditions: list[ColumnElement[bool]] = []
    if agents:
        conditions.append(Lead.owner_agent_key.in_(sorted(agents)))
    if pipelines:
        conditions.append(Lead.pipeline_key.in_(sorted(pipelines)))
    return or_(*conditions) if conditions else false()


class DashboardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recent_leads(
        self,
        *,
        everything: bool,
        agents: Collection[str] = (),
        pipelines: Collection[str] = (),
        open_only: bool = False,
        limit: int = 50,
    ) -> list[Lead]:
        statement = (
            select(Lead)
            .where(_scoped(everything, agents, pipelines))
            .order_by(Lead.received_at.desc(), Lead.id.desc())
            .limit(limit)
        )
        if open_only:
            statement = statement.where(Lead.closed_at.is_(None))
        return list((await self.session.execute(statement)).scalars())

    async def counts_by(
        self,
        dimension: Dimension,
        start: datetime,
        end: datetime,
        *,
        everything: bool,
        agents: Collection[str] = (),
        pipelines: Collection[str] = (),
    ) -> list[tuple[str | None, int]]:
        """Leads received in [start, end) per value of `dimension`, largest first."""
        column = _DIMENSIONS[dimension]
        statement = (
            select(column, func.count())
            .where(
                Lead.received_at >= start,
                Lead.received_at < end,
                _scoped(everything, agents, pipelines),
            )
            .group_by(column)
            .order_by(func.count().desc(), column)
        )
        return [(value, count) for value, count in await self.session.execute(statement)]

    async def lead_totals(
        self,
        since: datetime,
        *,
        everything: bool,
        agents: Collection[str] = (),
        pipelines: Collection[str] = (),
    ) -> dict[str, int]:
        """Received since `since`; of those, still waiting for an agent; open leads overall.

        Two statements, so each reads only its index range (recent leads; open leads).
        """
        scope = _scoped(everything, agents, pipelines)
        recent = select(
            func.count(),
            func.count().filter(Lead.routing_status.in_(("queued", "unassigned", "unrouted"))),
        ).where(Lead.received_at >= since, scope)
        received, waiting = (await self.session.execute(recent)).one()
        still_open = (
            select(func.count())
            .select_from(Lead)
            .where(Lead.closed_at.is_(None), Lead.owner_agent_key.is_not(None), scope)
        )
        open_ = (await self.session.execute(still_open)).scalar_one()
        return {"received": received, "waiting": waiting, "open": open_}

    async def live_token_count(self) -> int:
        statement = select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))
        return (await self.session.execute(statement)).scalar_one()
