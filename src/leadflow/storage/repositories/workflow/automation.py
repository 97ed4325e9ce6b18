"""What the automations read and write: their runs (one per event and rule), the sweep's
cursors and the leads and tasks a sweep hands to them, and the activity facts a trigger needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import Activity, AutomationRun, Lead, Task, WorkflowCursor

UNANSWERED = ("no_answer", "busy", "voicemail", "wrong_number")


class AutomationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_run(
        self,
        *,
        event_key: str,
        automation_key: str,
        lead_id: int,
        config_version_id: int | None,
        at: datetime,
    ) -> int | None:
        """The new run's id; None when this automation ran for this event already (or a
        concurrent transaction is running it: the insert waits for that one and then
        yields)."""
        statement = (
            insert(AutomationRun)
            .values(
                event_key=event_key,
                automation_key=automation_key,
                lead_id=lead_id,
                config_version_id=config_version_id,
                ran_at=at,
                outcome="applied",
            )
            .on_conflict_do_nothing(index_elements=["event_key", "automation_key"])
            .returning(AutomationRun.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def fail_run(self, run_id: int, detail: dict[str, Any]) -> None:
        await self.session.execute(
            update(AutomationRun)
            .where(AutomationRun.id == run_id)
            .values(outcome="failed", detail=detail)
        )

    async def runs_of(self, lead_id: int) -> list[AutomationRun]:
        statement = (
            select(AutomationRun).where(AutomationRun.lead_id == lead_id).order_by(AutomationRun.id)
        )
        return list((await self.session.execute(statement)).scalars())

    async def has_activity(self, lead_id: int, activity_id: int) -> bool:
        statement = select(Activity.id).where(
            Activity.id == activity_id, Activity.lead_id == lead_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def unanswered_call_times(self, lead_id: int) -> list[datetime]:
        """When the lead's unanswered calls and call attempts started, oldest first."""
        statement = (
            select(Activity.occurred_at)
            .where(
                Activity.lead_id == lead_id,
                Activity.kind.in_(("call", "call_attempt")),
                Activity.outcome.in_(UNANSWERED),
                Activity.direction.is_distinct_from("inbound"),
            )
            .order_by(Activity.occurred_at, Activity.id)
        )
        return list((await self.session.execute(statement)).scalars())

    async def cursor(self, name: str) -> int:
        """The cursor's position, locked until the transaction ends (0 for a new cursor)."""
        await self.session.execute(
            insert(WorkflowCursor).values(name=name, position=0).on_conflict_do_nothing()
        )
        statement = (
            select(WorkflowCursor.position).where(WorkflowCursor.name == name).with_for_update()
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def advance(self, name: str, position: int) -> None:
        await self.session.execute(
            update(WorkflowCursor).where(WorkflowCursor.name == name).values(position=position)
        )

    async def last_settled(self, lead_id: int, settle: timedelta) -> int | None:
        """The last lead stored after `lead_id`, at least `settle` ago (as `leads_after`
        counts it), without reading or locking any: a cursor nobody listens to moves there."""
        statement = select(func.max(Lead.id)).where(
            Lead.id > lead_id, Lead.created_at < func.statement_timestamp() - settle
        )
        found: int | None = (await self.session.execute(statement)).scalar_one()
        return found

    async def leads_after(self, lead_id: int, settle: timedelta, limit: int) -> list[Lead]:
        """Leads stored after `lead_id`, at least `settle` ago by the database's clock (which
        stamped them), in id order, locked."""
        statement = (
            select(Lead)
            .where(Lead.id > lead_id, Lead.created_at < func.statement_timestamp() - settle)
            .order_by(Lead.id)
            .limit(limit)
            .with_for_update()
        )
        return list((await self.session.execute(statement)).scalars())

    async def idle_leads(self, before: datetime, after_id: int, limit: int) -> list[Lead]:
        """Open leads whose last activity (or arrival) is before `before`, in id order from
        `after_id`, locked (others' sweeps skip them)."""
        idle_since = func.coalesce(Lead.last_activity_at, Lead.received_at)
        statement = (
            select(Lead)
            .where(Lead.closed_at.is_(None), idle_since < before, Lead.id > after_id)
            .order_by(Lead.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.execute(statement)).scalars())

    async def overdue_tasks(self, now: datetime, after_id: int, limit: int) -> list[Task]:
        statement = (
            select(Task)
            .where(Task.status == "open", Task.due_at < now, Task.id > after_id)
            .order_by(Task.id)
            .limit(limit)
        )
        return list((await self.session.execute(statement)).scalars())

    async def open_tasks_of(self, lead_id: int) -> list[Task]:
        statement = (
            select(Task).where(Task.lead_id == lead_id, Task.status == "open").order_by(Task.id)
        )
        return list((await self.session.execute(statement)).scalars())

    async def leads(self, ids: Sequence[int]) -> dict[int, Lead]:
        statement = select(Lead).where(Lead.id.in_(list(ids)))
        return {lead.id: lead for lead in (await self.session.execute(statement)).scalars()}
