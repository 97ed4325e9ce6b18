"""The platform's own records: audit entries, dead letters, the outbox and its deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadflow.storage.tables.base import Base, _now


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
