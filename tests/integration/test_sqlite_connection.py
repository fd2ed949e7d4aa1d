"""The bot's SQLite connection (bot.db.sqlite_connection) stays correct whatever interrupts it:
a transaction cancelled while its statement is still running on the connection's thread
(a shutdown, a timeout) writes nothing and leaves the connection usable for the next, and a
failed transaction rolls back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.models import Therapist

NOW = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
# A statement that keeps the connection's thread busy for a while (a large recursive count).
SLOW = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
    "SELECT count(*) FROM n"
)


async def _therapists(db: Database) -> int:
    async with db.read() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(Therapist))).scalar_one()
        )


async def _add_then_slow(db: Database, started: asyncio.Event) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(
            insert(Therapist).values(telegram_id=1, timezone="Europe/London", created_at=NOW)
        )
        started.set()
        await connection.execute(SLOW)


async def test_a_transaction_cancelled_mid_statement_writes_nothing_and_the_next_one_works(
    sqlite_db: Database,
) -> None:
    started = asyncio.Event()
    task = asyncio.create_task(_add_then_slow(sqlite_db, started))
    await started.wait()
    await asyncio.sleep(0.01)  # the slow statement is now on the connection's thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await _therapists(sqlite_db) == 0
    async with sqlite_db.engine.begin() as connection:
        await connection.execute(
            insert(Therapist).values(telegram_id=2, timezone="Europe/London", created_at=NOW)
        )
    assert await _therapists(sqlite_db) == 1


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
