"""outbox ledger and each open alert episode stored once

Revision ID: outbox_ledger
Revises: processed_updates
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "outbox_ledger"
down_revision: str | None = "processed_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN_TREND = "acknowledged_at IS NULL AND kind <> 'red_flag'"


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=96), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "claimed",
                "sent",
                "failed",
                "withheld",
                "done",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_outbox_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_status_urgent_id", ["status", "urgent", "id"], unique=False
        )
    # Alerts raised twice before this revision (two instances' daily passes): the older open
    # duplicates are closed so the new rule can hold.
    op.execute(
        "UPDATE alert SET acknowledged_at = created_at WHERE acknowledged_at IS NULL "
        "AND kind <> 'red_flag' AND EXISTS (SELECT 1 FROM alert AS newer "
        "WHERE newer.client_id = alert.client_id AND newer.kind = alert.kind "
        "AND newer.episode_key = alert.episode_key "
        "AND newer.acknowledged_at IS NULL AND newer.id > alert.id)"
    )
    op.create_index(
        "uq_alert_open_episode",
        "alert",
        ["client_id", "kind", "episode_key"],
        unique=True,
        sqlite_where=sa.text(_OPEN_TREND),
        postgresql_where=sa.text(_OPEN_TREND),
    )


def downgrade() -> None:
    op.drop_index("uq_alert_open_episode", table_name="alert")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_urgent_id")
        batch_op.drop_index(batch_op.f("ix_outbox_client_id"))
    op.drop_table("outbox")
