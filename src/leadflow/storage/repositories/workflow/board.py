"""The pipeline board's reads: how many leads each stage holds, and the open leads' cards.

Plain SQL on the driver's connection, two statements a board: the counts (open leads through
the `leads_board` index, leads closed lately through `leads_closed`), then the cards, at most
`per_stage` a stage, each with its earliest open task (`ix_tasks_lead_id`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import class_row
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver


@dataclass(frozen=True)
class StageCount:
    stage: str
    open: int
    closed: int
    """Closed since the `closed_since` asked for (leads now in a won or lost stage)."""


@dataclass(frozen=True)
class CardRow:
    id: int
    stage: str
    first_name: str | None
    last_name: str | None
    country: str | None
    owner: str | None
    received_at: datetime
    stage_entered_at: datetime
    """When it entered its stage (its routing or arrival, for leads from before migration
    0010 recorded it)."""
    sla_due_at: datetime | None
    first_contact_at: datetime | None
    task_title: str | None
    task_due_at: datetime | None
    """The lead's earliest-due open task, if any."""


def _owners(owners: Collection[str] | None) -> str:
    return "" if owners is None else " AND owner_agent_key = ANY(%(owners)s)"


def counts_sql(owners: Collection[str] | None) -> str:
    """The counts' statement (public for bench/board.py's EXPLAIN ANALYZE)."""
    return _COUNTS.format(owners=_owners(owners))


def cards_sql(owners: Collection[str] | None) -> str:
    return _CARDS.format(owners=_owners(owners))


_COUNTS = """
SELECT stage_key AS stage,
       count(*) FILTER (WHERE closed_at IS NULL) AS open,
       count(*) FILTER (WHERE closed_at IS NOT NULL) AS closed
FROM (
    SELECT stage_key, closed_at FROM leads
    WHERE pipeline_key = %(pipeline)s AND closed_at IS NULL{owners}
    UNION ALL
    SELECT stage_key, closed_at FROM leads
    WHERE pipeline_key = %(pipeline)s AND closed_at >= %(since)s
      AND stage_key = ANY(%(closing)s){owners}
) counted
GROUP BY stage_key
"""

_CARDS = """
SELECT card.*, task.title AS task_title, task.due_at AS task_due_at
FROM unnest(%(stages)s::text[]) AS wanted (stage)
CROSS JOIN LATERAL (
    SELECT id, stage_key AS stage, first_name, last_name, country,
           owner_agent_key AS owner, received_at,
           coalesce(stage_entered_at, assigned_at, received_at) AS stage_entered_at,
           sla_due_at, first_contact_at
    FROM leads
    WHERE pipeline_key = %(pipeline)s AND stage_key = wanted.stage AND closed_at IS NULL{owners}
    ORDER BY coalesce(stage_entered_at, assigned_at, received_at), id
    LIMIT %(per_stage)s
) card
LEFT JOIN LATERAL (
    SELECT title, due_at FROM tasks
    WHERE lead_id = card.id AND status = 'open'
    ORDER BY due_at, id
    LIMIT 1
) task ON true
"""


class BoardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def counts(
        self,
        pipeline: str,
        *,
        owners: Collection[str] | None,
        closing: Collection[str],
        closed_since: datetime,
    ) -> list[StageCount]:
        """Open leads per stage of `pipeline`, and those closed in a `closing` stage since
        `closed_since`; only leads of `owners` unless it is None."""
        connection = await driver(self.session)
        cursor = connection.cursor(row_factory=class_row(StageCount))
        await cursor.execute(
            counts_sql(owners),
            {
                "pipeline": pipeline,
                "owners": list(owners or ()),
                "closing": list(closing),
                "since": closed_since,
            },
        )
        return await cursor.fetchall()

    async def cards(
        self,
        pipeline: str,
        stages: Collection[str],
        *,
        owners: Collection[str] | None,
        per_stage: int,
    ) -> list[CardRow]:
        """The open leads of each of `stages`, longest in their stage first, at most
        `per_stage` a stage; only leads of `owners` unless it is None."""
        connection = await driver(self.session)
        cursor = connection.cursor(row_factory=class_row(CardRow))
        await cursor.execute(
            cards_sql(owners),
            {
                "pipeline": pipeline,
                "stages": list(stages),
                "owners": list(owners or ()),
                "per_stage": per_stage,
            },
        )
        return await cursor.fetchall()
