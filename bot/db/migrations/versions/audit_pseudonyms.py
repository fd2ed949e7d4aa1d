"""Audit pseudonyms: an erased client's audit lines keep a keyed hash instead of their ids.

Revision ID: audit_pseudonyms
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "audit_pseudonyms"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("actor_pseudonym", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("subject_pseudonym", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("subject_pseudonym")
        batch.drop_column("actor_pseudonym")
