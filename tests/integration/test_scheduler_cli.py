"""`python -m bot tick --at` runs exactly one pass, sends, and reports ids and statuses only."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta

from bot.db.engine import Database
from tests.conftest import CONTENT_DIR, TEST_TOKEN
from tests.scheduling import add_client
from tests.support.botapi_double import BotApiDouble
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=620_001, first_name="Casey")


async def _tick(at: str, database_url: str, botapi: BotApiDouble) -> tuple[int, list[str]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": botapi.base_url,
        "TELEGRAM_FILE_BASE_URL": botapi.file_base_url,
        "CONTENT_DIR": str(CONTENT_DIR),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "tick",
        "--at",
        at,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    return process.returncode, stdout.decode().splitlines()


async def test_tick_at_sends_what_is_due_once_and_prints_one_line_per_delivery(
    database_url: str, db: Database, botapi: BotApiDouble
) -> None:
    from datetime import UTC, datetime

    slot = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 09:00 BST, the day after spring-forward
    await add_client(db, now=slot - timedelta(hours=1), telegram_id=CLIENT.id)

    _, lines = await _tick("2026-03-30T09:00:00+01:00", database_url, botapi)
    _, again = await _tick("2026-03-30T09:00:00+01:00", database_url, botapi)

    assert lines[0].startswith("exercise_reminder schedule=")
    assert lines[0].endswith("slot=2026-03-30T08:00:00+00:00 status=sent")
    assert lines[-1] == "total=1 sent=1 failed=0 missed=0"
    assert "Casey" not in "\n".join(lines)
    assert again == ["total=0 sent=0 failed=0 missed=0"]
    sent = [c for c in botapi.calls("sendMessage", chat_id=CLIENT.id) if c.ok]
    assert len(sent) == 1
    assert sent[0].text is not None and "Time for your exercises" in sent[0].text
