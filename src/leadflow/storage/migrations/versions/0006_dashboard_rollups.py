"""daily rollups of the dashboards' figures, and the days whose leads changed since the last refresh

Per day in the rollup's time zone (the organisation's, kept in `dashboard_rollup_state`) and per
owner and pipeline (what a viewer's scope and the pipeline filter select on); rows with `days` 7
add up the week from Monday `day`, so a long period reads a row per week, not per day:
- `dashboard_day_totals`: leads, contacted, within five minutes, SLA breaches, won;
- `dashboard_day_mix`: leads per value of country, language, source, campaign, treatment, stage;
- `dashboard_day_speed`: a histogram of seconds to first contact (count, smallest, largest).

Statement triggers on `leads` write the day of every lead inserted, updated in a figure's column
or deleted into `dashboard_changed_days` (when received more than a day ago: the refresh always
recomputes the days since two days before its previous run, so the busy day's writes add no row
and wait on no lock); the refresh job recomputes those days and empties it. See
docs/decisions/0002-dashboard-rollups.md.

Also creates `leads_open_uncontacted`, which 0005's downgrade drops but its upgrade never made.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = sa.String(length=64)

# The columns a rollup figure depends on: a change in any of them makes the lead's day stale.
_WATCHED = (
    "received_at",
    "owner_agent_key",
    "pipeline_key",
    "stage_key",
    "first_contact_at",
    "sla_due_at",
    "country",
    "language",
    "source",
    "utm_campaign",
    "treatment",
)


def _row(alias: str) -> str:
    return "ROW(" + ", ".join(f"{alias}.{column}" for column in _WATCHED) + ")"


_FUNCTION = f"""
CREATE FUNCTION dashboard_mark_changed_days() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rollup_zone text := (SELECT s.zone FROM dashboard_rollup_state s WHERE s.id = 1);
BEGIN
  IF rollup_zone IS NULL THEN  -- never refreshed: the first refresh builds every day
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dashboard_changed_days (day)
    SELECT DISTINCT (n.received_at AT TIME ZONE rollup_zone)::date FROM new_rows n
    WHERE n.received_at < now() - interval '1 day'
    ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO dashboard_changed_days (day)
    SELECT DISTINCT (o.received_at AT TIME ZONE rollup_zone)::date FROM old_rows o
    WHERE o.received_at < now() - interval '1 day'
    ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO dashboard_changed_days (day)
    SELECT DISTINCT (changed.received_at AT TIME ZONE rollup_zone)::date
    FROM new_rows n JOIN old_rows o ON o.id = n.id,
         LATERAL (VALUES (o.received_at), (n.received_at)) AS changed (received_at)
    WHERE {_row("o")} IS DISTINCT FROM {_row("n")}
      AND changed.received_at < now() - interval '1 day'
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$
"""


def _rollup_table(name: str, *columns: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("days", sa.SmallInteger(), nullable=False, server_default="1"),
        sa.Column("owner_agent_key", _KEY, nullable=True),
        sa.Column("pipeline_key", _KEY, nullable=True),
        *columns,
    )
    op.create_index(f"{name}_day", name, ["days", "day"])


def upgrade() -> None:
    op.create_table(
        "dashboard_rollup_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("zone", sa.Text(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name="dashboard_rollup_state_one_row"),
    )
    op.create_table("dashboard_changed_days", sa.Column("day", sa.Date(), primary_key=True))
    count = sa.Integer()
    _rollup_table(
        "dashboard_day_totals",
        sa.Column("leads", count, nullable=False),
        sa.Column("contacted", count, nullable=False),
        sa.Column("within_5_min", count, nullable=False),
        sa.Column("breaches", count, nullable=False),
        sa.Column("won", count, nullable=False),
    )
    _rollup_table(
        "dashboard_day_mix",
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("leads", count, nullable=False),
    )
    _rollup_table(
        "dashboard_day_speed",
        sa.Column("bucket", sa.SmallInteger(), nullable=False),
        sa.Column("contacts", count, nullable=False),
        sa.Column("smallest_s", sa.Float(), nullable=False),
        sa.Column("largest_s", sa.Float(), nullable=False),
    )
    op.execute(_FUNCTION)
    for event, transition in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        op.execute(
            f"CREATE TRIGGER leads_dashboard_{event.lower()} AFTER {event} ON leads"
            f" REFERENCING {transition} FOR EACH STATEMENT"
            " EXECUTE FUNCTION dashboard_mark_changed_days()"
        )
    op.execute(
        "CREATE INDEX IF NOT EXISTS leads_open_uncontacted ON leads (sla_due_at)"
        " WHERE first_contact_at IS NULL AND closed_at IS NULL AND sla_due_at IS NOT NULL"
    )


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER leads_dashboard_{event} ON leads")
    op.execute("DROP FUNCTION dashboard_mark_changed_days()")
    for name in ("dashboard_day_speed", "dashboard_day_mix", "dashboard_day_totals"):
        op.drop_table(name)
    op.drop_table("dashboard_changed_days")
    op.drop_table("dashboard_rollup_state")
