"""The dashboards' trends: the daily rollup's day rows (migration 0006) read back per day rather
than summed over the period, in the shapes of the period's queries (`Counted`, `Histogram`).
The days not in the rollup are counted live by `DashboardRepository`, as for the period."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.repositories.reporting.dashboard_rollups import speed, totals
from leadflow.storage.repositories.reporting.dashboards import Counted, Histogram, LeadFilter

_TOTALS = ("leads", "contacted", "within_5_min", "breaches", "won")


class DashboardTrends:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def daily_totals(
        self, where: LeadFilter, first: date, last: date
    ) -> list[tuple[date, Counted]]:
        """Per day of [first, last): the period's `total` row of that day (days with no lead
        are left out)."""
        day = totals.c.day
        sums = [func.sum(totals.c[name]).cast(Integer) for name in _TOTALS]
        statement = (
            select(day, *sums)
            .where(
                totals.c.days == 1,
                day >= first,
                day < last,
                where.scope(totals.c.owner_agent_key, totals.c.pipeline_key),
            )
            .group_by(day)
            .order_by(day)
        )
        rows = await self.session.execute(statement)
        return [(found, Counted("total", (), *figures)) for found, *figures in rows]

    async def daily_speed(
        self, where: LeadFilter, first: date, last: date
    ) -> list[tuple[date, Histogram]]:
        """Per day of [first, last): the histogram of seconds to first contact (all owners)."""
        day = speed.c.day
        statement = (
            select(
                day,
                speed.c.bucket,
                func.sum(speed.c.contacts).cast(Integer),
                func.min(speed.c.smallest_s),
                func.max(speed.c.largest_s),
            )
            .where(
                speed.c.days == 1,
                day >= first,
                day < last,
                where.scope(speed.c.owner_agent_key, speed.c.pipeline_key),
            )
            .group_by(day, speed.c.bucket)
        )
        rows = await self.session.execute(statement)
        return [(found, Histogram(None, *rest)) for found, *rest in rows]
