"""The leads list: its sort and search indexes, and each user's saved views.

Sorting keys are indexed with the id after them, so a page after a cursor is a range of one
index (keyset pagination). The text search matches the start of the first name, the last name
or the e-mail address (lower-cased, `text_pattern_ops`: a prefix `LIKE` whatever the database's
collation), and the end of the E.164 phone number (its reverse, by prefix). pg_trgm would find
any substring, but the embedded PostgreSQL the demo runs on does not ship it.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "leads_list_name": "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), id",
    "leads_list_owner": "coalesce(owner_agent_key, ''), id",
    "leads_list_stage": "coalesce(stage_key, ''), id",
    "leads_list_status": "routing_status, id",
    "leads_list_campaign": "utm_campaign, received_at",
    "leads_list_country": "country, received_at",
    "leads_list_source": "source, received_at",
    "leads_list_language": "language, received_at",
    "leads_search_first_name": "lower(first_name) text_pattern_ops",
    "leads_search_last_name": "lower(last_name) text_pattern_ops",
    "leads_search_email": "lower(email) text_pattern_ops",
    "leads_search_phone": "reverse(phone_e164) text_pattern_ops",
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON leads ({columns})")
    op.create_table(
        "saved_lead_views",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.UniqueConstraint("user_id", "name", name="saved_lead_views_user_name"),
    )


def downgrade() -> None:
    op.drop_table("saved_lead_views")
    for name in reversed(INDEXES):
        op.execute(f"DROP INDEX IF EXISTS {name}")
