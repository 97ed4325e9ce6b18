"""Agent loads, pool strategy state and assignments: what the router reads and claims."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import TextClause, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from leadflow.storage import tables

_LOADS = text(
    """
    SELECT a.key, a.open_leads,
      coalesce(sum(d.assigned) FILTER (WHERE d.day = (:now AT TIME ZONE a.timezone)::date), 0),
      coalesce(sum(d.assigned) FILTER (
        WHERE d.day >= date_trunc('week', :now AT TIME ZONE a.timezone)::date), 0),
      coalesce(sum(d.assigned) FILTER (
        WHERE d.day >= date_trunc('month', :now AT TIME ZONE a.timezone)::date), 0)
    FROM agents a
    LEFT JOIN agent_daily_counts d
      ON d.agent_key = a.key
     AND d.day >= least(date_trunc('week', :now AT TIME ZONE a.timezone),
                        date_trunc('month', :now AT TIME ZONE a.timezone))::date
     AND d.day <= (:now AT TIME ZONE a.timezone)::date
    WHERE a.key = ANY(:keys)
    GROUP BY a.key, a.open_leads
    """
)


_COUNT_ASSIGNMENT = text(
    """
    WITH counted AS (
      INSERT INTO agent_daily_counts (agent_key, day, assigned) VALUES (:agent, :day, 1)
      ON CONFLICT (agent_key, day)
      DO UPDATE SET assigned = agent_daily_counts.assigned + 1
    )
    UPDATE agents SET open_leads = open_leads + 1 WHERE key = :agent
    """
)


@dataclass(frozen=True)
class Pool:
    """A pool's strategy state after a decision."""

    pipeline: str
    current: dict[str, int]
    last: str | None


@dataclass(frozen=True)
class Counted:
    """One more new lead for `agent` on its local `day`, and one more open lead."""

    agent: str
    day: date


@dataclass(frozen=True)
class Message:
    """An outbox message written with the decision that causes it."""

    topic: str
    channel: str
    recipient: str | None
    payload: dict[str, Any]
    key: str
    """The idempotency key; `{decision}` stands for the new assignment's id."""


@functools.cache
def _decision_statement(
    lead_columns: tuple[str, ...],
    assignment_columns: tuple[str, ...],
    pool: bool,
    counted: bool,
    messages: bool,
) -> TextClause:
    """One statement for a routing decision and all it changes (a few shapes, built once)."""
    parts = []
    types = [bindparam("a_trace", type_=JSONB)]
    if pool:
        parts.append(
            "pool AS (UPDATE pool_states SET current = :pool_current, last_agent = :pool_last,"
            " decisions = decisions + 1 WHERE pipeline_key = :pool_key)"
        )
        types.append(bindparam("pool_current", type_=JSONB))
    if counted:
        parts += [
            "counted AS (INSERT INTO agent_daily_counts (agent_key, day, assigned)"
            " VALUES (:agent, :day, 1) ON CONFLICT (agent_key, day)"
            " DO UPDATE SET assigned = agent_daily_counts.assigned + 1)",
            "loaded AS (UPDATE agents SET open_leads = open_leads + 1 WHERE key = :agent)",
            "owner AS (UPDATE contacts SET owner_agent_key = :agent WHERE id = :contact_id)",
        ]
    sets = ", ".join(f"{column} = :l_{column}" for column in lead_columns)
    parts.append(f"lead AS (UPDATE leads SET {sets} WHERE id = :lead_id)")
    columns = ", ".join(("lead_id", *assignment_columns))
    values = ", ".join((":lead_id", *(f":a_{column}" for column in assignment_columns)))
    parts.append(
        f"decision AS (INSERT INTO assignments ({columns}) VALUES ({values}) RETURNING id)"
    )
    if messages:
        parts.append(
            "message AS (INSERT INTO outbox (topic, channel, recipient, payload, idempotency_key)"
            " SELECT m.topic, m.channel, m.recipient,"
            " m.payload || jsonb_build_object('decision_id', decision.id),"
            " replace(m.key, '{decision}', decision.id::text)"
            " FROM decision, jsonb_to_recordset(:messages)"
            " AS m (topic text, channel text, recipient text, payload jsonb, key text)"
            " ON CONFLICT ON CONSTRAINT outbox_idempotency_key DO NOTHING)"
        )
        types.append(bindparam("messages", type_=JSONB))
    return text("WITH " + ",\n".join(parts) + "\nSELECT id FROM decision").bindparams(*types)


class RosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def loads(
        self, keys: Iterable[str], now: datetime, *, lock: bool = False
    ) -> dict[str, tuple[int, int, int, int]]:
        """(day, week, month, open) per agent; day/week/month in each agent's own time zone.

        With `lock`, the agents' rows are locked first (in key order, so claims never deadlock).
        """
        keys = sorted(set(keys))
        if lock and keys:
            await self.session.execute(
                select(tables.Agent.key)
                .where(tables.Agent.key.in_(keys))
                .order_by(tables.Agent.key)
                .with_for_update()
            )
        rows = await self.session.execute(_LOADS, {"now": now, "keys": keys})
        return {key: (day, week, month, open_) for key, open_, day, week, month in rows}

    async def lock_pools(self, pipelines: Iterable[str]) -> dict[str, tables.PoolState]:
        """Lock the strategy state of `pipelines` (creating missing rows), in key order."""
        keys = sorted(set(pipelines))
        if not keys:
            return {}
        locked = await self._lock_pool_rows(keys)
        if len(locked) < len(keys):  # first lead of a new pipeline: create its row, then lock
            await self.session.execute(
                insert(tables.PoolState)
                .values([{"pipeline_key": k} for k in keys if k not in locked])
                .on_conflict_do_nothing(index_elements=["pipeline_key"])
            )
            locked = await self._lock_pool_rows(keys)
        return locked

    async def _lock_pool_rows(self, keys: list[str]) -> dict[str, tables.PoolState]:
        statement = (
            select(tables.PoolState)
            .where(tables.PoolState.pipeline_key.in_(keys))
            .order_by(tables.PoolState.pipeline_key)
            .with_for_update()
        )
        rows = (await self.session.execute(statement)).scalars()
        return {row.pipeline_key: row for row in rows}

    async def pool_states(self, pipelines: Iterable[str]) -> dict[str, tables.PoolState]:
        statement = select(tables.PoolState).where(
            tables.PoolState.pipeline_key.in_(list(pipelines))
        )
        rows = (await self.session.execute(statement)).scalars()
        return {row.pipeline_key: row for row in rows}

    async def save_pool(self, pipeline: str, current: dict[str, int], last: str | None) -> None:
        await self.session.execute(
            update(tables.PoolState)
            .where(tables.PoolState.pipeline_key == pipeline)
            .values(
                current=current,
                last_agent=last,
                decisions=tables.PoolState.decisions + 1,
            )
        )

    async def count_assignment(self, agent: str, local_day: date) -> None:
        """One more new lead for `agent` on its local `local_day`, and one more open lead."""
        await self.session.execute(_COUNT_ASSIGNMENT, {"agent": agent, "day": local_day})

    async def change_open(self, agent: str, delta: int) -> None:
        await self.session.execute(
            update(tables.Agent)
            .where(tables.Agent.key == agent)
            .values(open_leads=tables.Agent.open_leads + delta)
        )

    async def record_decision(
        self,
        lead: tables.Lead,
        changes: dict[str, Any],
        assignment: dict[str, Any],
        *,
        pool: Pool | None,
        counted: Counted | None,
        messages: Sequence[Message] = (),
    ) -> int:
        """Write a routing decision and all it changes in one round trip; returns the
        assignment's id. `lead` (a loaded row) takes `changes` as its stored values; each
        message gets the assignment's id as `decision_id` in its payload."""
        lead_columns = tuple(sorted(changes))
        assignment_columns = tuple(sorted(assignment))
        params: dict[str, Any] = {"lead_id": lead.id, "contact_id": lead.contact_id}
        params.update({f"l_{column}": value for column, value in changes.items()})
        params.update({f"a_{column}": value for column, value in assignment.items()})
        if pool is not None:
            params.update(pool_key=pool.pipeline, pool_current=pool.current, pool_last=pool.last)
        if counted is not None:
            params.update(agent=counted.agent, day=counted.day)
        if messages:
            params["messages"] = [dataclasses.asdict(message) for message in messages]
        statement = _decision_statement(
            lead_columns, assignment_columns, pool is not None, counted is not None,
            bool(messages),
        )  # fmt: skip
        decision_id: int = (await self.session.execute(statement, params)).scalar_one()
        for column, value in changes.items():
            set_committed_value(lead, column, value)
        return decision_id

    async def add_assignment(self, values: dict[str, Any]) -> int:
        row = tables.Assignment(**values)
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def assignments_of(self, lead_id: int) -> list[tables.Assignment]:
        statement = (
            select(tables.Assignment)
            .where(tables.Assignment.lead_id == lead_id)
            .order_by(tables.Assignment.id)
        )
        return list((await self.session.execute(statement)).scalars())

    async def agents(self) -> list[tables.Agent]:
        statement = select(tables.Agent).order_by(tables.Agent.key)
        return list((await self.session.execute(statement)).scalars())

    async def agent(self, key: str) -> tables.Agent | None:
        return await self.session.get(tables.Agent, key)

    async def set_status(self, key: str, status: str) -> None:
        await self.session.execute(
            update(tables.Agent).where(tables.Agent.key == key).values(status=status)
        )
