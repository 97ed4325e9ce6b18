"""Read models for the home pages: a viewer's leads, lead counts by a dimension, activity totals.

Every query takes the viewer's lead scope as plain arguments (everything, or owner agents and
pipelines), so one statement serves any role and pages never loop over rows to filter them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    SmallInteger,
    and_,
    case,
    cast,
    false,
    func,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.repositories.leads.leads import waiting_now
from leadflow.storage.tables import ApiToken, Lead

MIX_DIMENSIONS: dict[str, Any] = {  # what the lead mix is broken down by
    "country": Lead.country,
    "language": Lead.language,
    "source": Lead.source,
    "campaign": Lead.utm_campaign,
    "treatment": Lead.treatment,
}

TEST = "test"
"""The routing status of a vendor's test lead: kept out of the dashboards."""


@dataclass(frozen=True)
class LeadFilter:
    """Leads received in [start, end), within a viewer's scope, optionally of one pipeline."""

    start: datetime
    end: datetime
    everything: bool
    agents: frozenset[str] = field(default_factory=frozenset)
    pipelines: frozenset[str] = field(default_factory=frozenset)
    pipeline: str | None = None

    def scope(self, owner: Any = Lead.owner_agent_key, pipeline: Any = Lead.pipeline_key) -> Any:
        """The scope and pipeline, whenever the leads were received (of the leads table, or of
        a rollup table's `owner` and `pipeline` columns)."""
        scoped = _scoped(self.everything, self.agents, self.pipelines, owner, pipeline)
        return and_(scoped, pipeline == self.pipeline) if self.pipeline else scoped

    def period(self) -> ColumnElement[bool]:
        return and_(Lead.received_at >= self.start, Lead.received_at < self.end, self.scope())


PERIOD_SETS: dict[str, tuple[Any, ...]] = {
    **{name: (column,) for name, column in MIX_DIMENSIONS.items()},
    "stage": (Lead.stage_key,),
    "pool": (Lead.pipeline_key, Lead.owner_agent_key),
    "agent": (Lead.owner_agent_key,),
    "total": (),
}
"""The groups the dashboards count the period's leads by (`agent`: the owner; `pool`: pipeline
and owner). A team's counts are its agents' counts added up."""

_PERIOD_COLUMNS: list[Any] = []
for _columns in PERIOD_SETS.values():
    _PERIOD_COLUMNS += [c for c in _columns if not any(c is known for known in _PERIOD_COLUMNS)]


def _mask(columns: tuple[Any, ...]) -> int:
    """GROUPING() of `_PERIOD_COLUMNS`: a bit (first column highest) for each column left out."""
    size = len(_PERIOD_COLUMNS)
    return sum(
        1 << (size - 1 - i)
        for i, c in enumerate(_PERIOD_COLUMNS)
        if not any(c is kept for kept in columns)
    )


def _position(column: Any) -> int:
    return next(i for i, c in enumerate(_PERIOD_COLUMNS) if c is column)


_SET_OF_MASK = {_mask(columns): name for name, columns in PERIOD_SETS.items()}


@dataclass(frozen=True)
class Counted:
    """The counts of one group: `group` names the `PERIOD_SETS` entry, `keys` its values."""

    group: str
    keys: tuple[str | None, ...]
    leads: int
    contacted: int
    within_5_min: int
    breaches: int
    won: int


@dataclass(frozen=True)
class Histogram:
    """Contacted leads of one owner whose seconds to first contact fall in one bucket."""

    agent: str | None
    bucket: int
    contacts: int
    smallest_s: float
    largest_s: float


def seconds_to_contact() -> Any:
    return cast(func.extract("epoch", Lead.first_contact_at - Lead.received_at), Float)


def speed_bucket(seconds: Any) -> Any:
    """The histogram bucket of a number of seconds: 5-second buckets below a minute (0–11),
    then 16 per factor of five (each at most 10.6% wide, one edge at 300 s); -1 below zero."""
    return cast(
        case(
            (seconds < 0, -1),
            (seconds < 60, func.floor(seconds / 5)),
            else_=12 + func.floor(16 * func.ln(seconds / 60) / func.ln(5)),
        ),
        SmallInteger,
    )


