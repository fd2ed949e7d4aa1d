"""A dispatcher killed with SIGKILL mid fan-out loses nothing on restart (issue 6, point 8).

The scheduler runs in a process of its own (`dispatcher_process.py`: what `python -m bot tick
--at` runs) against the test's database and the Bot API double served by this process. It is
killed while 1,000 due reminders are going out, then started again after the claim lease:
every delivery it had claimed but not sent is re-sent once. Each client must end up with their
reminder; only a send that was in flight at the kill (Telegram had it, the ledger did not yet
say so) may arrive twice — there are never more of those than dispatcher workers.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import Delivery, DeliveryStatus
from scheduler.claiming import ClaimPolicy
from scheduler.dispatch import WORKERS
from tests.conftest import CONTENT_DIR, TEST_TOKEN
from tests.scheduling import add_due_clients
from tests.support.botapi_double import BotApiDouble

SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 in London
DUE = 1_000
KILL_AFTER = 300  # sendMessage calls the double has seen when the process is killed
FIRST_CHAT = 830_001
# Fast enough for a test, slow enough that the kill lands in the middle of the fan-out.
RATE = 200
SCRIPT = Path(__file__).with_name("dispatcher_process.py")


def _environment(database_url: str, botapi: BotApiDouble) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": botapi.base_url,
        "TELEGRAM_FILE_BASE_URL": botapi.file_base_url,
        "CONTENT_DIR": str(CONTENT_DIR),
    }


async def _start_dispatcher(at: datetime, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--at",
        at.isoformat(),
        "--rate",
        str(RATE),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _until_the_double_has(
    botapi: BotApiDouble, sends: int, process: asyncio.subprocess.Process
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while len(botapi.calls("sendMessage")) < sends:
        if process.returncode is not None or loop.time() > deadline:
            _, stderr = await process.communicate()
            pytest.fail(f"the dispatcher never reached {sends} sends:\n{stderr.decode()}")
        await asyncio.sleep(0.005)


async def test_a_dispatcher_killed_mid_fan_out_delivers_every_reminder_after_restart(
    database_url: str,
    db: Database,
    botapi: BotApiDouble,
    capsys: pytest.CaptureFixture[str],
) -> None:
    chats = await add_due_clients(db, count=DUE, slot=SLOT, first_telegram_id=FIRST_CHAT)
    # Telegram is not on loopback: replies take a moment, so the kill finds sends in flight.
    botapi.latency = 0.02
    env = _environment(database_url, botapi)

    first = await _start_dispatcher(SLOT, env)
    await _until_the_double_has(botapi, KILL_AFTER, first)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    await botapi.until_no_call_in_flight()  # replies it was still holding back go nowhere
    before_restart = {call.chat_id for call in botapi.calls("sendMessage") if call.ok}

    restart = await _start_dispatcher(SLOT + ClaimPolicy().lease + timedelta(minutes=1), env)
    _, stderr = await asyncio.wait_for(restart.communicate(), timeout=60)
    assert restart.returncode == 0, stderr.decode()

    sends = Counter(call.chat_id for call in botapi.calls("sendMessage") if call.ok)
    duplicates = sorted(chat for chat, count in sends.items() if count > 1)
    with capsys.disabled():
        # The issue asks for the duplicate count to be reported, not only bounded.
        print(  # noqa: T201
            f"\n[{db.dialect}] SIGKILL after {len(before_restart)} of {DUE} sends: "
            f"{len(duplicates)} reminder(s) sent twice after the restart"
        )
    assert sorted(sends) == chats  # nobody's reminder was lost
    assert max(sends.values()) <= 2
    # Only what was in flight at the kill can repeat: a worker holds one message at a time.
    assert set(duplicates) <= before_restart
    assert len(duplicates) <= WORKERS
    async with db.sessions() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        ledger = dict(rows.all())
    assert ledger == {DeliveryStatus.SENT: DUE}
