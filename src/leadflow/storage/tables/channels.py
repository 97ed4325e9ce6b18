"""Channels in: the connectors an organisation configured (one per ad account, WhatsApp number,
telephony account…) and every item their vendors delivered, stored before it is acknowledged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadflow.storage.tables.base import Base, _now


class Connector(Base):
    __tablename__ = "connectors"
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    """The slug in its webhook URL (/hooks/{kind}/{key})."""
    kind: Mapped[str] = mapped_column(String(16))
    """meta, google_ads, whatsapp, twilio."""
    name: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    secrets: Mapped[bytes | None] = mapped_column(LargeBinary)
    """A Fernet token of the JSON {name: value}; the key derives from LEADFLOW_SECRET_KEY."""
    secret_hints: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    """{name: "…abcd"}: all that is ever shown again of a secret."""
    settings: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    """Field mappings per form, pipeline hints, vendor ids, `api_base`."""
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    updated_at: Mapped[datetime] = mapped_column(server_default=_now())


class InboundEvent(Base):
    """One item of a vendor delivery (a lead, a message, a status, a call), stored as the vendor
    sent it. The unique (connector, kind, vendor id) makes a repeated delivery a no-op."""

    __tablename__ = "inbound_events"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    connector_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    """lead, message, status, call."""
    vendor_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    occurred_at: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10), server_default="received")
    """received, processed, retrying, dead, ignored."""
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    lead_id: Mapped[int | None] = mapped_column(BigInteger)
    activity_id: Mapped[int | None] = mapped_column(BigInteger)
    processed_at: Mapped[datetime | None]
    __table_args__ = (
        Index("inbound_events_once", "connector_key", "kind", "vendor_id", unique=True),
        Index(
            "inbound_events_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('received', 'retrying')"),
        ),
        Index("inbound_events_connector_time", "connector_key", "received_at"),
    )


class MessageMedia(Base):
    """A file a person sent in a message (WhatsApp image, document, audio, video, sticker),
    downloaded from the vendor with its sha256 checked; served only to who may see the lead."""

    __tablename__ = "message_media"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    lead_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("leads.id"))
    activity_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("activities.id"))
    channel: Mapped[str] = mapped_column(String(16))
    vendor_media_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    """image, document, audio, video, sticker."""
    mime_type: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    """Hex, as the vendor gave it and as checked."""
    filename: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    __table_args__ = (
        Index("message_media_lead", "lead_id"),
        Index("message_media_activity", "activity_id"),
    )
