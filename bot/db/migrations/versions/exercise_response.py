"""Per-exercise response record: how each exercise went in each session, per client.

Revision ID: exercise_response
Revises: audit_pseudonyms
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision: str = "exercise_response"
down_revision: str | None = "audit_pseudonyms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exercise_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("exercise_slug", sa.String(length=64), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("slot", UTCDateTime(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "done",
                "partly",
                "skipped",
                name="exercise_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("skip_reason", sa.String(length=32), nullable=True),
        sa.Column(
            "leg_response",
            sa.Enum(
                "eased",
                "same",
                "worse",
                "spread",
                name="leg_response",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_exercise_response_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery.id"],
            name=op.f("fk_exercise_response_delivery_id_delivery"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_response")),
        sa.UniqueConstraint(
            "client_id",
            "exercise_slug",
            "slot",
            name=op.f("uq_exercise_response_client_id_exercise_slug_slot"),
        ),
    )


def downgrade() -> None:
    op.drop_table("exercise_response")
