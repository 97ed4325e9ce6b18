"""The configuration's versions, and the teams, agents and pipelines materialised from the active
one (so that leads and dashboards can join them), with the agents' counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadflow.storage.tables.base import Base, _now


class ConfigVersion(Base):
    """An immutable version of the configuration document; exactly one is active."""

    __tablename__ = "config_versions"
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    created_by: Mapped[str] = mapped_column(String(320))
    comment: Mapped[str] = mapped_column(Text, server_default="")
    document: Mapped[dict[str, Any]]
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    __table_args__ = (
        Index("one_active_config", "is_active", unique=True, postgresql_where=text("is_active")),
    )


class Team(Base):
    __tablename__ = "teams"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Agent(Base):
    __tablename__ = "agents"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    team_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    tier: Mapped[str] = mapped_column(String(12))
    timezone: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list[str]]
    skills: Mapped[list[str]]
    caps: Mapped[dict[str, Any]]
    open_leads: Mapped[int] = mapped_column(Integer, server_default="0")
    """Locked (FOR UPDATE) while an assignment is claimed; the open-leads counter."""


class AgentDailyCount(Base):
    """New leads per agent per local date (the agent's time zone); sums give week and month."""

    __tablename__ = "agent_daily_counts"
    agent_key: Mapped[str] = mapped_column(String(64), ForeignKey("agents.key"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    assigned: Mapped[int] = mapped_column(Integer, server_default="0")


class Pipeline(Base):
    __tablename__ = "pipelines"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    team_key: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))


class Stage(Base):
    __tablename__ = "stages"
    pipeline_key: Mapped[str] = mapped_column(
        String(64), ForeignKey("pipelines.key", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(8), server_default="open")
    """open, won, lost."""


class PoolMembership(Base):
    __tablename__ = "pool_memberships"
    pipeline_key: Mapped[str] = mapped_column(
        String(64), ForeignKey("pipelines.key", ondelete="CASCADE"), primary_key=True
    )
    agent_key: Mapped[str] = mapped_column(String(64), ForeignKey("agents.key"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)


class PoolState(Base):
    """Strategy memory of a pipeline's pool; locked while a lead of that pool is routed."""

    __tablename__ = "pool_states"
    pipeline_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    current: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    last_agent: Mapped[str | None] = mapped_column(String(64))
    decisions: Mapped[int] = mapped_column(BigInteger, server_default="0")
