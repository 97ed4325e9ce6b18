"""New leads stored with their routing outcome: one statement for a batch of them and all
their decisions change (docs/decisions/0022)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage import tables
from leadflow.storage.database import commit_asked
from leadflow.storage.repositories.assignment.roster import (
    ASSIGNMENT_COLUMNS,
    DecisionWrite,
)
from leadflow.storage.repositories.leads.leads import lead_of_row
from leadflow.storage.together import execute_together


@dataclass(frozen=True)
class NewDecision:
    """A new lead's row and what its decision writes with it."""

    values: Mapping[str, Any]
    write: DecisionWrite


Recorded = tuple[tables.Lead, int]
"""A stored lead and its assignment's id."""

_LEAD_NAMES = tuple(column.name for column in tables.Lead.__table__.columns)
_LEAD_COLUMNS = ", ".join(_LEAD_NAMES)


_DEFAULTED = frozenset(
    column.name for column in tables.Lead.__table__.columns if column.server_default is not None
)
"""The leads' columns with a default of their own: left out, they take it."""


def _batch_entry(position: int, values: Mapping[str, Any], write: DecisionWrite) -> dict[str, Any]:
    """One new lead of `_batch_statement`'s batch, as JSON: its row, its assignment and what
    its decision changes."""
    pool, counted = write.pool, write.counted
    # vars(), not dataclasses.asdict: that deep-copies the trace and every payload.
    entry: dict[str, Any] = {"position": position, "lead": values, "a": vars(write.assignment)}
    if pool is not None:
        entry["pool"] = {"key": pool.pipeline, "current": pool.current, "last": pool.last}
    if counted is not None:
        entry["agent"], entry["day"] = counted.agent, counted.day
    if write.messages:
        entry["messages"] = [vars(message) for message in write.messages]
    return entry


@functools.cache
def _batch_statement(lead_columns: tuple[str, ...]) -> str:
    """One statement for a batch of new leads (`%(batch)s`, a JSON array of `_batch_entry`)
    and everything their decisions change. Each lead and its assignment get their ids first,
    in the batch's order; what a decision changes is written only for the leads inserted: a
    lead whose (source, external_id) a concurrent twin stored first writes nothing. The pools'
    strategy state is the last decision's of each pool, the counters go up by the batch's
    count. Returns each inserted lead's row with its `position` and `decision_id`; with
    `%(expected)s` leads expected (a write carrying the COMMIT), refuses (LF001) if fewer were
    inserted.

    One statement whatever the batch's size: sent one per lead in a pipeline, converting and
    sending them was a third of intake's CPU."""
    columns = ", ".join(lead_columns)
    populated = ", ".join(f"r.{column}" for column in lead_columns)
    return f"""WITH batch AS MATERIALIZED (
  SELECT (e.value->>'position')::int AS position, e.value AS v,
         nextval(pg_get_serial_sequence('leads', 'id')) AS lead_id,
         nextval(pg_get_serial_sequence('assignments', 'id')) AS decision_id
  FROM jsonb_array_elements(%(batch)s) WITH ORDINALITY AS e(value, n) ORDER BY e.n),
lead AS (INSERT INTO leads (id, {columns})
  SELECT b.lead_id, {populated}
  FROM batch b, jsonb_populate_record(NULL::leads, b.v->'lead') r ORDER BY b.position
  ON CONFLICT (source, external_id) WHERE external_id IS NOT NULL DO NOTHING
  RETURNING {_LEAD_COLUMNS}),
done AS (SELECT b.* FROM batch b JOIN lead ON lead.id = b.lead_id),
decision AS (INSERT INTO assignments (id, lead_id, {", ".join(ASSIGNMENT_COLUMNS)})
  SELECT d.decision_id, d.lead_id, {", ".join(f"r.{c}" for c in ASSIGNMENT_COLUMNS)}
  FROM done d, jsonb_populate_record(NULL::assignments, d.v->'a') r ORDER BY d.position),
pool AS (UPDATE pool_states SET current = p.current, last_agent = p.last,
    decisions = pool_states.decisions + p.decided
  FROM (SELECT DISTINCT ON (d.v->'pool'->>'key') d.v->'pool'->>'key' AS key,
          d.v->'pool'->'current' AS current, d.v->'pool'->>'last' AS last,
          count(*) OVER (PARTITION BY d.v->'pool'->>'key') AS decided
        FROM done d WHERE d.v ? 'pool'
        ORDER BY d.v->'pool'->>'key', d.position DESC) p
  WHERE pool_states.pipeline_key = p.key),
counted AS (INSERT INTO agent_daily_counts (agent_key, day, assigned)
  SELECT d.v->>'agent', (d.v->>'day')::date, count(*) FROM done d WHERE d.v ? 'agent'
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (agent_key, day)
  DO UPDATE SET assigned = agent_daily_counts.assigned + EXCLUDED.assigned),
loaded AS (UPDATE agents SET open_leads = open_leads + c.n
  FROM (SELECT d.v->>'agent' AS agent, count(*) AS n FROM done d WHERE d.v ? 'agent' GROUP BY 1) c
  WHERE agents.key = c.agent),
owner AS (UPDATE contacts SET owner_agent_key = d.v->>'agent'
  FROM done d JOIN lead ON lead.id = d.lead_id
  WHERE d.v ? 'agent' AND contacts.id = lead.contact_id),
message AS (INSERT INTO outbox (topic, channel, recipient, payload, idempotency_key)
  SELECT m.topic, m.channel, m.recipient,
    m.payload || jsonb_build_object('lead_id', d.lead_id, 'decision_id', d.decision_id),
    replace(m.key, '{{decision}}', d.decision_id::text)
  FROM done d, ROWS FROM (jsonb_to_recordset(d.v->'messages')
    AS (topic text, channel text, recipient text, payload jsonb, key text))
    WITH ORDINALITY AS m (topic, channel, recipient, payload, key, n)
  WHERE d.v ? 'messages' ORDER BY d.position, m.n
  ON CONFLICT ON CONSTRAINT outbox_idempotency_key DO NOTHING)
SELECT d.position, d.decision_id, lead.* FROM done d JOIN lead ON lead.id = d.lead_id
WHERE (SELECT intake_stored_all(%(expected)s, count(*)) FROM lead)  -- one-time: even no row
ORDER BY d.position"""


