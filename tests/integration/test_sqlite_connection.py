"""The bot's SQLite connection (bot.db.sqlite_connection), which rolls back on the caller's
thread: a failed transaction writes nothing and the connection serves the next ones."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.models import Therapist

NOW = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


async def _therapists(db: Database) -> int:
    async with db.read() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(Therapist))).scalar_one()
        )


async def _add_twice(db: Database) -> None:
    async with db.engine.begin() as connection:
        for _ in range(2):  # the second breaks the unique Telegram id
            await connection.execute(
                insert(Therapist).values(telegram_id=1, timezone="Europe/London", created_at=NOW)
            )


async def test_a_failed_transaction_rolls_back_and_the_connection_serves_the_next(
    sqlite_db: Database,
) -> None:
    with pytest.raises(IntegrityError):
        await _add_twice(sqlite_db)

    assert await _therapists(sqlite_db) == 0
    results = await asyncio.gather(*(_therapists(sqlite_db) for _ in range(20)))
    assert results == [0] * 20
