"""The sales workflow's own rows: tasks (follow-ups, callbacks), what automation rules did
(one row per event and rule, so an action never fires twice), and the sweep's positions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from leadflow.storage.tables.base import Base, _now


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    lead_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("leads.id"), index=True)
    owner_agent_key: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), server_default="follow_up")
    """callback, follow_up, todo."""
    due_at: Mapped[datetime]
    due_zone: Mapped[str | None] = mapped_column(String(64))
    """The patient's time zone the due time was given in (shown beside the agent's)."""
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    """open, done, cancelled."""
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    created_by: Mapped[str | None] = mapped_column(String(320))
    completed_at: Mapped[datetime | None]
    rule_key: Mapped[str | None] = mapped_column(String(64))
    config_version_id: Mapped[int | None] = mapped_column(Integer)
    overdue_alerted_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    __table_args__ = (
        Index(
            "tasks_owner_due", "owner_agent_key", "due_at", postgresql_where=text("status = 'open'")
        ),
        Index("tasks_open_due", "due_at", postgresql_where=text("status = 'open'")),
    )


class AutomationRun(Base):
    """One automation rule acting on one event: the unique pair is what makes a repeated event
    (a retried job, a replayed sweep) a no-op."""

    __tablename__ = "automation_runs"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_key: Mapped[str] = mapped_column(String(200))
    automation_key: Mapped[str] = mapped_column(String(64))
    lead_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("leads.id"), index=True)
    config_version_id: Mapped[int | None] = mapped_column(Integer)
    ran_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(10))
    """applied, failed."""
    detail: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    __table_args__ = (Index("automation_runs_once", "event_key", "automation_key", unique=True),)


class WorkflowCursor(Base):
    """How far a periodic sweep has read (e.g. the last lead id handed to `lead_created`)."""

    __tablename__ = "workflow_cursors"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, server_default="0")
