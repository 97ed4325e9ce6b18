"""Agent loads, pool strategy state and assignments: what the router reads and claims."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypedDict

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from leadflow.storage import tables
from leadflow.storage.database import driver
from leadflow.storage.together import execute_together

Load = tuple[int, int, int, int]
"""An agent's new leads today, this week, this month (its time zone), and open leads."""


@dataclass(frozen=True)
class PoolRow:
    """A pool's stored strategy state."""

    current: dict[str, int]
    last_agent: str | None


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


class LeadRouting(TypedDict, total=False):
    """A lead's routing fields a decision sets (only those given are written)."""

    pipeline_key: str | None
    stage_key: str | None
    stage_entered_at: datetime
    owner_agent_key: str | None
    routing_status: str
    assigned_at: datetime
    sla_due_at: datetime | None
    sla_escalated_at: datetime | None
    held_for_agent_key: str | None


@dataclass(frozen=True)
class AssignmentRow:
    """An `assignments` row as a decision writes it; the statement adds its id and lead."""

    kind: str
    outcome: str
    agent_key: str | None
    previous_agent_key: str | None
    pipeline_key: str | None
    rule_key: str | None
    via: str | None
    config_version_id: int
    decided_at: datetime
    actor: str
    reason: str
    trace: dict[str, Any]


ASSIGNMENT_COLUMNS = tuple(sorted(field.name for field in fields(AssignmentRow)))


@dataclass(frozen=True)
class DecisionWrite:
    """Everything one decision writes: the lead's routing fields, its assignment row, the
    pool's strategy state, the new owner's counters and contact, the previous owner's open
    count and the outbox messages."""

    lead: LeadRouting
    assignment: AssignmentRow
    pool: Pool | None
    counted: Counted | None
    """The new owner's day and open counters (and the contact's owner)."""
    released: str | None
    """The previous owner, whose open leads fall by one."""
    messages: Sequence[Message]


@functools.cache
def _decision_statement(
    lead_columns: tuple[str, ...],
    assignment_columns: tuple[str, ...],
    pool: bool,
    counted: bool,
    messages: bool,
) -> str:
    """One statement for a routing decision on a stored lead (`%(lead_id)s` takes
    `lead_columns` as changes) and all it changes (a few shapes, built once). New leads are
    `_batch_statement`'s."""
    sets = ", ".join(f"{column} = %(l_{column})s" for column in lead_columns)
    parts = [f"lead AS (UPDATE leads SET {sets} WHERE id = %(lead_id)s RETURNING id, contact_id)"]
    if pool:
        parts.append(
            "pool AS (UPDATE pool_states SET current = %(pool_current)s,"
            " last_agent = %(pool_last)s, decisions = decisions + 1"
            " WHERE pipeline_key = %(pool_key)s AND EXISTS (SELECT FROM lead))"
        )
    if counted:
        parts += [
            "counted AS (INSERT INTO agent_daily_counts (agent_key, day, assigned)"
            " SELECT %(agent)s, %(day)s, 1 FROM lead ON CONFLICT (agent_key, day)"
            " DO UPDATE SET assigned = agent_daily_counts.assigned + 1)",
            "loaded AS (UPDATE agents SET open_leads = open_leads + 1"
            " WHERE key = %(agent)s AND EXISTS (SELECT FROM lead))",
            "owner AS (UPDATE contacts SET owner_agent_key = %(agent)s"
            " FROM lead WHERE contacts.id = lead.contact_id)",
        ]
    columns = ", ".join(("lead_id", *assignment_columns))
    values = ", ".join(("lead.id", *(f"%(a_{column})s" for column in assignment_columns)))
    parts.append(
        f"decision AS (INSERT INTO assignments ({columns}) SELECT {values} FROM lead RETURNING id)"
    )
    if messages:
        parts.append(
            "message AS (INSERT INTO outbox (topic, channel, recipient, payload, idempotency_key)"
            " SELECT m.topic, m.channel, m.recipient,"
            " m.payload || jsonb_build_object('lead_id', lead.id, 'decision_id', decision.id),"
            " replace(m.key, '{decision}', decision.id::text)"
            " FROM lead, decision, jsonb_to_recordset(%(messages)s)"
            " AS m (topic text, channel text, recipient text, payload jsonb, key text)"
            " ON CONFLICT ON CONSTRAINT outbox_idempotency_key DO NOTHING)"
        )
    return "WITH " + ",\n".join(parts) + "\nSELECT decision.id FROM decision, lead"


