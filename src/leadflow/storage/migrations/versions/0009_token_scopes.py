"""api_tokens.scopes: what each API token may do

Every token could change and roll back the configuration. A token now holds scopes (intake,
read, work, configuration; services.scoping.Scope). Tokens issued before keep every scope they
could use, so no clinic's integration breaks; a token created afterwards holds only what it is
given (intake unless asked).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "api_tokens",
        sa.Column(
            "scopes",
            ARRAY(sa.String(20)),
            nullable=False,
            server_default="{intake,read,work,configuration}",
        ),
    )
    op.alter_column("api_tokens", "scopes", server_default="{intake}")


def downgrade() -> None:
    op.drop_column("api_tokens", "scopes")
