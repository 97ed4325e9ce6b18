"""Tasks: follow-ups and callbacks on leads."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import Task


class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> Task:
        task = Task(**values)
        self.session.add(task)
        await self.session.flush()
        return task