def _decision_params(write: DecisionWrite) -> dict[str, Any]:
    pool, counted, messages = write.pool, write.counted, write.messages
    # vars(), not dataclasses.asdict: that deep-copies the trace.
    params = {f"a_{column}": value for column, value in vars(write.assignment).items()}
    params["a_trace"] = Jsonb(write.assignment.trace)
    if pool is not None:
        params.update(pool_key=pool.pipeline, pool_current=Jsonb(pool.current), pool_last=pool.last)
    if counted is not None:
        params.update(agent=counted.agent, day=counted.day)
    if messages:
        # vars(), not dataclasses.asdict: that deep-copies every payload (1% of intake's CPU).
        params["messages"] = Jsonb([vars(message) for message in messages])
    return params


class RosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_on_call(self, keys: Iterable[str]) -> dict[str, int]:
        """Open leads per owner of `keys` that came to them as a pipeline's on-call agent (the
        no-agent policy that skips caps): their latest assignment names them `via` on_call."""
        connection = await driver(self.session)
        cursor = await connection.execute(
            "SELECT l.owner_agent_key, count(*) FROM leads l"
            " WHERE l.owner_agent_key = ANY(%s) AND l.closed_at IS NULL AND ("
            "  SELECT a.via FROM assignments a WHERE a.lead_id = l.id AND a.outcome = 'assigned'"
            "  ORDER BY a.decided_at DESC, a.id DESC LIMIT 1) = 'on_call'"
            " GROUP BY l.owner_agent_key",
            (sorted(set(keys)),),
        )
        return {key: count for key, count in await cursor.fetchall()}

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
        (`routing_claim()`, migration 0007), with intake's savepoint if it is asked for."""
        claim = "SELECT * FROM routing_claim(%s, %s, %s)"
        [rows] = await execute_together(
            self.session, [(claim, (sorted(set(pipelines)), sorted(set(agents)), now))]
        )
        pools: dict[str, PoolRow] = {}
        loads: dict[str, Load] = {}
        for pool, current, last, agent, open_, day, week, month in rows:
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

    async def change_open(self, agent: str, delta: int) -> None:
        await self.session.execute(
            update(tables.Agent)
            .where(tables.Agent.key == agent)
            .values(open_leads=tables.Agent.open_leads + delta)
        )

    async def record_decision(self, lead: tables.Lead, write: DecisionWrite) -> int:
        """Write a decision on a stored lead and all it changes; returns the assignment's id.
        The previous owner's open count falls first (as the lock order of every path that
        moves a lead has it), then one statement writes the rest. `lead` (a loaded row) takes
        the routing fields as its stored values; each message gets the lead's and the
        assignment's ids in its payload."""
        if write.released is not None:
            await self.change_open(write.released, -1)
        params = _decision_params(write)
        params.update({f"l_{column}": value for column, value in write.lead.items()})
        params["lead_id"] = lead.id
        statement = _decision_statement(
            tuple(sorted(write.lead)), ASSIGNMENT_COLUMNS, write.pool is not None,
            write.counted is not None, bool(write.messages),
        )  # fmt: skip
        connection = await driver(self.session)
        cursor = await connection.execute(statement, params)
        row = await cursor.fetchone()
        assert row is not None, f"lead {lead.id} vanished while it was routed"
        for column, value in write.lead.items():
            set_committed_value(lead, column, value)
        decision_id: int = row[0]
        return decision_id

    async def add_assignment(self, lead_id: int, assignment: AssignmentRow) -> int:
        """A decision that changes no owner (kept, or queued by a staff change)."""
        row = tables.Assignment(lead_id=lead_id, **vars(assignment))
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def latest_assignment(self, lead_id: int) -> dict[str, Any] | None:
        """A lead's latest decision (its `assignments` row by column), in plain SQL: asked on
        the intake path for a lead sent again."""
        connection = await driver(self.session)
        cursor = connection.cursor(row_factory=dict_row)
        await cursor.execute(
            "SELECT * FROM assignments WHERE lead_id = %s ORDER BY id DESC LIMIT 1", (lead_id,)
        )
        return await cursor.fetchone()

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