_TWIN_STORED = "LF001"
"""`intake_stored_all()`'s refusal (migration 0015)."""


class TwinStored(Exception):
    """A batch write that was to carry the COMMIT found a lead of it stored already: nothing
    was committed, the transaction is in error until rolled back to intake's savepoint, and
    the batch is to be routed again without carrying the COMMIT (0022)."""


class NewLeadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, leads: Sequence[NewDecision]) -> list[Recorded | None]:
        """Insert new leads, each with its routing outcome, its decision and all it changes:
        one statement for the batch (`_batch_statement`). For each, the stored lead and its
        assignment's id; None, with nothing written for it, when a lead with its (source,
        external_id) exists already (the batch's counters and pool states then assumed it
        was stored: the caller rolls back and routes the others again)."""
        # Leads that leave different defaulted columns out go in statements of their own (a
        # column populated NULL would lose its default); intake's leads all share one shape.
        shapes: dict[frozenset[str], list[dict[str, Any]]] = {}
        for position, lead in enumerate(leads):
            write = lead.write
            assert write.released is None, "a new lead has no previous owner"
            values = {**lead.values, **write.lead}
            shapes.setdefault(_DEFAULTED.intersection(values), []).append(
                _batch_entry(position, values, write)
            )
        # Carrying the COMMIT, the write refuses (LF001) rather than commit a batch with a twin.
        commit = commit_asked(self.session)
        statements = [
            (
                _batch_statement(tuple(sorted({c for entry in batch for c in entry["lead"]}))),
                {"batch": Jsonb(batch), "expected": len(batch) if commit else 0},
            )
            for batch in shapes.values()
        ]
        try:
            written = await execute_together(self.session, statements, commit=commit)
        except psycopg.Error as error:
            if error.sqlstate == _TWIN_STORED:
                raise TwinStored() from error
            raise
        stored: dict[int, Recorded] = {}
        # Rows as tuples, named here: psycopg's dict rows describe the 50 columns every time.
        for rows in written:
            for at, decision_id, *lead in rows:
                stored[at] = (lead_of_row(dict(zip(_LEAD_NAMES, lead, strict=True))), decision_id)
        return [stored.get(position) for position in range(len(leads))]
