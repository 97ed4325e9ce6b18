"""The demo's month of sales work, written in bulk: COPY for tens of thousands of activities and
tasks, one UPDATE from a temporary table for the leads (a statement per row would take minutes)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.demo.records import ActivityRow, LeadHistory, RunRow, TaskRow
from leadflow.storage.database import driver

_ACTIVITY_COLUMNS = (
    "id", "lead_id", "agent_key", "kind", "occurred_at", "direction", "duration_s", "outcome",
    "detail", "actor_kind", "actor", "rule_key", "config_version_id", "channel", "answered_at",
    "ended_at", "talk_s", "wait_s", "score", "rates_activity_id", "from_stage", "to_stage",
    "lost_reason",
)  # fmt: skip
_TASK_COLUMNS = (
    "lead_id", "owner_agent_key", "title", "kind", "due_at", "due_zone", "status", "created_at",
    "created_by", "completed_at", "rule_key", "config_version_id",
)  # fmt: skip
_RUN_COLUMNS = "event_key, automation_key, lead_id, config_version_id, ran_at, outcome"
_STATE_TABLE = """
CREATE TEMPORARY TABLE demo_lead_states (
    id bigint PRIMARY KEY, stage_key text, stage_entered_at timestamptz, closed_at timestamptz,
    lost_reason text, first_contact_at timestamptz, last_activity_at timestamptz,
    treatment text, custom jsonb
) ON COMMIT DROP
"""
_UPDATE_LEADS = """
UPDATE leads SET
    stage_key = s.stage_key,
    stage_entered_at = coalesce(s.stage_entered_at, leads.stage_entered_at),
    closed_at = s.closed_at,
    lost_reason = s.lost_reason,
    first_contact_at = s.first_contact_at,
    last_activity_at = s.last_activity_at,
    treatment = coalesce(leads.treatment, s.treatment),
    custom = leads.custom || s.custom
FROM demo_lead_states s WHERE leads.id = s.id
"""


@dataclass(frozen=True)
class HistoryLead:
    """A lead as the history generator reads it, with its closing as stored."""

    id: int
    received_at: datetime
    assigned_at: datetime | None
    owner: str | None
    country: str | None
    language: str | None
    treatment: str | None
    budget: Decimal | None
    closed_at: datetime | None


class DemoHistoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def settle(self, lead_id: int, *, first_contact_at: datetime | None) -> None:
        """While the month is replayed: when the lead was first contacted."""
        connection = await driver(self.session)
        await connection.execute(
            "UPDATE leads SET first_contact_at = coalesce(%s, first_contact_at) WHERE id = %s",
            (first_contact_at, lead_id),
        )

    async def close(self, lead_id: int, *, stage: str | None, closed_at: datetime) -> str | None:
        """The replayed clock reached the lead's closing: its owner, or None when it was
        closed already."""
        connection = await driver(self.session)
        cursor = await connection.execute(
            "UPDATE leads SET stage_key = coalesce(%s, stage_key), closed_at = %s"
            " WHERE id = %s AND closed_at IS NULL RETURNING owner_agent_key",
            (stage, closed_at, lead_id),
        )
        row = await cursor.fetchone()
        return row[0] if row is not None else None

    async def owned_leads(self) -> list[HistoryLead]:
        connection = await driver(self.session)
        cursor = await connection.execute(
            "SELECT id, received_at, assigned_at, owner_agent_key, country, language, treatment,"
            " budget, closed_at FROM leads WHERE owner_agent_key IS NOT NULL ORDER BY id"
        )
        return [HistoryLead(*row) for row in await cursor.fetchall()]

    async def write(
        self,
        histories: Sequence[LeadHistory],
        open_changes: Mapping[str, int],
        version: int | None,
    ) -> None:
        """The histories' activities, tasks, automation runs (of configuration `version`) and
        lead states, and each agent's open count moved by `open_changes` (leads the history
        closed or reopened)."""
        connection = await driver(self.session)
        total = sum(len(h.activities) for h in histories)
        cursor = await connection.execute(
            "SELECT nextval(pg_get_serial_sequence('activities', 'id'))"
            " FROM generate_series(1, %s)",
            (total,),
        )
        ids = iter([row[0] for row in await cursor.fetchall()])
        runs: list[tuple[object, ...]] = []
        async with connection.cursor() as copying:
            statement = f"COPY activities ({', '.join(_ACTIVITY_COLUMNS)}) FROM STDIN"
            async with copying.copy(statement) as copy:
                for lead in histories:
                    refs = {row.ref: next(ids) for row in lead.activities}
                    for row in lead.activities:
                        await copy.write_row(_activity(lead.lead_id, refs, row))
                    runs.extend(_run(lead.lead_id, refs, run, version) for run in lead.runs)
            async with copying.copy(f"COPY automation_runs ({_RUN_COLUMNS}) FROM STDIN") as copy:
                for run in runs:
                    await copy.write_row(run)
            async with copying.copy(f"COPY tasks ({', '.join(_TASK_COLUMNS)}) FROM STDIN") as copy:
                for lead in histories:
                    for task in lead.tasks:
                        await copy.write_row(_task(lead, task))
            await copying.execute(_STATE_TABLE)
            async with copying.copy("COPY demo_lead_states FROM STDIN") as copy:
                for lead in histories:
                    state = lead.state
                    await copy.write_row((
                        lead.lead_id, state.stage, state.stage_entered_at, state.closed_at,
                        state.lost_reason, state.first_contact_at, state.last_activity_at,
                        state.treatment, json.dumps(state.custom),
                    ))  # fmt: skip
            await copying.execute(_UPDATE_LEADS)
            await copying.executemany(
                "UPDATE agents SET open_leads = open_leads + %s WHERE key = %s",
                [(change, agent) for agent, change in open_changes.items() if change],
            )


def _activity(lead_id: int, refs: Mapping[int, int], row: ActivityRow) -> tuple[object, ...]:
    return (
        refs[row.ref], lead_id, row.agent_key, row.kind, row.occurred_at, row.direction,
        row.duration_s, row.outcome, json.dumps(row.detail), row.actor_kind, row.actor,
        row.rule_key, row.config_version_id, row.channel, row.answered_at, row.ended_at,
        row.talk_s, row.wait_s, row.score,
        refs[row.rates_ref] if row.rates_ref is not None else None,
        row.from_stage, row.to_stage, row.lost_reason,
    )  # fmt: skip


def _run(
    lead_id: int, refs: Mapping[int, int], run: RunRow, version: int | None
) -> tuple[object, ...]:
    key = f"activity:{refs[run.event_ref]}" if run.event_ref is not None else run.event_key
    return (key, run.automation_key, lead_id, version, run.ran_at, "applied")


def _task(lead: LeadHistory, task: TaskRow) -> tuple[object, ...]:
    return (
        lead.lead_id, lead.owner, task.title, task.kind, task.due_at, task.due_zone, task.status,
        task.created_at, task.created_by, task.completed_at, task.rule_key,
        task.config_version_id,
    )  # fmt: skip
