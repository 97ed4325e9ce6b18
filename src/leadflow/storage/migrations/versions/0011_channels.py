"""Channels in: connectors and the inbound events their vendors deliver

A connector is one configured channel (a Meta page, a Google Ads lead form webhook, a WhatsApp
number, a Twilio account) with its secrets encrypted and its settings (field mappings, pipeline
hints, vendor ids). Every item a vendor delivers is stored as it came before it is acknowledged;
(connector, kind, vendor id) is unique, so a repeated delivery is a no-op. Processing is
retried with backoff from a job; events that cannot be processed are kept dead, replayable.

Other channel branches add their columns and tables in a block at the end of upgrade() (and
its mirror at the start of downgrade()), commented with their branch name.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "connectors",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.text("true")),
        sa.Column("secrets", sa.LargeBinary(), nullable=True),
        sa.Column("secret_hints", JSONB(), nullable=False, server_default="{}"),
        sa.Column("settings", JSONB(), nullable=False, server_default="{}"),
        sa.Column("created_at", TZ, nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.text("now()")),
    )
    op.create_table(
        "inbound_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("connector_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("vendor_id", sa.String(200), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("occurred_at", TZ, nullable=True),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="received"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lead_id", sa.BigInteger(), nullable=True),
        sa.Column("activity_id", sa.BigInteger(), nullable=True),
        sa.Column("processed_at", TZ, nullable=True),
    )
    op.create_index(
        "inbound_events_once",
        "inbound_events",
        ["connector_key", "kind", "vendor_id"],
        unique=True,
    )
    op.create_index(
        "inbound_events_due",
        "inbound_events",
        ["next_attempt_at"],
        postgresql_where=sa.text("status IN ('received', 'retrying')"),
    )
    op.create_index(
        "inbound_events_connector_time", "inbound_events", ["connector_key", "received_at"]
    )
    # whatsapp: the click-to-WhatsApp ad click id; wa_ids that are business-scoped user ids
    # (up to "CC.ENT." and 128 characters); our WhatsApp messages found again by their wamid
    # when their statuses arrive.
    op.add_column("leads", sa.Column("ctwa_clid", sa.Text(), nullable=True))
    for table in ("leads", "contacts"):
        op.alter_column(table, "whatsapp_id", type_=sa.String(140), existing_type=sa.String(32))
    op.execute(
        "CREATE INDEX activities_whatsapp_message ON activities ((detail->>'wamid'))"
        " WHERE channel = 'whatsapp'"
    )

    # phone: web forms administered (enabled, field mapping) and their refused posts counted.
    op.add_column(
        "web_forms",
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.text("true")),
    )
    op.add_column("web_forms", sa.Column("field_map", JSONB(), nullable=False, server_default="{}"))
    for counter in ("refused_spam", "refused_origin", "refused_rate"):
        op.add_column(
            "web_forms", sa.Column(counter, sa.Integer(), nullable=False, server_default="0")
        )
    op.add_column("web_forms", sa.Column("updated_at", TZ, nullable=True))


def downgrade() -> None:
    # phone:
    for column in ("updated_at", "refused_rate", "refused_origin", "refused_spam", "field_map"):
        op.drop_column("web_forms", column)
    op.drop_column("web_forms", "enabled")
    # whatsapp:
    op.execute("DROP INDEX activities_whatsapp_message")
    for table in ("leads", "contacts"):
        op.alter_column(table, "whatsapp_id", type_=sa.String(32), existing_type=sa.String(140))
    op.drop_column("leads", "ctwa_clid")
    op.drop_table("inbound_events")
    op.drop_table("connectors")