def _scoped(
    everything: bool,
    agents: Collection[str],
    pipelines: Collection[str],
    owner: Any = Lead.owner_agent_key,
    pipeline: Any = Lead.pipeline_key,
) -> Any:
    if everything:
        # A vendor's test lead (routing status `test`) has no owner or pipeline, so narrower
        # scopes never see it; the rollups leave it out when they are computed.
        return Lead.routing_status != TEST if owner is Lead.owner_agent_key else true()
    conditions: list[ColumnElement[bool]] = []
    if agents:
        conditions.append(owner.in_(sorted(agents)))
    if pipelines:
        conditions.append(pipeline.in_(sorted(pipelines)))
    return or_(*conditions) if conditions else false()


def _figures(now: datetime) -> list[Any]:
    """Leads, contacted, contacted within five minutes, SLA breaches (a first contact after the
    deadline, or none yet with the deadline past) and won: `Counted`'s figures."""
    late = Lead.sla_due_at.is_not(None) & (
        func.coalesce(Lead.first_contact_at, now) > Lead.sla_due_at
    )
    return [
        func.count(),
        func.count(Lead.first_contact_at),
        func.count().filter(seconds_to_contact() <= 300),
        func.count().filter(late),
        func.count().filter(Lead.stage_key == "won"),
    ]


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
            func.count().filter(waiting_now()),
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

    async def tune_for_reports(self) -> None:
        """Sorts for percentiles stay in memory, and no JIT compile time on a page request."""
        await self.session.execute(text("SET LOCAL work_mem = '64MB'"))
        await self.session.execute(text("SET LOCAL jit = off"))

    async def period_counts(self, where: LeadFilter, now: datetime) -> list[Counted]:
        """Every count of the period in one pass over its leads (GROUPING SETS): per value of
        each `PERIOD_SETS` entry, leads, contacted, contacted within five minutes, SLA breaches
        (a first contact after the deadline, or none yet with the deadline past) and won."""
        statement = (
            select(func.grouping(*_PERIOD_COLUMNS), *_PERIOD_COLUMNS, *_figures(now))
            .where(where.period())
            .group_by(func.grouping_sets(*(tuple_(*c) for c in PERIOD_SETS.values())))
        )
        found = []
        for mask, *values in await self.session.execute(statement):
            name = _SET_OF_MASK[mask]
            keys = tuple(values[_position(c)] for c in PERIOD_SETS[name])
            found.append(Counted(name, keys, *values[len(_PERIOD_COLUMNS) :]))
        return found

    async def period_total(self, where: LeadFilter, now: datetime) -> Counted:
        """`period_counts`' `total` row alone (the previous period's headline figures)."""
        statement = select(*_figures(now)).where(where.period())
        leads, contacted, fast, breaches, won = (await self.session.execute(statement)).one()
        return Counted("total", (), leads, contacted, fast, breaches, won)

    async def speed_histogram(self, where: LeadFilter) -> list[Histogram]:
        """Seconds to first contact of the period's contacted leads, per owner and bucket."""
        seconds = seconds_to_contact()
        bucket = speed_bucket(seconds)
        statement = (
            select(Lead.owner_agent_key, bucket, func.count(), func.min(seconds), func.max(seconds))
            .where(where.period(), Lead.first_contact_at.is_not(None))
            .group_by(Lead.owner_agent_key, bucket)
        )
        return [Histogram(*row) for row in await self.session.execute(statement)]

    async def queue(self, where: LeadFilter) -> list[tuple[str | None, int, datetime]]:
        """Leads waiting for an agent now (whenever received): per pipeline, count and oldest."""
        statement = (
            select(Lead.pipeline_key, func.count(), func.min(Lead.received_at))
            .where(waiting_now(), where.scope())
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
