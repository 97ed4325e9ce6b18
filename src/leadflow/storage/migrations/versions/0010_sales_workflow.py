"""The sales workflow: typed stages, the full activity model, tasks, automation runs

Stages get their type (open, won, lost; `won` and `lost` keep meaning what they meant). A lead
records when it entered its stage, why it was lost and when it last had an activity (leads
already stored take their latest activity's time). Activities gain who did them (user,
integration, automation, CRM, bot) with the rule and configuration version behind automated
ones, call times (answered, ended, talk, hold, wait, after-call work), the message channel,
CSAT scores with the activity they rate, and stage moves with their lost reason. Tasks and
automation runs are new tables; a run's (event, rule) pair is unique, so no action fires twice.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("stages", sa.Column("type", sa.String(8), nullable=False, server_default="open"))
    op.execute("UPDATE stages SET type = key WHERE key IN ('won', 'lost')")

    op.add_column("leads", sa.Column("stage_entered_at", TZ, nullable=True))
    op.add_column("leads", sa.Column("lost_reason", sa.String(64), nullable=True))
    op.add_column("leads", sa.Column("last_activity_at", TZ, nullable=True))
    op.execute(
        "UPDATE leads SET last_activity_at = a.latest FROM "
        "(SELECT lead_id, max(occurred_at) AS latest FROM activities GROUP BY lead_id) a "
        "WHERE a.lead_id = leads.id"
    )
    op.execute("UPDATE leads SET stage_entered_at = coalesce(assigned_at, received_at)")
    op.create_index(
        "leads_board",
        "leads",
        ["pipeline_key", "stage_key"],
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_index(
        "leads_idle",
        "leads",
        [sa.text("coalesce(last_activity_at, received_at)")],
        postgresql_where=sa.text("closed_at IS NULL"),
    )

    op.add_column(
        "activities", sa.Column("actor_kind", sa.String(12), nullable=False, server_default="user")
    )
    for name, kind in (
        ("actor", sa.String(320)),
        ("rule_key", sa.String(64)),
        ("config_version_id", sa.Integer()),
        ("channel", sa.String(16)),
        ("answered_at", TZ),
        ("ended_at", TZ),
        ("talk_s", sa.Integer()),
        ("hold_s", sa.Integer()),
        ("wait_s", sa.Integer()),
        ("wrap_s", sa.Integer()),
        ("score", sa.Integer()),
        ("rates_activity_id", sa.BigInteger()),
        ("task_id", sa.BigInteger()),
        ("from_stage", sa.String(64)),
        ("to_stage", sa.String(64)),
        ("lost_reason", sa.String(64)),
    ):
        op.add_column("activities", sa.Column(name, kind, nullable=True))
    op.execute(
        "UPDATE activities SET from_stage = detail->>'from', to_stage = detail->>'to', "
        "actor = detail->>'by' WHERE kind = 'stage_change'"
    )
    op.create_index("activities_kind_time", "activities", ["kind", "occurred_at"])

    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("lead_id", sa.BigInteger(), sa.ForeignKey("leads.id"), nullable=False),
        sa.Column("owner_agent_key", sa.String(64), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="follow_up"),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("due_zone", sa.String(64), nullable=True),
        sa.Column("status", sa.String(10), nullable=False, server_default="open"),
        sa.Column("created_at", TZ, nullable=False, server_default=sa.text("now()")),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("completed_at", TZ, nullable=True),
        sa.Column("rule_key", sa.String(64), nullable=True),
        sa.Column("config_version_id", sa.Integer(), nullable=True),
        sa.Column("overdue_alerted_at", TZ, nullable=True),
        sa.Column("escalated_at", TZ, nullable=True),
    )
    op.create_index("ix_tasks_lead_id", "tasks", ["lead_id"])
    op.create_index(
        "tasks_owner_due",
        "tasks",
        ["owner_agent_key", "due_at"],
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "tasks_open_due", "tasks", ["due_at"], postgresql_where=sa.text("status = 'open'")
    )

    op.create_table(
        "automation_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("automation_key", sa.String(64), nullable=False),
        sa.Column("lead_id", sa.BigInteger(), sa.ForeignKey("leads.id"), nullable=False),
        sa.Column("config_version_id", sa.Integer(), nullable=True),
        sa.Column("ran_at", TZ, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("detail", JSONB(), nullable=False, server_default="{}"),
    )
    op.create_index("ix_automation_runs_lead_id", "automation_runs", ["lead_id"])
    op.create_index(
        "automation_runs_once", "automation_runs", ["event_key", "automation_key"], unique=True
    )

    op.create_table(
        "workflow_cursors",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger(), nullable=False, server_default="0"),
    )

    # board: the pipeline board counts the leads each pipeline closed lately (won, lost).
    op.create_index(
        "leads_closed",
        "leads",
        ["pipeline_key", "closed_at"],
        postgresql_where=sa.text("closed_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("leads_closed", table_name="leads")  # board
    op.drop_table("workflow_cursors")
    op.drop_table("automation_runs")
    op.drop_table("tasks")
    op.drop_index("activities_kind_time", table_name="activities")
    for name in (
        "lost_reason", "to_stage", "from_stage", "task_id", "rates_activity_id", "score",
        "wrap_s", "wait_s", "hold_s", "talk_s", "ended_at", "answered_at", "channel",
        "config_version_id", "rule_key", "actor", "actor_kind",
    ):  # fmt: skip
        op.drop_column("activities", name)
    op.drop_index("leads_idle", table_name="leads")
    op.drop_index("leads_board", table_name="leads")
    for name in ("last_activity_at", "lost_reason", "stage_entered_at"):
        op.drop_column("leads", name)
    op.drop_column("stages", "type")
