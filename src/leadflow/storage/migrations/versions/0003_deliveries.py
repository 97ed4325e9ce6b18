"""deliveries (one row per message and recipient) and the outbox NOTIFY trigger

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On commit of a transaction that wrote outbox rows: `leadflow_live` carries each live (sse) event
# to the server processes holding the agent's event stream, and `leadflow_outbox` wakes the
# workers so delivery starts at once. A payload over PostgreSQL's 8000-byte limit goes without
# its body (the stream's reader still learns the event and its id).
_NOTIFY_FUNCTION = """
CREATE FUNCTION leadflow_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event text;
BEGIN
  IF NEW.channel = 'sse' AND NEW.recipient IS NOT NULL THEN
    event := json_build_object(
      'id', NEW.id, 'agent', NEW.recipient, 'topic', NEW.topic, 'payload', NEW.payload)::text;
    IF octet_length(event) > 7900 THEN
      event := json_build_object(
        'id', NEW.id, 'agent', NEW.recipient, 'topic', NEW.topic, 'payload', '{}'::json)::text;
    END IF;
    PERFORM pg_notify('leadflow_live', event);
  END IF;
  PERFORM pg_notify('leadflow_outbox', '');
  RETURN NULL;
END
$$;
"""


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("outbox_id", sa.BigInteger(), nullable=False),
        sa.Column("recipient", sa.String(length=400), nullable=False),
        sa.Column(
            "delivered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbox_id", "recipient", name="deliveries_outbox_recipient"),
    )
    op.execute(_NOTIFY_FUNCTION)
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
        "FOR EACH ROW EXECUTE FUNCTION leadflow_outbox_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute("DROP FUNCTION IF EXISTS leadflow_outbox_notify()")
    op.drop_table("deliveries")
