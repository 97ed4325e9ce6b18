"""intake_stored_all(): a batch's write refuses to commit when a lead of it was stored already

Intake sends a batch's write and its COMMIT in one round trip (docs/decisions/0022). When a
lead's (source, external_id) turns out to be stored already (a twin another transaction
stored), the decisions after it assumed it would be stored: the write raises SQLSTATE LF001
instead, so the COMMIT after it does not happen, and intake rolls back to its savepoint and
routes the others again, as it always has (0005).

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STORED_ALL = """
CREATE FUNCTION intake_stored_all(expected bigint, stored bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF stored < expected THEN
    RAISE EXCEPTION 'a lead of the batch was stored already (% of % stored)', stored, expected
      USING ERRCODE = 'LF001';
  END IF;
  RETURN true;
END
$$
"""


def upgrade() -> None:
    op.execute(STORED_ALL)


def downgrade() -> None:
    op.execute("DROP FUNCTION intake_stored_all(bigint, bigint)")
