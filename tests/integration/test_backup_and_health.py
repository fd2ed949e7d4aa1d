"""`python -m bot db backup / restore` and `python -m bot health`, run as an operator would."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.db import outbox
from bot.db.backup import HEARTBEAT_KEY
from bot.db.engine import Database
from bot.db.migrate import downgrade_async, upgrade_async
from bot.db.models import Client
from tests.conftest import CONTENT_DIR, TEST_TOKEN
from tests.scheduling import add_due_clients


async def _bot(database_url: str, *args: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "CONTENT_DIR": str(CONTENT_DIR),
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode is not None
    return child.returncode, out.decode(), err.decode()


async def _clients(db: Database) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(Client))).scalar_one()


async def test_a_sqlite_backup_restores_what_was_there(
    sqlite_url: str, sqlite_db: Database, tmp_path: Path
) -> None:
    await add_due_clients(
        sqlite_db, count=3, slot=datetime(2026, 6, 1, 8, tzinfo=UTC), first_telegram_id=870_001
    )
    backup = tmp_path / "backup.db"

    status, _, err = await _bot(sqlite_url, "db", "backup", str(backup))
    assert status == 0, err
    async with sqlite_db.sessions.begin() as session:
        await session.execute(Client.__table__.delete())
    assert await _clients(sqlite_db) == 0
    await sqlite_db.dispose()

    status, _, err = await _bot(sqlite_url, "db", "restore", str(backup))
    assert status == 0, err
    assert await _clients(sqlite_db) == 3

    not_ours = tmp_path / "other.db"
    not_ours.write_bytes(b"")
    status, _, err = await _bot(sqlite_url, "db", "restore", str(not_ours))
    assert status == 2 and "not a backup" in err
    assert await _clients(sqlite_db) == 3


async def test_on_postgresql_backup_prints_the_pg_dump_command(
    postgres_url: str, tmp_path: Path
) -> None:
    status, out, _ = await _bot(postgres_url, "db", "backup", str(tmp_path / "bot.dump"))
    assert status == 0
    assert "pg_dump --format=custom" in out and "--file=" in out


async def test_health_needs_the_database_at_head_and_a_recent_tick(
    database_url: str, tmp_path: Path
) -> None:
    await upgrade_async(database_url)
    status, out, _ = await _bot(database_url, "health")
    assert (status, out.strip()) == (0, "healthy")  # no bot running: nothing to tick

    db = Database.connect(database_url)
    try:
        async with db.sessions.begin() as session:
            now = datetime.now(tz=UTC)
            await outbox.record_heartbeat(
                session, key=HEARTBEAT_KEY, now=now - timedelta(minutes=5)
            )
        status, _, err = await _bot(database_url, "health")
        assert status == 1 and "last scheduler tick" in err
        async with db.sessions.begin() as session:
            await outbox.record_heartbeat(session, key=HEARTBEAT_KEY, now=datetime.now(tz=UTC))
        assert (await _bot(database_url, "health"))[0] == 0
    finally:
        await db.dispose()

    await downgrade_async(database_url, "processed_updates")
    status, _, err = await _bot(database_url, "health")
    assert status == 1 and "migrations not at head" in err


async def test_health_fails_when_the_database_does_not_answer() -> None:
    status, _, err = await _bot("postgresql+asyncpg://nobody@127.0.0.1:1/none", "health")
    assert status == 1 and "database unreachable" in err
