"""leads kept by a backup while their owner is on leave

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("held_for_agent_key", sa.String(length=64), nullable=True))
    op.create_index(
        "leads_held_for",
        "leads",
        ["held_for_agent_key"],
        postgresql_where=sa.text("held_for_agent_key IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("leads_held_for", table_name="leads")
    op.drop_column("leads", "held_for_agent_key")
