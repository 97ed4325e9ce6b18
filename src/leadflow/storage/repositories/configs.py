"""Configuration versions and the tables materialised from the active one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, event, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from leadflow.storage import tables
from leadflow.storage.database import Activations, driver

_ACTIVATED = "leadflow.config_activated"
"""Where a session keeps the Activations to count again when its transaction ends."""


@event.listens_for(Session, "after_transaction_end")
def _count_when_it_ends(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        activations: Activations | None = session.info.pop(_ACTIVATED, None)
        if activations is not None:
            activations.count += 1


class ConfigRepository:
    def __init__(self, session: AsyncSession, activations: Activations) -> None:
        self.session = session
        self._activations = activations

    async def active(self) -> tables.ConfigVersion | None:
        statement = select(tables.ConfigVersion).where(tables.ConfigVersion.is_active)
        return (await self.session.execute(statement)).scalar_one_or_none()

    def activations(self) -> Activations:
        """The count, shared by every store of this Database, of the configurations it
        activated (read `.count`; it only grows)."""
        return self._activations

    async def active_id(self) -> int | None:
        """Asked by every lead (has the configuration changed?): plain SQL."""
        connection = await driver(self.session)
        cursor = await connection.execute("SELECT id FROM config_versions WHERE is_active")
        row = await cursor.fetchone()
        return row[0] if row else None

    async def locked_active_id(self) -> int | None:
        """The active version, locked until the transaction ends: an edit that checks it is
        still based on the active version holds it so until its own version is added (a
        concurrent edit waits, then finds another version active)."""
        statement = (
            select(tables.ConfigVersion.id).where(tables.ConfigVersion.is_active).with_for_update()
        )
        found: int | None = (await self.session.execute(statement)).scalar_one_or_none()
        return found

    async def get(self, version_id: int) -> tables.ConfigVersion | None:
        return await self.session.get(tables.ConfigVersion, version_id)

    async def document(self, version_id: int) -> dict[str, Any] | None:
        """A version's document, in plain SQL (the intake path asks when a version changes)."""
        connection = await driver(self.session)
        cursor = await connection.execute(
            "SELECT document FROM config_versions WHERE id = %s", (version_id,)
        )
        row = await cursor.fetchone()
        return row[0] if row else None

    async def history(self, limit: int = 50) -> list[tables.ConfigVersion]:
        statement = (
            select(tables.ConfigVersion).order_by(tables.ConfigVersion.id.desc()).limit(limit)
        )
        return list((await self.session.execute(statement)).scalars())

    async def add_active(self, document: dict[str, Any], *, created_by: str, comment: str) -> int:
        """Store a new version and make it the only active one (serialised by a table lock)."""
        await self.session.execute(
            tables.ConfigVersion.__table__.select()
            .with_for_update()
            .where(tables.ConfigVersion.is_active)
        )
        await self.session.execute(
            update(tables.ConfigVersion)
            .where(tables.ConfigVersion.is_active)
            .values(is_active=False)
        )
        version = tables.ConfigVersion(
            document=document, created_by=created_by, comment=comment, is_active=True
        )
        self.session.add(version)
        await self.session.flush()
        self._activations.count += 1
        self.session.info[_ACTIVATED] = self._activations
        return version.id

    async def materialise(
        self,
        *,
        teams: list[dict[str, Any]],
        agents: list[dict[str, Any]],
        pipelines: list[dict[str, Any]],
        stages: list[dict[str, Any]],
        memberships: list[dict[str, Any]],
    ) -> None:
        """Upsert teams, agents and pipelines; replace stages and pool memberships.

        Agents are never deleted (leads and history reference them): one missing from the new
        document is marked `left` by the caller.
        """
        await self._upsert(tables.Team, teams, ["key"])
        await self._upsert(tables.Agent, agents, ["key"])
        await self._upsert(tables.Pipeline, pipelines, ["key"])
        await self.session.execute(delete(tables.Stage))
        await self.session.execute(delete(tables.PoolMembership))
        if stages:
            await self.session.execute(insert(tables.Stage).values(stages))
        if memberships:
            await self.session.execute(insert(tables.PoolMembership).values(memberships))

    async def agent_keys(self) -> set[str]:
        return set((await self.session.execute(select(tables.Agent.key))).scalars())

    async def _upsert(self, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
        if not rows:
            return
        statement = insert(table).values(rows)
        columns = {c: statement.excluded[c] for c in rows[0] if c not in keys}
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=keys, set_=columns)
        )
