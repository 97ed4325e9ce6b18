"""Each user's saved views of the leads list."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import SavedLeadView


class SavedViewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_user(self, user_id: int) -> list[SavedLeadView]:
        found = await self.session.scalars(
            select(SavedLeadView)
            .where(SavedLeadView.user_id == user_id)
            .order_by(SavedLeadView.name)
        )
        return list(found)

    async def get(self, user_id: int, view_id: int) -> SavedLeadView | None:
        return await self.session.scalar(
            select(SavedLeadView).where(
                SavedLeadView.user_id == user_id, SavedLeadView.id == view_id
            )
        )

    async def save(self, user_id: int, name: str, query: str) -> int:
        """Store the view; a view of the same name is replaced. Its id."""
        statement = (
            insert(SavedLeadView)
            .values(user_id=user_id, name=name, query=query)
            .on_conflict_do_update(constraint="saved_lead_views_user_name", set_={"query": query})
            .returning(SavedLeadView.id)
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def remove(self, user_id: int, view_id: int) -> bool:
        done = await self.session.execute(
            delete(SavedLeadView)
            .where(SavedLeadView.user_id == user_id, SavedLeadView.id == view_id)
            .returning(SavedLeadView.id)
        )
        return done.first() is not None
