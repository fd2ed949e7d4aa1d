"""Check-in button presses through the real Application, over HTTP, against the Bot API double.

Each client has a /pain prompt open (set up first, not timed), then presses a leg score and,
once answered, a back score: callback → DB write → answerCallbackQuery + edit. All clients
press at once, so up to one press per client is in flight. A press's latency runs from the
moment the update is offered to `getUpdates` to the moment its answerCallbackQuery arrives.

`concurrent_updates` is not a setting of ours (the app processes updates one at a time, PTB's
default), so the benchmark swaps the Application's update processor before it starts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from telegram.ext import SimpleUpdateProcessor

from benchmarks.measure import LoopStallMonitor, lateness_summary, peak_rss_mb
from benchmarks.ours import CONTENT_DIR, FIRST_CHAT, _database, add_clients
from bot.app import build_application
from bot.config import Settings
from bot.content import load_library
from bot.db.models import PainEntry
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import running_application
from tests.support.telegram_payloads import TgUser

TOKEN = "123456:BENCH-TOKEN"  # noqa: S105 - the double accepts any token
LOCKED = "database is locked"


class _ErrorCounter(logging.Handler):
    """Counts log records mentioning SQLite's lock error (the app's error handler logs them)."""

    def __init__(self) -> None:
        super().__init__()
        self.locked = 0

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        if LOCKED in record.getMessage() or (exc is not None and LOCKED in str(exc)):
            self.locked += 1


async def bench_postgres_url() -> str | None:
    """A database of its own next to TEST_POSTGRES_URL's (never the tests' one), or None."""
    url = os.environ.get("BENCH_POSTGRES_URL")
    if url:
        return url
    test_url = os.environ.get("TEST_POSTGRES_URL")
    if not test_url:
        return None
    base = make_url(test_url)
    admin = create_async_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text("DROP DATABASE IF EXISTS bot_bench WITH (FORCE)"))
            await connection.execute(text("CREATE DATABASE bot_bench"))
    finally:
        await admin.dispose()
    return base.set(database="bot_bench").render_as_string(hide_password=False)


async def presses(concurrency: int, clients: int, database_url: str | None) -> dict[str, Any]:
    db, _ = await _database(database_url)
    counter = _ErrorCounter()
    logging.getLogger().addHandler(counter)
    double = BotApiDouble(max_long_poll=0.5)
    await double.start()
    try:
        await add_clients(db, clients)
        settings = Settings(
            _env_file=None,
            telegram_bot_token=TOKEN,
            telegram_api_base_url=double.base_url,
            telegram_file_base_url=double.file_base_url,
            therapist_ids=frozenset({900_001}),
            database_url=str(db.engine.url.render_as_string(hide_password=False)),
            content_dir=CONTENT_DIR,
        )
        app = build_application(
            settings, db=db, library=load_library(CONTENT_DIR), scheduler_tick_job=False
        )
        app._update_processor = SimpleUpdateProcessor(concurrency)  # see module docstring
        users = [TgUser(id=FIRST_CHAT + i, first_name="Client") for i in range(clients)]
        async with running_application(app, double, raise_handler_errors=False) as running:
            mark = double.mark()
            for user in users:
                double.send_command(user, "pain")
            prompts = await asyncio.gather(
                *(
                    double.wait_for("sendMessage", chat_id=user.id, after=mark, timeout=120)
                    for user in users
                )
            )
            await running.settle()
            monitor = LoopStallMonitor()
            monitor.start()
            started = time.perf_counter()
            pairs = zip(users, prompts, strict=True)
            latencies = await asyncio.gather(*(_two_taps(double, u, p) for u, p in pairs))
            elapsed = time.perf_counter() - started
            stall = await monitor.stop()
            await running.settle()
            errors = running.take_handler_errors()
            unanswered = len(double.unanswered_callback_ids())
        async with db.sessions() as session:
            stored = (await session.execute(select(func.count()).select_from(PainEntry))).scalar()
        dialect = db.dialect
    finally:
        await double.stop()
        await db.dispose()
        logging.getLogger().removeHandler(counter)

    flat = [value for pair in latencies for value in pair]
    locked = counter.locked + sum(1 for e in errors if LOCKED in str(e))
    return {
        "database": dialect,
        "concurrent_updates": concurrency,
        "clients": clients,
        "presses": len(flat),
        "presses_per_s": round(len(flat) / elapsed, 1),
        "latency": lateness_summary(flat),
        "database_locked": locked,
        "handler_errors": len(errors),
        "unanswered": unanswered,
        "pain_entries_stored": stored,
        "loop_stall_max_ms": round(stall * 1000, 1),
        "rss_mb": round(peak_rss_mb(), 1),
    }


async def _two_taps(double: BotApiDouble, user: TgUser, prompt: RecordedCall) -> list[float]:
    taken = []
    for label in ("6", "3"):
        mark = double.mark()
        pressed = time.monotonic()
        query_id = double.press_button(user, prompt, label)
        answer = await double.wait_for(
            "answerCallbackQuery",
            predicate=lambda call, q=query_id: call.params.get("callback_query_id") == q,
            after=mark,
            timeout=120,
        )
        taken.append(answer.at - pressed)
        # The edit that follows the answer carries the next keyboard: wait for it too.
        await double.wait_for("editMessageText", chat_id=user.id, after=mark, timeout=120)
    return taken
