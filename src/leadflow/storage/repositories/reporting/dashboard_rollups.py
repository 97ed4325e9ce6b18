"""The dashboards' daily rollups (migration 0006): recomputing days from the leads table, and
reading a period's complete days back in the same shapes as the live queries.

A day is a calendar day in the rollup's time zone; each table holds per day, owner and
pipeline (what a viewer's scope selects on) the additive figures: the totals, the lead mix and a
histogram of seconds to first contact. See docs/decisions/0002-dashboard-rollups.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    case,
    cast,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.repositories.reporting.dashboards import (
    MIX_DIMENSIONS,
    Counted,
    Histogram,
    LeadFilter,
    seconds_to_contact,
    speed_bucket,
)
from leadflow.storage.tables import Lead

_metadata = MetaData()


def _day_table(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        _metadata,
        Column("day", Date),
        Column("days", SmallInteger),
        Column("owner_agent_key", String(64)),
        Column("pipeline_key", String(64)),
        *columns,
    )


state = Table(
    "dashboard_rollup_state",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("zone", Text),
    Column("refreshed_at", DateTime(timezone=True)),
)
changed_days = Table("dashboard_changed_days", _metadata, Column("day", Date, primary_key=True))
totals = _day_table(
    "dashboard_day_totals",
    *(Column(name, Integer) for name in ("leads", "contacted", "within_5_min", "breaches", "won")),
)
mix = _day_table(
    "dashboard_day_mix",
    Column("dimension", String(16)),
    Column("value", Text),
    Column("leads", Integer),
)
speed = _day_table(
    "dashboard_day_speed",
    Column("bucket", SmallInteger),
    Column("contacts", Integer),
    Column("smallest_s", Float),
    Column("largest_s", Float),
)

MIX_SETS: dict[str, Any] = {**MIX_DIMENSIONS, "stage": Lead.stage_key}
"""The lead mix's dimensions and the funnel's stage, each a row set of `dashboard_day_mix`."""


@dataclass(frozen=True)
class RollupState:
    zone: str
    refreshed_at: datetime | None
    """None until the first build (or after the time zone changed): nothing to read yet."""
    generation: str = ""
    """Changes whenever the rollup does (the state row's transaction id, written by every
    refresh in the transaction that writes the rows): figures read from one generation can be
    kept until the next."""


class DashboardRollups:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def state(self, *, for_update: bool = False) -> RollupState | None:
        generation: Any = literal_column("current_database() || ':' || xmin::text")
        statement = select(state.c.zone, state.c.refreshed_at, generation).where(state.c.id == 1)
        if for_update:
            statement = statement.with_for_update()
        row = (await self.session.execute(statement)).one_or_none()
        return RollupState(*row) if row else None

    async def set_zone(self, zone: str) -> None:
        """Start over in `zone` (the next refresh builds every day): the triggers mark changed
        days in this zone from the commit on."""
        statement = insert(state).values(id=1, zone=zone, refreshed_at=None)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[state.c.id], set_={"zone": zone, "refreshed_at": None}
            )
        )

    async def set_refreshed(self, now: datetime) -> None:
        await self.session.execute(state.update().where(state.c.id == 1).values(refreshed_at=now))

    async def take_changed_days(self) -> list[date]:
        """The days the triggers marked since the last refresh (and forget them)."""
        statement = delete(changed_days).returning(changed_days.c.day)
        return list((await self.session.execute(statement)).scalars())

    async def days_past_deadline(self, zone: str, since: datetime, now: datetime) -> list[date]:
        """Days of leads whose first-contact deadline passed in (since, now] uncontacted: their
        breach counts changed without any write."""
        statement = (
            select(_local_day(zone))
            .where(
                Lead.first_contact_at.is_(None),
                Lead.sla_due_at.is_not(None),
                Lead.sla_due_at > since,
                Lead.sla_due_at <= now,
            )
            .distinct()
        )
        return list((await self.session.execute(statement)).scalars())

    async def received_span(self) -> tuple[datetime, datetime] | None:
        """When the first and the last lead were received."""
        span = select(func.min(Lead.received_at), func.max(Lead.received_at))
        first, last = (await self.session.execute(span)).one()
        return None if first is None else (first, last)

    async def recompute(
        self, zone: str, days: tuple[date, date], start: datetime, end: datetime, now: datetime
    ) -> None:
        """Replace the rows of the days [first, last) by their figures now; `start` and `end`
        are the first day's and the last day's midnights in `zone`."""
        await self.session.execute(text("SET LOCAL work_mem = '128MB'"))
        await self.session.execute(text("SET LOCAL jit = off"))
        received = (
            (Lead.received_at >= start) & (Lead.received_at < end) & (Lead.routing_status != "test")
        )
        first, last = days
        for table in (totals, mix, speed):
            await self.session.execute(
                delete(table).where(table.c.days == 1, table.c.day >= first, table.c.day < last)
            )
        day = _local_day(zone).label("day")
        owner, pipeline = Lead.owner_agent_key, Lead.pipeline_key
        seconds = seconds_to_contact()
        late = Lead.sla_due_at.is_not(None) & (
            func.coalesce(Lead.first_contact_at, now) > Lead.sla_due_at
        )
        counted = (
            select(
                day,
                owner,
                pipeline,
                func.count(),
                func.count(Lead.first_contact_at),
                func.count().filter(seconds <= 300),
                func.count().filter(late),
                func.count().filter(Lead.stage_key == "won"),
            )
            .where(received)
            .group_by(day, owner, pipeline)
        )
        await self.session.execute(insert(totals).from_select(_daily(totals), counted))
        dimension = case(
            *((func.grouping(column) == 0, name) for name, column in MIX_SETS.items()),
        )
        value = func.coalesce(*(cast(column, Text) for column in MIX_SETS.values()))
        by_value = (
            select(day, owner, pipeline, dimension, value, func.count())
            .where(received)
            .group_by(
                day, owner, pipeline, func.grouping_sets(*(tuple_(c) for c in MIX_SETS.values()))
            )
        )
        await self.session.execute(insert(mix).from_select(_daily(mix), by_value))
        bucket = speed_bucket(seconds).label("bucket")
        histogram = (
            select(day, owner, pipeline, bucket, func.count(), func.min(seconds), func.max(seconds))
            .where(received, Lead.first_contact_at.is_not(None))
            .group_by(day, owner, pipeline, bucket)
        )
        await self.session.execute(insert(speed).from_select(_daily(speed), histogram))
        await self._recompute_weeks(first, last)

    async def _recompute_weeks(self, first: date, last: date) -> None:
        """The week rows (`days` 7) of the weeks that hold a day of [first, last), each the sum
        of its day rows."""
        monday = first - timedelta(days=first.weekday())
        end = last + timedelta(days=(7 - last.weekday()) % 7)
        parts: list[tuple[Table, list[Any], list[Any]]] = [
            (totals, [], [func.sum(totals.c[name]) for name in _TOTALS]),
            (mix, [mix.c.dimension, mix.c.value], [func.sum(mix.c.leads)]),
            (
                speed,
                [speed.c.bucket],
                [
                    func.sum(speed.c.contacts),
                    func.min(speed.c.smallest_s),
                    func.max(speed.c.largest_s),
                ],
            ),
        ]
        for table, values, sums in parts:
            await self.session.execute(
                delete(table).where(table.c.days == 7, table.c.day >= monday, table.c.day < end)
            )
            week = cast(func.date_trunc("week", table.c.day), Date)
            keys = [week, table.c.owner_agent_key, table.c.pipeline_key]
            summed = (
                select(week, literal(7, SmallInteger), *keys[1:], *values, *sums)
                .where(table.c.days == 1, table.c.day >= monday, table.c.day < end)
                .group_by(*keys, *values)
            )
            columns = [c.name for c in table.c]  # day, days, owner, pipeline, …
            await self.session.execute(insert(table).from_select(columns, summed))

    async def analyse(self) -> None:
        """Fresh planner statistics after building every day (autovacuum would take a while)."""
        for table in (totals, mix, speed):
            await self.session.execute(text(f"ANALYZE {table.name}"))

    async def period_counts(self, where: LeadFilter, first: date, last: date) -> list[Counted]:
        """`DashboardRepository.period_counts`' rows for the days [first, last)."""
        days = _blocks(totals, first, last)
        owner, pipeline = totals.c.owner_agent_key, totals.c.pipeline_key
        sums = [func.coalesce(func.sum(totals.c[name]), 0).cast(Integer) for name in _TOTALS]
        statement = (
            select(func.grouping(pipeline, owner), pipeline, owner, *sums)
            .where(days, where.scope(owner, pipeline))
            .group_by(func.grouping_sets(tuple_(), tuple_(owner), tuple_(pipeline, owner)))
        )
        groups = {3: "total", 2: "agent", 0: "pool"}
        found = []
        for level, p, a, *figures in await self.session.execute(statement):
            group = groups[level]
            keys = {"total": (), "agent": (a,), "pool": (p, a)}[group]
            found.append(Counted(group, keys, *figures))
        mixed = (
            select(mix.c.dimension, mix.c.value, func.sum(mix.c.leads).cast(Integer))
            .where(
                _blocks(mix, first, last), where.scope(mix.c.owner_agent_key, mix.c.pipeline_key)
            )
            .group_by(mix.c.dimension, mix.c.value)
        )
        for name, value, leads in await self.session.execute(mixed):
            found.append(Counted(name, (value,), leads, 0, 0, 0, 0))
        return found

    async def period_total(self, where: LeadFilter, first: date, last: date) -> Counted:
        """`period_counts`' `total` row alone."""
        sums = [func.coalesce(func.sum(totals.c[name]), 0).cast(Integer) for name in _TOTALS]
        statement = select(*sums).where(
            _blocks(totals, first, last),
            where.scope(totals.c.owner_agent_key, totals.c.pipeline_key),
        )
        row: Any = (await self.session.execute(statement)).one()
        return Counted("total", (), *row)

    async def speed_histogram(
        self, where: LeadFilter, first: date, last: date, *, per_owner: bool = True
    ) -> list[Histogram]:
        """`DashboardRepository.speed_histogram`'s rows for the days [first, last) (without
        `per_owner`, one row per bucket: every owner's added up, `agent` None)."""
        owner = speed.c.owner_agent_key if per_owner else literal(None, String)
        statement = (
            select(
                owner,
                speed.c.bucket,
                func.sum(speed.c.contacts).cast(Integer),
                func.min(speed.c.smallest_s),
                func.max(speed.c.largest_s),
            )
            .where(
                _blocks(speed, first, last),
                where.scope(speed.c.owner_agent_key, speed.c.pipeline_key),
            )
            .group_by(*((speed.c.owner_agent_key,) if per_owner else ()), speed.c.bucket)
        )
        return [Histogram(*row) for row in await self.session.execute(statement)]


_TOTALS = ("leads", "contacted", "within_5_min", "breaches", "won")


def _daily(table: Table) -> list[str]:
    """The columns a day's rows are inserted with (`days` is 1 by default)."""
    return [c.name for c in table.c if c.name != "days"]


def _blocks(table: Table, first: date, last: date) -> Any:
    """The rows that add up the days [first, last): a row per complete week from Monday, and a
    row per day before the first Monday and after the last complete week."""
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    weeks = max(0, (last - monday).days // 7)
    end = monday + timedelta(days=7 * weeks)
    if weeks == 0:
        return (table.c.days == 1) & (table.c.day >= first) & (table.c.day < last)
    return or_(
        (table.c.days == 1) & (table.c.day >= first) & (table.c.day < monday),
        (table.c.days == 7) & (table.c.day >= monday) & (table.c.day < end),
        (table.c.days == 1) & (table.c.day >= end) & (table.c.day < last),
    )


def _local_day(zone: str, instant: Any = Lead.received_at) -> Any:
    return cast(func.timezone(zone, instant), Date)
