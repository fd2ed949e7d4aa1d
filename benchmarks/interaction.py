"""Check-in button presses through the real bot process, over HTTP, against the Bot API double.

The bot runs as `python -m bot run` in a process of its own (as in production and acceptance,
where Telegram is not inside the bot's process); this process serves the Bot API double on
127.0.0.1 and plays the clients. Each client has a /pain prompt open (set up first, not
timed), then presses a leg score and, once answered, a back score: callback → DB write →
answerCallbackQuery + edit. All clients press at once, so up to one press per client is in
flight. A press's latency runs from the moment the update is offered to `getUpdates` to the
moment its answerCallbackQuery arrives.

Concurrency is the app's own setting, `CONCURRENT_UPDATES` (`Settings.concurrent_updates`):
different users' updates run in parallel, each user's in order (`bot.update_processing`).

A press fails when it is answered with an error (the error handler's "something went wrong",
as an answer or a message), never answered, or its screen never comes; a back press fails
too when its answer is not "saved". Every failed press is counted, whatever the log says
("database is locked" and tracebacks in the bot's log are counted besides). The bot's peak
RSS is read from /proc.

`side="floor"` runs `python -m benchmarks.floor_bot` instead: python-telegram-bot with the
same Application settings answering and editing only, the floor our presses are held to.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.measure import LoopStallMonitor, lateness_summary, process_cpu_s
from benchmarks.ours import CONTENT_DIR, FIRST_CHAT, REPO_ROOT, _database, add_clients
from bot import texts
from bot.db.engine import Database
from bot.db.models import PainEntry
from bot.texts import checkin as checkin_texts
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.telegram_payloads import TgUser

TOKEN = "123456:BENCH-TOKEN"  # noqa: S105 - the double accepts any token
LOCKED = "database is locked"
POLL_S = 0.002  # the clients' side checks for answers this often (latency uses the double's
# own timestamps, so it does not include this)


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


BOT_PROCESSES = {
    "ours": ["-m", "bot", "run"],
    "floor": ["-m", "benchmarks.floor_bot"],
}
ERROR_TEXT = texts.SOMETHING_WENT_WRONG
# The two taps each client makes: the leg score, then the back score.
TAPS = (("6", None), ("3", checkin_texts.SAVED.format(leg=6, back=3)))


class _Answers:
    """Watches the double's calls once for everyone: the answer to each press, and each chat's
    edits. One poller task resolves each waiting client's future (no client polls: 150 clients
    each waking every few milliseconds cost the clients' side more CPU than the bot's work)."""

    def __init__(self, double: BotApiDouble) -> None:
        self._double = double
        self._seen = double.mark()
        self._answers: dict[str, RecordedCall] = {}
        self._edits: dict[int, int] = {}
        self._answer_waiters: dict[str, asyncio.Future[RecordedCall]] = {}
        self._edit_waiters: dict[int, tuple[int, asyncio.Future[None]]] = {}
        # Chats told "something went wrong" in a message (the query was answered before).
        self.errors_sent: dict[int, int] = {}
        self._poller: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._poller = asyncio.create_task(self._poll_forever())

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        self.poll()

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            self.poll()

    def poll(self) -> None:
        for call in self._double.calls(after=self._seen):
            if call.method == "answerCallbackQuery":
                query_id = str(call.params.get("callback_query_id"))
                self._answers[query_id] = call
                waiter = self._answer_waiters.pop(query_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(call)
            elif call.method == "editMessageText":
                chat = int(call.params.get("chat_id", 0))
                self._edits[chat] = self._edits.get(chat, 0) + 1
                wanted = self._edit_waiters.get(chat)
                if wanted is not None and self._edits[chat] >= wanted[0]:
                    del self._edit_waiters[chat]
                    if not wanted[1].done():
                        wanted[1].set_result(None)
            elif call.method == "sendMessage" and call.params.get("text") == ERROR_TEXT:
                chat = int(call.params.get("chat_id", 0))
                self.errors_sent[chat] = self.errors_sent.get(chat, 0) + 1
        self._seen = self._double.mark()

    async def answer(self, query_id: str, deadline: float) -> RecordedCall:
        if query_id in self._answers:
            return self._answers[query_id]
        waiter = self._answer_waiters.setdefault(
            query_id, asyncio.get_running_loop().create_future()
        )
        try:
            return await asyncio.wait_for(waiter, max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise TimeoutError(f"press {query_id} never answered") from None

    async def edits(self, chat_id: int, count: int, deadline: float) -> None:
        if self._edits.get(chat_id, 0) >= count:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._edit_waiters[chat_id] = (count, waiter)
        try:
            await asyncio.wait_for(waiter, max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise TimeoutError(f"chat {chat_id} never edited") from None


def bot_process(
    double: BotApiDouble,
    database_url: str,
    log_path: Path,
    *,
    concurrency: int | None = None,
    side: str = "ours",
) -> subprocess.Popen[bytes]:
    """The bot (or the floor) as its own process against the double; `concurrency` sets
    CONCURRENT_UPDATES, left at the bot's default when None."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": double.base_url,
        "TELEGRAM_FILE_BASE_URL": double.file_base_url,
        "THERAPIST_IDS": "900001",
        "DATABASE_URL": database_url,
        "CONTENT_DIR": str(CONTENT_DIR),
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "text",
    }
    if concurrency is not None:
        env["CONCURRENT_UPDATES"] = str(concurrency)
    with log_path.open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - our own entry points, argv only
            [sys.executable, *BOT_PROCESSES[side]],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


