"""Tasks: follow-ups and callbacks on leads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from leadflow.storage.tables import Lead, Task


@dataclass(frozen=True)
class TaskReach:
    """The tasks someone may see: all, or those owned by `owners`, or unowned ones on leads of
    `pipelines`."""

    everything: bool
    owners: frozenset[str] = frozenset()
    pipelines: frozenset[str] = frozenset()

    def condition(self) -> ColumnElement[bool]:
        if self.everything:
            return true()
        unowned = and_(Task.owner_agent_key.is_(None), Lead.pipeline_key.in_(self.pipelines))
        return or_(Task.owner_agent_key.in_(self.owners), unowned)


@dataclass(frozen=True)
class TaskFilter:
    due_before: datetime | None = None
    owner: str | None = None
    status: str | None = None
    lead_id: int | None = None
    limit: int = 200


class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> Task:
        task = Task(**values)
        self.session.add(task)
        await self.session.flush()
        return task

    @staticmethod
    def _with_leads() -> Select[Task, Lead]:
        return select(Task, Lead).join(Lead, Lead.id == Task.lead_id)

    async def find(self, reach: TaskReach, where: TaskFilter) -> list[tuple[Task, Lead]]:
        """The tasks within `reach` that pass `where`, earliest due first, with their leads."""
        statement = self._with_leads().where(reach.condition())
        if where.due_before is not None:
            statement = statement.where(Task.due_at < where.due_before)
        if where.owner is not None:
            statement = statement.where(Task.owner_agent_key == where.owner)
        if where.status is not None:
            statement = statement.where(Task.status == where.status)
        if where.lead_id is not None:
            statement = statement.where(Task.lead_id == where.lead_id)
        statement = statement.order_by(Task.due_at, Task.id).limit(where.limit)
        return [(task, lead) for task, lead in (await self.session.execute(statement)).all()]

    async def get(
        self, task_id: int, reach: TaskReach, *, for_update: bool = False
    ) -> tuple[Task, Lead] | None:
        """The task with its lead, if within `reach`."""
        statement = self._with_leads().where(Task.id == task_id, reach.condition())
        if for_update:
            statement = statement.with_for_update(of=Task).execution_options(populate_existing=True)
        found = (await self.session.execute(statement)).first()
        return (found[0], found[1]) if found is not None else None

    async def overdue(
        self, now: datetime, *, escalated: bool, limit: int
    ) -> list[tuple[Task, Lead]]:
        """Open tasks past due whose owner was not alerted yet (`escalated` False), or whose
        team lead was not (`escalated` True); earliest due first, locked (others skip them)."""
        stamp = Task.escalated_at if escalated else Task.overdue_alerted_at
        statement = (
            self._with_leads()
            .where(Task.status == "open", Task.due_at <= now, stamp.is_(None))
            .order_by(Task.due_at, Task.id)
            .limit(limit)
            .with_for_update(of=Task, skip_locked=True)
            .execution_options(populate_existing=True)  # locked: read as it is now
        )
        return [(task, lead) for task, lead in (await self.session.execute(statement)).all()]
