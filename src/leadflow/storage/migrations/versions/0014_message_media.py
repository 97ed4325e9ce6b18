"""message_media: the files people send on WhatsApp (images, documents, audio, video, stickers)

The inbound processing job downloads a message's media from the WhatsApp Cloud API (the media
id's URL, then the file with the same token), checks its sha256 and size (at most 16 MB, as
WhatsApp's own limit for audio and video) and keeps the bytes here, linked to the lead and the
message activity; the activity's detail names the file (or why it is unavailable). Served only
to users who may see the lead.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_media",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("lead_id", sa.BigInteger(), sa.ForeignKey("leads.id"), nullable=False),
        sa.Column("activity_id", sa.BigInteger(), sa.ForeignKey("activities.id"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("vendor_media_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mime_type", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
    )
    op.create_index("message_media_lead", "message_media", ["lead_id"])
    op.create_index("message_media_activity", "message_media", ["activity_id"])


def downgrade() -> None:
    op.drop_table("message_media")
