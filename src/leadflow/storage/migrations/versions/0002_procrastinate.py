"""procrastinate's job tables (background work shares our PostgreSQL)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # procrastinate ships its schema as one SQL script with % in it: run it unformatted.
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(SchemaManager.get_schema())


def downgrade() -> None:
    # Everything procrastinate created is named procrastinate_*: tables, functions, types.
    op.execute(
        """
        DO $$
        DECLARE name text;
        BEGIN
          FOR name IN SELECT tablename FROM pg_tables
                      WHERE schemaname = 'public' AND tablename LIKE 'procrastinate%' LOOP
            EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', name);
          END LOOP;
          FOR name IN SELECT p.oid::regprocedure::text FROM pg_proc p
                      JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = 'public' AND p.proname LIKE 'procrastinate%' LOOP
            EXECUTE 'DROP FUNCTION IF EXISTS ' || name || ' CASCADE';
          END LOOP;
          FOR name IN SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                      WHERE n.nspname = 'public' AND typname LIKE 'procrastinate%'
                        AND t.typtype IN ('e', 'c') LOOP
            EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', name);
          END LOOP;
        END $$;
        """
    )