async def presses(
    concurrency: int,
    clients: int,
    database_url: str | None,
    side: str = "ours",
    offered_per_s: float | None = None,
) -> dict[str, Any]:
    """Every client taps twice. With `offered_per_s`, the clients start their taps spread
    evenly so that presses arrive at that rate (an open-loop load: the latency a press sees
    when presses come at the target rate); without it they all start at once (the bot's
    capacity: its presses per second and CPU per press when it is never idle)."""
    db, _ = await _database(database_url)
    url = db.engine.url.render_as_string(hide_password=False)
    try:
        await add_clients(db, clients)
    finally:
        await db.dispose()
    double = BotApiDouble(max_long_poll=0.5)
    await double.start()
    log_path = Path(tempfile.mkdtemp(prefix="bench-bot-")) / "bot.log"
    bot = bot_process(double, url, log_path, concurrency=concurrency, side=side)
    try:
        users = [TgUser(id=FIRST_CHAT + i, first_name="Client") for i in range(clients)]
        mark = double.mark()
        for user in users:
            double.send_command(user, "pain")
        prompts = await asyncio.gather(
            *(
                double.wait_for("sendMessage", chat_id=user.id, after=mark, timeout=120)
                for user in users
            )
        )
        await double.settle()
        answers = _Answers(double)
        answers.start()
        monitor = LoopStallMonitor()
        monitor.start()
        started, cpu_before = time.perf_counter(), process_cpu_s(bot.pid)
        pairs = zip(users, prompts, strict=True)
        # Each client taps twice: at `offered_per_s` presses/s a client starts every 2/rate s.
        spacing = 2 / offered_per_s if offered_per_s else 0.0
        taps = await asyncio.gather(
            *(
                _two_taps(double, answers, u, p, start_after=n * spacing)
                for n, (u, p) in enumerate(pairs)
            )
        )
        elapsed, bot_cpu = time.perf_counter() - started, process_cpu_s(bot.pid) - cpu_before
        stall = await monitor.stop()
        await double.settle()
        await answers.stop()
        errors_sent = sum(answers.errors_sent.values())
        unanswered = len(double.unanswered_callback_ids())
        bot_rss = _peak_rss_mb(bot.pid)
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(bot.wait, 30)
        except subprocess.TimeoutExpired:
            bot.kill()
        await double.stop()
    db = Database.connect(url)
    try:
        async with db.sessions() as session:
            stored = (await session.execute(select(func.count()).select_from(PainEntry))).scalar()
        dialect = db.dialect
    finally:
        await db.dispose()

    log = log_path.read_text(errors="replace")
    flat = [value for client in taps for value, _ in client if value is not None]
    failed = sum(1 for client in taps for _, ok in client if not ok)
    presses_made = sum(len(client) for client in taps)
    return {
        "side": side,
        "bot_process": "python " + " ".join(BOT_PROCESSES[side]),
        "database": dialect,
        "concurrent_updates": concurrency,
        "clients": clients,
        "offered_per_s": offered_per_s,
        "presses": presses_made,
        "presses_per_s": round(presses_made / elapsed, 1),
        "latency": lateness_summary(flat),
        "failed_presses": failed + errors_sent,
        "database_locked": log.count(LOCKED),
        "handler_errors": log.count("Traceback") + log.count("handler failed"),
        "unanswered": unanswered,
        "pain_entries_stored": stored if side == "ours" else None,
        "bot_cpu_ms_per_press": round(1000 * bot_cpu / len(flat), 2),
        "bot_cpu_share": round(bot_cpu / elapsed, 2),
        "clients_side_loop_stall_max_ms": round(stall * 1000, 1),
        "bot_rss_mb": bot_rss,
    }


async def _two_taps(
    double: BotApiDouble,
    answers: _Answers,
    user: TgUser,
    prompt: RecordedCall,
    *,
    start_after: float = 0.0,
) -> list[tuple[float | None, bool]]:
    """Each tap's latency (None: never answered) and whether it did what it should."""
    if start_after:
        await asyncio.sleep(start_after)
    taken: list[tuple[float | None, bool]] = []
    deadline = time.monotonic() + 120
    for edits, (label, expected) in enumerate(TAPS, start=1):
        pressed = time.monotonic()
        query_id = double.press_button(user, prompt, label)
        try:
            answer = await answers.answer(query_id, deadline)
        except TimeoutError:
            taken.append((None, False))
            break
        text = answer.params.get("text")
        ok = text != ERROR_TEXT and (expected is None or text == expected)
        try:
            # The edit that follows the answer carries the next keyboard: wait for it too.
            await answers.edits(user.id, edits, deadline)
        except TimeoutError:
            ok = False
        taken.append((answer.at - pressed, ok))
        if not ok:
            break
    return taken
