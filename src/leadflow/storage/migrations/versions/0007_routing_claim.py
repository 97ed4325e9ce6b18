"""routing_claim(): lock a lead's pools and candidate agents, then read their state, in one call

A lead's routing took two round trips while its pools were locked before it decided: lock the
pools and agents, then read the agents' loads in a new statement, so that it sees what the
transactions it waited for committed. A VOLATILE function takes a fresh snapshot for each
statement it runs, so both now take one round trip. `agent_loads()` is the one definition of an
agent's counts, for routing and for the dashboards.
See docs/decisions/0003-intake-off-the-orm.md.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AGENT_LOADS = """
CREATE FUNCTION agent_loads(candidates text[], at timestamptz)
RETURNS TABLE (
  agent_key text, open_leads integer, day_count bigint, week_count bigint, month_count bigint
)
LANGUAGE sql STABLE AS $$
  -- New leads today, this week and this month, each in the agent's own time zone.
  SELECT a.key::text, a.open_leads,
    coalesce(sum(d.assigned) FILTER (WHERE d.day = (at AT TIME ZONE a.timezone)::date), 0),
    coalesce(sum(d.assigned) FILTER (
      WHERE d.day >= date_trunc('week', at AT TIME ZONE a.timezone)::date), 0),
    coalesce(sum(d.assigned) FILTER (
      WHERE d.day >= date_trunc('month', at AT TIME ZONE a.timezone)::date), 0)
  FROM agents a
  LEFT JOIN agent_daily_counts d
    ON d.agent_key = a.key
   AND d.day >= least(date_trunc('week', at AT TIME ZONE a.timezone),
                      date_trunc('month', at AT TIME ZONE a.timezone))::date
   AND d.day <= (at AT TIME ZONE a.timezone)::date
  WHERE a.key = ANY(candidates)
  GROUP BY a.key, a.open_leads
$$
"""

ROUTING_CLAIM = """
CREATE FUNCTION routing_claim(pools text[], candidates text[], at timestamptz)
RETURNS TABLE (
  pool_key text, pool_current jsonb, pool_last text,
  agent_key text, open_leads integer, day_count bigint, week_count bigint, month_count bigint
)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  locked integer;
BEGIN
  -- Pools first, then agents, each in key order: concurrent claims never deadlock.
  SELECT count(*) INTO locked FROM (
    SELECT 1 FROM pool_states WHERE pipeline_key = ANY(pools)
    ORDER BY pipeline_key FOR UPDATE) AS p;
  IF locked < cardinality(pools) THEN  -- the first lead of a new pipeline
    INSERT INTO pool_states (pipeline_key) SELECT unnest(pools)
    ON CONFLICT (pipeline_key) DO NOTHING;
    PERFORM 1 FROM pool_states WHERE pipeline_key = ANY(pools)
    ORDER BY pipeline_key FOR UPDATE;
  END IF;
  PERFORM 1 FROM agents WHERE key = ANY(candidates) ORDER BY key FOR UPDATE;
  -- Each statement of a VOLATILE function takes a new snapshot: this one sees what the
  -- transactions waited for above committed.
  RETURN QUERY
    SELECT s.pipeline_key::text, s.current, s.last_agent::text,
           NULL::text, NULL::integer, NULL::bigint, NULL::bigint, NULL::bigint
    FROM pool_states s WHERE s.pipeline_key = ANY(pools)
    UNION ALL
    SELECT NULL, NULL, NULL, l.* FROM agent_loads(candidates, at) AS l;
END
$$
"""


def upgrade() -> None:
    op.execute(AGENT_LOADS)
    op.execute(ROUTING_CLAIM)


def downgrade() -> None:
    op.execute("DROP FUNCTION routing_claim(text[], text[], timestamptz)")
    op.execute("DROP FUNCTION agent_loads(text[], timestamptz)")
