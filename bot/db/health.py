"""What `python -m bot health` asks of the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text

from bot.db.backup import HEARTBEAT_KEY
from bot.db.engine import Database
from bot.db.models import OutboxMessage


async def migration_revision(db: Database) -> str | None:
    """The migration the database is at (None: never migrated). Raises when it does not answer."""
    async with db.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        try:
            return (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one_or_none()
        except Exception:
            return None


async def last_tick(db: Database) -> datetime | None:
    """When a running bot's scheduler last ticked (its heartbeat row); None if none runs."""
    async with db.sessions() as session:
        return await session.scalar(
            select(OutboxMessage.claimed_at).where(OutboxMessage.dedupe_key == HEARTBEAT_KEY)
        )
