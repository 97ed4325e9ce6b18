"""People who sign in to the web interface."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.tables import User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: Any) -> User:
        user = User(**values)
        self.session.add(user)
        await self.session.flush()
        await self.session.refresh(user)
        return user

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def by_email(self, email: str) -> User | None:
        """`email` is stored lower-cased; compare the same way."""
        statement = select(User).where(User.email == email.lower())
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def listing(self) -> list[User]:
        statement = select(User).order_by(User.is_active.desc(), User.role, User.name)
        return list((await self.session.execute(statement)).scalars())

    async def update(self, user_id: int, **values: Any) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(**values))
        await self.session.flush()

    async def count(self, *, active_only: bool = True) -> int:
        statement = select(func.count()).select_from(User)
        if active_only:
            statement = statement.where(User.is_active)
        return (await self.session.execute(statement)).scalar_one()
