"""A user's saved views of the leads list: a name and the list's filters and sort."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Identity, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadflow.storage.tables.base import Base, _now


class SavedLeadView(Base):
    __tablename__ = "saved_lead_views"
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(Text)
    """The list's query string (filters and sort), as the page's address carries it."""
    created_at: Mapped[datetime] = mapped_column(server_default=_now())
    __table_args__ = (UniqueConstraint("user_id", "name", name="saved_lead_views_user_name"),)
