"""Who signs in and calls: users, their sessions and sign-in throttle, API tokens, website forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Identity,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from leadflow.storage.tables.base import Base, _now


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
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    field_map: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    """The page's field name → a lead field or `custom.NAME` (domain.web_forms)."""
    refused_spam: Mapped[int] = mapped_column(Integer, server_default="0")
    """Posts with the honeypot filled: answered like any other, stored as no lead."""
    refused_origin: Mapped[int] = mapped_column(Integer, server_default="0")
    refused_rate: Mapped[int] = mapped_column(Integer, server_default="0")
    updated_at: Mapped[datetime | None]
