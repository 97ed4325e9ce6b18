"""Every table of Leadflow. The configuration document is the source of truth for teams, agents
and pipelines; their tables are materialised from the active version so that leads, assignments
and dashboards can join and reference them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    Sequence,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSONB,
        list[str]: ARRAY(Text),
    }


def _now() -> Any:
    return text("now()")


# --- people and access -----------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))  # admin, manager, team_lead, agent
    locale: Mapped[str] = mapped_column(String(10), server_default="en")
    timezone: Mapped[str] = mapped_column(String(64), server_default="Europe/Istanbul")
    agent_key: Mapped[str | None] = mapped_column(String(64))
    team_keys: Mapped[list[str]] = mapped_column(server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=_now())


class WebSession(Base):
    """A signed-in browser: the cookie holds a random id, this row its SHA-256 (a copied table
    signs nobody in). Deleting the row ends the session at once (sign-out, password change)."""

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    expires_at: Mapped[datetime]
    flashes: Mapped[list[Any]] = mapped_column(JSONB, server_default="[]")
    """Messages shown once on the next page, already translated: [[kind, text], …]."""


class SignInThrottle(Base):
    """Failed sign-ins per account (`account:<e-mail>`) or client (`address:<ip>`) in the current
    window, and until when further attempts are refused. In the database so every server process
    sees the same counts."""

    __tablename__ = "sign_in_throttle"
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{intake}")
    """What the token may do (services.scoping.Scope); least privilege unless asked."""
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebForm(Base):
    """A clinic landing page's form: posts leads with a public key from allowed origins."""

    __tablename__ = "web_forms"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    allowed_origins: Mapped[list[str]] = mapped_column(server_default="{}")
    defaults: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    created_at: Mapped[datetime] = mapped_column(server_default=_now())


# --- configuration -----------------------------------------------------------------------------


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


# --- contacts and leads ------------------------------------------------------------------------


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(BigInteger, Sequence("contacts_id_seq"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))
    whatsapp_id: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(8))
    owner_agent_key: Mapped[str | None] = mapped_column(String(64))


class ContactIdentity(Base):
    """One row per normalised phone, e-mail or WhatsApp id: the unique key of a person."""

    __tablename__ = "contact_identities"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(320), primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("contacts.id", deferrable=True, initially="DEFERRED"),
        index=True,
    )


class Lead(Base):
    __tablename__ = "leads"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    contact_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("contacts.id"))
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    is_repeat: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    repeat_of: Mapped[int | None] = mapped_column(BigInteger)
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    phone_raw: Mapped[str | None] = mapped_column(Text)
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))
    whatsapp_id: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    country_source: Mapped[str] = mapped_column(String(12))
    language: Mapped[str | None] = mapped_column(String(8))
    language_source: Mapped[str] = mapped_column(String(12))
    locale: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)
    treatment: Mapped[str | None] = mapped_column(String(64))
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    consent: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[float | None]
    priority: Mapped[int] = mapped_column(Integer, server_default="0")
    utm_source: Mapped[str | None] = mapped_column(Text)
    utm_medium: Mapped[str | None] = mapped_column(Text)
    utm_campaign: Mapped[str | None] = mapped_column(Text)
    utm_content: Mapped[str | None] = mapped_column(Text)
    utm_term: Mapped[str | None] = mapped_column(Text)
    gclid: Mapped[str | None] = mapped_column(Text)
    gbraid: Mapped[str | None] = mapped_column(Text)
    wbraid: Mapped[str | None] = mapped_column(Text)
    fbclid: Mapped[str | None] = mapped_column(Text)
    campaign_id: Mapped[str | None] = mapped_column(String(64))
    adset_id: Mapped[str | None] = mapped_column(String(64))
    ad_id: Mapped[str | None] = mapped_column(String(64))
    landing_url: Mapped[str | None] = mapped_column(Text)
    custom: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    # routing and workflow state
    routing_status: Mapped[str] = mapped_column(String(12), server_default="new")
    """new, assigned, queued, unassigned (alert), unrouted (routing failed; retried)."""
    pipeline_key: Mapped[str | None] = mapped_column(String(64))
    stage_key: Mapped[str | None] = mapped_column(String(64))
    owner_agent_key: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[datetime | None]
    first_contact_at: Mapped[datetime | None]
    sla_due_at: Mapped[datetime | None]
    sla_reassignments: Mapped[int] = mapped_column(Integer, server_default="0")
    held_for_agent_key: Mapped[str | None] = mapped_column(String(64))
    """The owner on leave this lead returns to when the leave ends (kept with a backup)."""
    closed_at: Mapped[datetime | None]
    __table_args__ = (
        Index(
            "leads_source_external_id",
            "source",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
        ),
        Index("leads_contact_received", "contact_id", "received_at"),
        Index("leads_received", "received_at"),
        Index("leads_owner_open", "owner_agent_key", postgresql_where=text("closed_at IS NULL")),
        Index(
            "leads_queue",
            "pipeline_key",
            text("priority DESC"),
            "received_at",
            postgresql_where=text("routing_status = 'queued'"),
        ),
        Index(
            "leads_held_for",
            "held_for_agent_key",
            postgresql_where=text("held_for_agent_key IS NOT NULL"),
        ),
        Index(
            "leads_sla_due",
            "sla_due_at",
            postgresql_where=text("first_contact_at IS NULL AND sla_due_at IS NOT NULL"),
        ),
    )


