"""an index for the routine pass's look for paused clients due to resume

Revision ID: client_paused_until_index
Revises: outbox_quiet_hours
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "client_paused_until_index"
down_revision: str | None = "outbox_quiet_hours"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_client_paused_until", "client", ["paused_until"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_client_paused_until", table_name="client")
