"""Agent loads, pool strategy state and assignments: what the router reads and claims."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from leadflow.storage import tables
from leadflow.storage.database import driver

Load = tuple[int, int, int, int]
"""An agent's new leads today, this week, this month (its time zone), and open leads."""


@dataclass(frozen=True)
class PoolRow:
    """A pool's stored strategy state."""

    current: dict[str, int]
    last_agent: str | None


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
) -> str:
    """One statement for a routing decision and all it changes (a few shapes, built once)."""
    parts = []
    if pool:
        parts.append(
            "pool AS (UPDATE pool_states SET current = %(pool_current)s,"
            " last_agent = %(pool_last)s, decisions = decisions + 1"
            " WHERE pipeline_key = %(pool_key)s)"
        )
    if counted:
        parts += [
            "counted AS (INSERT INTO agent_daily_counts (agent_key, day, assigned)"
            " VALUES (%(agent)s, %(day)s, 1) ON CONFLICT (agent_key, day)"
            " DO UPDATE SET assigned = agent_daily_counts.assigned + 1)",
            "loaded AS (UPDATE agents SET open_leads = open_leads + 1 WHERE key = %(agent)s)",
            "owner AS (UPDATE contacts SET owner_agent_key = %(agent)s WHERE id = %(contact_id)s)",
        ]
    sets = ", ".join(f"{column} = %(l_{column})s" for column in lead_columns)
    parts.append(f"lead AS (UPDATE leads SET {sets} WHERE id = %(lead_id)s)")
    columns = ", ".join(("lead_id", *assignment_columns))
    values = ", ".join(("%(lead_id)s", *(f"%(a_{column})s" for column in assignment_columns)))
    parts.append(
        f"decision AS (INSERT INTO assignments ({columns}) VALUES ({values}) RETURNING id)"
    )
    if messages:
        parts.append(
            "message AS (INSERT INTO outbox (topic, channel, recipient, payload, idempotency_key)"
            " SELECT m.topic, m.channel, m.recipient,"
            " m.payload || jsonb_build_object('decision_id', decision.id),"
            " replace(m.key, '{decision}', decision.id::text)"
            " FROM decision, jsonb_to_recordset(%(messages)s)"
            " AS m (topic text, channel text, recipient text, payload jsonb, key text)"
            " ON CONFLICT ON CONSTRAINT outbox_idempotency_key DO NOTHING)"
        )
    return "WITH " + ",\n".join(parts) + "\nSELECT id FROM decision"


class RosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def loads(self, keys: Iterable[str], now: datetime) -> dict[str, Load]:
        """(day, week, month, open) per agent; day/week/month in each agent's own time zone."""
        connection = await driver(self.session)
        cursor = await connection.execute(
            "SELECT * FROM agent_loads(%s, %s)", (sorted(set(keys)), now)
        )
        rows = await cursor.fetchall()
        return {key: (day, week, month, open_) for key, open_, day, week, month in rows}

    async def claim_for_routing(
        self, pipelines: Iterable[str], agents: Iterable[str], now: datetime
    ) -> tuple[dict[str, PoolRow], dict[str, Load]]:
        """Lock the strategy state of `pipelines` (creating missing rows) and then `agents`,
        each in key order, and read both as they are once locked: one round trip
        (`routing_claim()`, migration 0007)."""
        connection = await driver(self.session)
        cursor = await connection.execute(
            "SELECT * FROM routing_claim(%s, %s, %s)",
            (sorted(set(pipelines)), sorted(set(agents)), now),
        )
        pools: dict[str, PoolRow] = {}
        loads: dict[str, Load] = {}
        async for pool, current, last, agent, open_, day, week, month in cursor:
            if pool is not None:
                pools[pool] = PoolRow(current, last)
            else:
                loads[agent] = (day, week, month, open_)
        return pools, loads

    async def pool_states(self, pipelines: Iterable[str]) -> dict[str, tables.PoolState]:
        statement = select(tables.PoolState).where(
            tables.PoolState.pipeline_key.in_(list(pipelines))
        )
        rows = (await self.session.execute(statement)).scalars()
        return {row.pipeline_key: row for row in rows}

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
        params["a_trace"] = Jsonb(assignment["trace"])
        if pool is not None:
            params.update(
                pool_key=pool.pipeline, pool_current=Jsonb(pool.current), pool_last=pool.last
            )
        if counted is not None:
            params.update(agent=counted.agent, day=counted.day)
        if messages:
            params["messages"] = Jsonb([dataclasses.asdict(message) for message in messages])
        statement = _decision_statement(
            lead_columns, assignment_columns, pool is not None, counted is not None,
            bool(messages),
        )  # fmt: skip
        connection = await driver(self.session)
        cursor = await connection.execute(statement, params)
        row = await cursor.fetchone()
        assert row is not None
        decision_id: int = row[0]
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
