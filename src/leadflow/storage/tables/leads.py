"""Contacts and their identities, leads, their assignments and activities."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    Sequence,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadflow.storage.tables.base import Base, _now


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(BigInteger, Sequence("contacts_id_seq"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))
    whatsapp_id: Mapped[str | None] = mapped_column(String(140))
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
    whatsapp_id: Mapped[str | None] = mapped_column(String(140))
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
    ctwa_clid: Mapped[str | None] = mapped_column(Text)
    """Click-to-WhatsApp ad click id (the first message's referral)."""
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
    sla_misses: Mapped[int] = mapped_column(Integer, server_default="0")
    """First-contact deadlines missed (each one is a step: moved, kept or escalated)."""
    sla_escalated_at: Mapped[datetime | None]
    """When the team lead took the lead over after its last missed deadline (`sla_due_at`,
    kept so the lead stays overdue): the SLA check leaves it alone from then."""
    held_for_agent_key: Mapped[str | None] = mapped_column(String(64))
    """The owner on leave this lead returns to when the leave ends (kept with a backup)."""
    closed_at: Mapped[datetime | None]
    stage_entered_at: Mapped[datetime | None]
    lost_reason: Mapped[str | None] = mapped_column(String(64))
    """Why a lead in a lost stage was lost (a key of its pipeline's lost reasons)."""
    last_activity_at: Mapped[datetime | None]
    """The latest activity's time (what `no_activity` automations and the board read)."""
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
            "leads_board",
            "pipeline_key",
            "stage_key",
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index(
            "leads_closed",
            "pipeline_key",
            "closed_at",
            postgresql_where=text("closed_at IS NOT NULL"),
        ),
        Index(
            "leads_idle",
            text("coalesce(last_activity_at, received_at)"),
            postgresql_where=text("closed_at IS NULL"),
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
    """Everything that happened on a lead: calls with their times, messages, e-mails, notes,
    CSAT answers, stage changes and task events; who did it (a user, an automation rule, a CRM,
    a bot) and, for automated ones, the rule and configuration version that did it."""

    __tablename__ = "activities"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    lead_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("leads.id"))
    agent_key: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    """call_attempt, call, message, email, note, csat, stage_change, task."""
    occurred_at: Mapped[datetime]
    """When it happened; for a call, when it started."""
    direction: Mapped[str | None] = mapped_column(String(10))
    duration_s: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(32))
    """Calls: answered, no_answer, busy, voicemail, wrong_number."""
    detail: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    """Kind-specific extras: a note's type and text, an e-mail's subject, a CSAT comment…"""
    actor_kind: Mapped[str] = mapped_column(String(12), server_default="user")
    """user, integration, automation, crm, bot, system."""
    actor: Mapped[str | None] = mapped_column(String(320))
    """The user's e-mail, the token's name, the automation's key…"""
    rule_key: Mapped[str | None] = mapped_column(String(64))
    config_version_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str | None] = mapped_column(String(16))
    """Messages: whatsapp, sms, email."""
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    talk_s: Mapped[int | None] = mapped_column(Integer)
    hold_s: Mapped[int | None] = mapped_column(Integer)
    wait_s: Mapped[int | None] = mapped_column(Integer)
    wrap_s: Mapped[int | None] = mapped_column(Integer)
    """After-call work."""
    score: Mapped[int | None] = mapped_column(Integer)
    """CSAT answers: the score given."""
    rates_activity_id: Mapped[int | None] = mapped_column(BigInteger)
    """CSAT answers: the call or conversation rated."""
    task_id: Mapped[int | None] = mapped_column(BigInteger)
    from_stage: Mapped[str | None] = mapped_column(String(64))
    to_stage: Mapped[str | None] = mapped_column(String(64))
    lost_reason: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        Index("activities_lead_time", "lead_id", "occurred_at"),
        Index("activities_agent_time", "agent_key", "occurred_at"),
        Index("activities_kind_time", "kind", "occurred_at"),
    )