class Assignment(Base):
    """Every routing decision and manual change, with its trace; the history of a lead's owner."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    lead_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("leads.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """initial, manual, sla, staff, queue_release, retry."""
    outcome: Mapped[str] = mapped_column(String(12))
    agent_key: Mapped[str | None] = mapped_column(String(64))
    previous_agent_key: Mapped[str | None] = mapped_column(String(64))
    pipeline_key: Mapped[str | None] = mapped_column(String(64))
    rule_key: Mapped[str | None] = mapped_column(String(64))
    via: Mapped[str | None] = mapped_column(String(24))
    config_version_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(320), server_default="router")
    reason: Mapped[str] = mapped_column(Text, server_default="")
    trace: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    __table_args__ = (
        # The database itself refuses a second initial routing of one lead.
        Index(
            "one_initial_assignment",
            "lead_id",
            unique=True,
            postgresql_where=text("kind = 'initial'"),
        ),
        Index("assignments_agent_decided", "agent_key", "decided_at"),
    )


class Activity(Base):
    __tablename__ = "activities"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    lead_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("leads.id"))
    agent_key: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    """call_attempt, call, message, email, note, stage_change, task."""
    occurred_at: Mapped[datetime]
    direction: Mapped[str | None] = mapped_column(String(10))
    duration_s: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    __table_args__ = (
        Index("activities_lead_time", "lead_id", "occurred_at"),
        Index("activities_agent_time", "agent_key", "occurred_at"),
    )


# --- platform ---------------------------------------------------------------------------------


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=_now())
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(server_default="{}")


class DeadLetter(Base):
    """A payload that could not be parsed: kept with its reason, replayable after a fix."""

    __tablename__ = "dead_letters"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(server_default=_now())
    endpoint: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    body: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), server_default="new")
    """new, replayed, failed."""
    replayed_at: Mapped[datetime | None]
    lead_id: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")


class OutboxMessage(Base):
    """A side effect written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    topic: Mapped[str] = mapped_column(String(64))
    """lead.assigned, lead.reassigned, lead.queued, sla.warning, alert…"""
    channel: Mapped[str] = mapped_column(String(16))
    """sse, webhook, email."""
    recipient: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    idempotency_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), server_default="pending")
    """pending, delivered, dead."""
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(server_default=_now())
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="outbox_idempotency_key"),
        Index("outbox_pending", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    )


class Delivery(Base):
    """One send of an outbox message to one recipient, committed right after it succeeded, so a
    retried message skips whom it already reached. Outbox rows of channel `sse` are also announced
    on commit with NOTIFY leadflow_live by a trigger (migration 0003).
    """

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # No foreign key: the delivering worker holds the outbox row FOR UPDATE while it records
    # sends from another connection, and a key-share lock would wait on it.
    outbox_id: Mapped[int] = mapped_column(BigInteger)
    recipient: Mapped[str] = mapped_column(String(400))
    """e.g. `webhook:slack-de` or `email:lead@clinic.example`."""
    delivered_at: Mapped[datetime] = mapped_column(server_default=_now())
    __table_args__ = (
        UniqueConstraint("outbox_id", "recipient", name="deliveries_outbox_recipient"),
    )
