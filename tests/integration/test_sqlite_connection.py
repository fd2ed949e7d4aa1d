"""The bot's SQLite connection (bot.db.sqlite_connection), which rolls back on the caller's
thread: a failed transaction writes nothing and the connection serves the next ones; a write
that must wait for another process's lock waits on the worker thread, off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.models import Therapist
from bot.db.sqlite_connection import reads_in_place

NOW = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
# Another process holding the file's write lock (as `python -m bot tick --at` or a backup can)
# until it reads a line on stdin.
HOLD_THE_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
"""


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


@contextlib.asynccontextmanager
async def another_process_holding_the_lock(sqlite_url: str) -> AsyncIterator[asyncio.StreamWriter]:
    """The write lock held by another process until a line is written to the returned stdin."""
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLD_THE_LOCK,
        str(make_url(sqlite_url).database),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert await holder.stdout.readline() == b"locked\n"
        yield holder.stdin
    finally:
        if holder.returncode is None:
            holder.kill()
        await holder.wait()


@pytest.mark.parametrize("reads_here", [False, True], ids=["worker", "reads_in_place"])
async def test_a_write_waits_for_another_process_lock_without_holding_up_the_bot(
    sqlite_db: Database, sqlite_url: str, reads_here: bool
) -> None:
    """Also inside `reads_in_place`: only reads run on the loop's thread, never a write."""

    async def add_one() -> None:
        async with sqlite_db.engine.begin() as connection:
            await connection.execute(
                insert(Therapist).values(telegram_id=1, timezone="Europe/London", created_at=NOW)
            )

    async with another_process_holding_the_lock(sqlite_url) as release:
        with reads_in_place() if reads_here else contextlib.nullcontext():
            write = asyncio.create_task(add_one())
        # Had `BEGIN IMMEDIATE` waited on the event loop's thread, nothing else would run
        # until the lock came free: this sleep would not end before then.
        await asyncio.sleep(0.3)
        assert not write.done()

        release.write(b"release\n")
        await release.drain()
        await write

    assert await _therapists(sqlite_db) == 1


async def test_a_read_in_place_does_not_wait_for_another_process_writing(
    sqlite_db: Database, sqlite_url: str
) -> None:
    """In WAL mode a reader never waits for a writer: what `reads_in_place` relies on."""
    async with another_process_holding_the_lock(sqlite_url):
        with reads_in_place():
            assert await _therapists(sqlite_db) == 0
