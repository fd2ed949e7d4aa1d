"""SIGTERM mid fan-out: `python -m bot run` stops claiming, sends what it holds while its HTTP
client is still open, releases the rest and exits; the next start sends the rest at once.

120 reminders are due; the bot (a real process, paced at 10 messages a second so the stop
lands mid fan-out) gets SIGTERM once the Bot API double has seen about 16 of them. Before,
PTB closed the HTTP client before the dispatcher drained: 43 sends were marked `failed` for
good, 61 stayed `claimed` until the 10-minute lease and the stop always took the full 10 s.
Now: no send is `failed`, nothing is left claimed without being released, and a restart
delivers the rest at once — every client gets their reminder; only a send cut off in flight
may arrive twice (the count is printed).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Delivery, DeliveryStatus
from scheduler.dispatch import WORKERS
from tests.conftest import CONTENT_DIR, TEST_TOKEN, THERAPIST_ID
from tests.scheduling import add_due_clients
from tests.support.botapi_double import BotApiDouble

DUE = 120
STOP_AFTER = 16
FIRST_CHAT = 840_001
RATE = 10  # messages a second: 120 take 12 s, so SIGTERM lands early in the fan-out
EXIT_BOUND = 15.0  # seconds we wait for the process at most (it should need under 10)


def _env(database_url: str, botapi: BotApiDouble) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": botapi.base_url,
        "TELEGRAM_FILE_BASE_URL": botapi.file_base_url,
        "CONTENT_DIR": str(CONTENT_DIR),
        "THERAPIST_IDS": str(THERAPIST_ID),
        "SEND_RATE_PER_SECOND": str(RATE),
        "TICK_SECONDS": "0.5",
        "LOG_LEVEL": "WARNING",
    }


def _reminders_sent(botapi: BotApiDouble) -> list[int]:
    chats = range(FIRST_CHAT, FIRST_CHAT + DUE)
    return [
        int(call.chat_id)
        for call in botapi.calls("sendMessage")
        if call.ok and isinstance(call.chat_id, int) and call.chat_id in chats
    ]


async def _until(condition: object, timeout: float) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.02)


async def _start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def _terminate(process: asyncio.subprocess.Process) -> tuple[float, str]:
    """SIGTERM as a service manager sends it; seconds until the process exited, its stderr."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), EXIT_BOUND)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return time.monotonic() - started, stderr.decode()


async def _statuses(db: Database) -> Counter[str]:
    async with db.sessions() as session:
        rows = (await session.execute(select(Delivery.status, Delivery.last_error))).all()
    return Counter(
        "released" if status is DeliveryStatus.CLAIMED and error == "released" else str(status)
        for status, error in rows
    )


async def test_sigterm_mid_fan_out_loses_nothing_and_fails_nothing(
    database_url: str,
    db: Database,
    botapi: BotApiDouble,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime.now(tz=UTC).replace(microsecond=0)
    await add_due_clients(
        db, count=DUE, slot=now - timedelta(seconds=1), first_telegram_id=FIRST_CHAT
    )
    env = _env(database_url, botapi)

    first = await _start(env, tmp_path)
    await _until(lambda: len(_reminders_sent(botapi)) >= STOP_AFTER, 60)
    at_stop = len(_reminders_sent(botapi))
    took, stderr = await _terminate(first)
    assert first.returncode == 0, stderr
    sent_first = len(_reminders_sent(botapi))
    after_stop = await _statuses(db)

    second = await _start(env, tmp_path)
    await _until(lambda: len(set(_reminders_sent(botapi))) == DUE, 60)
    # While it runs, `python -m bot health` sees its ticks.
    health = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "health", env=env, cwd=tmp_path
    )
    assert await asyncio.wait_for(health.wait(), 60) == 0
    took_again, stderr = await _terminate(second)
    assert second.returncode == 0, stderr

    sends = Counter(_reminders_sent(botapi))
    twice = sorted(chat for chat, count in sends.items() if count > 1)
    with capsys.disabled():
        print(  # noqa: T201
            f"\n[{db.dialect}] SIGTERM after {at_stop} of {DUE} sent: exited in {took:.1f} s "
            f"having sent {sent_first}; ledger at exit {dict(sorted(after_stop.items()))}; "
            f"restart sent the rest ({sum(sends.values()) - sent_first}), "
            f"{len(twice)} sent twice; second stop {took_again:.1f} s"
        )
    # Nothing failed because we were stopping; nothing left waiting for the 10-minute lease.
    assert after_stop["failed"] == 0
    assert after_stop["claimed"] == 0
    assert after_stop["sent"] + after_stop["released"] == DUE
    # Everyone got their reminder; only a send cut off in flight may have come twice.
    assert sorted(sends) == list(range(FIRST_CHAT, FIRST_CHAT + DUE))
    assert len(twice) <= WORKERS
    assert (await _statuses(db))["sent"] == DUE
