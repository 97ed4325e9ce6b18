"""Read models for the home pages: a viewer's leads, lead counts by a dimension, activity totals.

Every query takes the viewer's lead scope as plain arguments (everything, or owner agents and
pipelines), so one statement serves any role and pages never loop over rows to filter them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, false, func, or_, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import Agent, ApiToken, Lead

MIX_DIMENSIONS: dict[str, Any] = {
    "country": Lead.country,
    "language": Lead.language,
    "source": Lead.source,
    "campaign": Lead.utm_campaign,
    "treatment": Lead.treatment,
}
"""What the manager's lead mix is broken down by, read in one pass (GROUPING SETS)."""

WAITING = ("queued", "unassigned", "unrouted")
"""Routing statuses of a lead that still has no agent."""


@dataclass(frozen=True)
class LeadFilter:
    """Leads received in [start, end), within a viewer's scope, optionally of one pipeline."""

    start: datetime
    end: datetime
    everything: bool
    agents: frozenset[str] = field(default_factory=frozenset)
    pipelines: frozenset[str] = field(default_factory=frozenset)
    pipeline: str | None = None

    def scope(self) -> ColumnElement[bool]:
        """The scope and pipeline, whenever the leads were received."""
        scoped = _scoped(self.everything, self.agents, self.pipelines)
        return and_(scoped, Lead.pipeline_key == self.pipeline) if self.pipeline else scoped

    def period(self) -> ColumnElement[bool]:
        return and_(Lead.received_at >= self.start, Lead.received_at < self.end, self.scope())


def _seconds_to_contact() -> Any:
    return func.extract("epoch", Lead.first_contact_at - Lead.received_at)


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
        pipeline: str | None = None,
        open_only: bool = False,
        limit: int = 50,
    ) -> list[Lead]:
        scoped = _scoped(everything, agents, pipelines)
        statement = (
            select(Lead)
            .where(and_(scoped, Lead.pipeline_key == pipeline) if pipeline else scoped)
            .order_by(Lead.received_at.desc(), Lead.id.desc())
            .limit(limit)
        )
        if open_only:
            statement = statement.where(Lead.closed_at.is_(None))
        return list((await self.session.execute(statement)).scalars())

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

    async def mix(self, where: LeadFilter) -> list[tuple[str, str | None, int]]:
        """(dimension, value, leads) for every dimension of `MIX_DIMENSIONS`, largest first."""
        columns = list(MIX_DIMENSIONS.values())
        statement = (
            select(func.grouping(*columns), *columns, func.count())
            .where(where.period())
            .group_by(func.grouping_sets(*columns))
            .order_by(func.count().desc())
        )
        names = list(MIX_DIMENSIONS)
        found = []
        for mask, *values, count in await self.session.execute(statement):
            # GROUPING() sets a bit for each column left out; exactly one is kept per set.
            index = next(i for i in range(len(names)) if not mask & (1 << (len(names) - 1 - i)))
            found.append((names[index], values[index], count))
        return sorted(found, key=lambda row: (row[0], -row[2], row[1] or ""))

    async def speed(self, where: LeadFilter, now: datetime) -> list[Row[Any]]:
        """Per owner's team and per owner, and overall: leads, contacted, contacted within five
        minutes, median and 90th percentile seconds to first contact, SLA breaches, won.

        `level` is 3 for the total, 1 for a team, 0 for an agent (NULL team: no owner).
        """
        seconds = _seconds_to_contact()
        late = Lead.sla_due_at.is_not(None) & (
            func.coalesce(Lead.first_contact_at, now) > Lead.sla_due_at
        )
        statement = (
            select(
                func.grouping(Agent.team_key, Lead.owner_agent_key).label("level"),
                Agent.team_key.label("team"),
                Lead.owner_agent_key.label("agent"),
                func.count().label("leads"),
                func.count(Lead.first_contact_at).label("contacted"),
                func.count().filter(seconds <= 300).label("within_5_min"),
                func.percentile_cont(0.5).within_group(seconds).label("median_s"),
                func.percentile_cont(0.9).within_group(seconds).label("p90_s"),
                func.count().filter(late).label("breaches"),
                func.count().filter(Lead.stage_key == "won").label("won"),
            )
            .select_from(Lead)
            .outerjoin(Agent, Agent.key == Lead.owner_agent_key)
            .where(where.period())
            .group_by(
                func.grouping_sets(
                    tuple_(), tuple_(Agent.team_key), tuple_(Agent.team_key, Lead.owner_agent_key)
                )
            )
        )
        return list(await self.session.execute(statement))

    async def stages(self, where: LeadFilter) -> list[tuple[str | None, int]]:
        """Leads of the period by their current stage."""
        statement = (
            select(Lead.stage_key, func.count()).where(where.period()).group_by(Lead.stage_key)
        )
        return [(stage, count) for stage, count in await self.session.execute(statement)]

    async def pool_shares(self, where: LeadFilter) -> list[tuple[str | None, str | None, int]]:
        """(pipeline, owner, leads) of the period: how each pool's leads ended up shared."""
        statement = (
            select(Lead.pipeline_key, Lead.owner_agent_key, func.count())
            .where(
                where.period(), Lead.pipeline_key.is_not(None), Lead.owner_agent_key.is_not(None)
            )
            .group_by(Lead.pipeline_key, Lead.owner_agent_key)
        )
        return [(p, a, count) for p, a, count in await self.session.execute(statement)]

    async def queue(self, where: LeadFilter) -> list[tuple[str | None, int, datetime]]:
        """Leads waiting for an agent now (whenever received): per pipeline, count and oldest."""
        statement = (
            select(Lead.pipeline_key, func.count(), func.min(Lead.received_at))
            .where(Lead.routing_status.in_(WAITING), where.scope())
            .group_by(Lead.pipeline_key)
            .order_by(func.min(Lead.received_at))
        )
        return [(p, count, oldest) for p, count, oldest in await self.session.execute(statement)]

    async def overdue(self, where: LeadFilter, now: datetime) -> list[tuple[str | None, int]]:
        """Open leads past their first-contact deadline now, per owner."""
        statement = (
            select(Lead.owner_agent_key, func.count())
            .where(
                Lead.first_contact_at.is_(None),
                Lead.sla_due_at.is_not(None),
                Lead.sla_due_at < now,
                Lead.closed_at.is_(None),
                where.scope(),
            )
            .group_by(Lead.owner_agent_key)
        )
        return [(agent, count) for agent, count in await self.session.execute(statement)]
