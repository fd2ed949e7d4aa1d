"""The running bot with nothing to do: `python -m bot run`, its clients' schedules in the
database, long polling the Bot API double on 127.0.0.1, and no update and no slot due.

What a deployment pays every hour of the day: the bot process's CPU per second (its tick,
its routine pass, the day-end alert pass, polling) and its resident memory (peak, from
/proc). The clients' reminders and check-ins fall hours after the window, as most of a real
day; the double holds each getUpdates for up to Telegram's long-poll timeout, as Telegram
does when nobody writes.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.interaction import bot_process
from benchmarks.measure import process_cpu_s
from benchmarks.ours import TZ, _database, add_clients, create_schedules
from tests.support.botapi_double import BotApiDouble

# PTB's run_polling asks Telegram to hold getUpdates this long when nothing comes.
LONG_POLL_S = 10.0
# The idle window: longer than the scheduler's routine cadence (scheduler.tick.ROUTINE_EVERY)
# so the figure includes a routine pass, not only the one-query idle ticks.
IDLE_WINDOW_S = 30.0
# After start-up (menus, the first pass, the first poll) before the window opens.
SETTLE_S = 5.0


def _memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now (VmRSS) and at its peak (VmHWM), in MB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = round(int(value.split()[0]) / 1024, 1)
    return found


def _hhmm_in(hours: float) -> str:
    at = (datetime.now(UTC) + timedelta(hours=hours)).astimezone(ZoneInfo(TZ))
    return f"{at.hour:02d}:{at.minute:02d}"


async def idle(clients: int, window_s: float = IDLE_WINDOW_S) -> dict[str, Any]:
    """`clients` clients with a reminder each, none due for hours; the bot idles `window_s`."""
    db, _ = await _database(None)
    url = db.engine.url.render_as_string(hide_password=False)
    try:
        await add_clients(db, clients)
        later = _hhmm_in(6)
        await create_schedules(
            db, ((i, later) for i in range(1, clients + 1)), now=datetime.now(UTC)
        )
    finally:
        await db.dispose()
    double = BotApiDouble(max_long_poll=LONG_POLL_S)
    await double.start()
    log_path = Path(tempfile.mkdtemp(prefix="bench-idle-bot-")) / "bot.log"
    bot = bot_process(double, url, log_path)
    try:
        await double.wait_for("getUpdates", timeout=60)
        await asyncio.sleep(SETTLE_S)
        started, cpu_before = time.perf_counter(), process_cpu_s(bot.pid)
        await asyncio.sleep(window_s)
        elapsed, cpu = time.perf_counter() - started, process_cpu_s(bot.pid) - cpu_before
        memory = _memory_mb(bot.pid)
        alive = bot.poll() is None
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(bot.wait, 30)
        except subprocess.TimeoutExpired:
            bot.kill()
        await double.stop()
    if not alive:
        raise RuntimeError(f"the bot stopped during the idle window; see {log_path}")
    return {
        "clients": clients,
        "idle_s": round(elapsed, 1),
        "bot_idle_cpu_ms_per_s": round(1000 * cpu / elapsed, 2),
        "bot_rss_mb": memory.get("VmHWM"),
        "bot_rss_now_mb": memory.get("VmRSS"),
        "bot_process": "python -m bot run",
    }
