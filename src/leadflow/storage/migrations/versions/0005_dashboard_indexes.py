"""indexes for the dashboards: a team's or pipeline's leads by time, and the waiting queue

The dashboards aggregate leads received in a period; a team lead's scope (their agents' leads
or their pipelines' leads) and the pipeline filter read these ranges instead of the whole period.
The queue counts leads still waiting for an agent whatever their status of waiting; the SLA
board counts open leads never contacted and past their deadline (closed ones left out, unlike
`leads_sla_due`, which the SLA job reads).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WAITING = "routing_status IN ('queued', 'unassigned', 'unrouted')"
_OVERDUE = "first_contact_at IS NULL AND closed_at IS NULL AND sla_due_at IS NOT NULL"


def upgrade() -> None:
    op.create_index("leads_owner_received", "leads", ["owner_agent_key", "received_at"])
    op.create_index("leads_pipeline_received", "leads", ["pipeline_key", "received_at"])
    op.create_index(
        "leads_waiting",
        "leads",
        ["pipeline_key", "received_at"],
        postgresql_where=sa.text(_WAITING),
    )


def downgrade() -> None:
    op.drop_index("leads_open_uncontacted", table_name="leads")
    op.drop_index("leads_waiting", table_name="leads")
    op.drop_index("leads_pipeline_received", table_name="leads")
    op.drop_index("leads_owner_received", table_name="leads")
