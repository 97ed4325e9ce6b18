"""leads.sla_misses, leads.sla_escalated_at: a missed deadline stays on the lead

After the last automatic step of the first-contact SLA the deadline was cleared, so a lead the
team lead had taken over dropped out of every urgency count, and a lead nobody else could take
got a fresh deadline (and a history row) every SLA period for ever. Now the missed deadline
stays in `sla_due_at`; `sla_escalated_at` says when the team lead took the lead over (the SLA
check leaves it alone from then), and `sla_misses` counts the deadlines it missed, which bounds
the "nobody else is eligible: kept" steps.

Leads escalated before keep their last SLA step's time as their missed deadline.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = """
UPDATE leads SET sla_due_at = last.decided_at, sla_escalated_at = last.decided_at
FROM (
  SELECT lead_id, max(decided_at) AS decided_at FROM assignments
  WHERE kind = 'sla' AND outcome = 'kept' GROUP BY lead_id
) AS last
WHERE last.lead_id = leads.id AND leads.sla_due_at IS NULL
  AND leads.first_contact_at IS NULL AND leads.routing_status = 'assigned'
"""


def upgrade() -> None:
    op.add_column(
        "leads", sa.Column("sla_misses", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("leads", sa.Column("sla_escalated_at", sa.DateTime(timezone=True)))
    op.execute(_BACKFILL)


def downgrade() -> None:
    op.drop_column("leads", "sla_escalated_at")
    op.drop_column("leads", "sla_misses")
