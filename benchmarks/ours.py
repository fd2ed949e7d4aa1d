"""Our engine under the same scenarios: schedule rows, the 1 s tick, the paced dispatcher.

The engine takes `now` explicitly, so the run uses a shifted clock: virtual time runs at
real speed but starts a few seconds before a whole minute (our rows hold HH:MM local times),
which lets a burst fall due seconds after start instead of at the next real 09:00.
Lateness is measured on that clock, against real sleeps, on the real event loop.

The scheduler and dispatcher are the ones `bot.app.build_scheduler` builds; only its sender
(`bot.telegram_sender` over python-telegram-bot) is replaced by `FakeTelegram`, so the
process holds what a scheduling process holds, and `submit` is observed to time each claim.

Claim look-ahead (CLAIM_LOOKAHEAD_SECONDS, default 5 s) is on, as in the app's tick: the
burst is claimed seconds before it is due, so "claim lateness" (the time a claim was handed
to the dispatcher minus due) is negative — claimed before due. What the client notices is
send lateness; `sent_before_due` counts sends earlier than their slot (must be 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from benchmarks.measure import (
    CpuWindow,
    FakeTelegram,
    LoopStallMonitor,
    SendTally,
    file_size_mb,
    lateness_summary,
    peak_rate,
    peak_rss_mb,
)
from bot.content import load_library
from bot.db.engine import Database
from bot.db.models import (
    Client,
    ClientStatus,
    Delivery,
    Prescription,
    ScheduleKind,
    Therapist,
)
from bot.domain.schedule_times import DEFAULT_CLAIM_LOOKAHEAD_SECONDS
from bot.services.schedules import ALL_DAYS, ScheduleImport, import_schedules
from scheduler.claiming import ClaimPolicy
from scheduler.dispatch import Dispatcher
from scheduler.messages import OutgoingMessage
from scheduler.tick import ROUTINE_EVERY, Scheduler

REPO_ROOT = Path(__file__).resolve().parents[1]
CONTENT_DIR = REPO_ROOT / "content" / "exercises"
TZ = "Europe/London"
FIRST_CHAT = 1_000_000
# 09:00 BST on a Wednesday clear of DST changes: the minute the burst falls due.
DUE = datetime(2026, 6, 3, 8, 0, tzinfo=UTC)
SETUP = DUE - timedelta(days=30)
# The idle window covers a whole routine cadence (follow-ups, resumes, the heartbeat run every
# ROUTINE_EVERY whatever is due), so the figure includes a routine pass, not only cheap ticks.
IDLE_WINDOW_S = ROUTINE_EVERY.total_seconds() + 1
# Before the idle window: the start-up pass (not idle) and the tick that follows it.
STARTUP_S = 1.0
TICK_S = 1.0
# Where in the tick period the due minute falls: mid-way, the expected claim delay of a
# tick whose phase is arbitrary (the app's JobQueue starts ticking whenever the bot starts).
TICK_PHASE_S = 0.5
INSERT_BATCH = 1_000
# The app's default CLAIM_LOOKAHEAD_SECONDS: the tick claims this far ahead.
LOOKAHEAD_S = DEFAULT_CLAIM_LOOKAHEAD_SECONDS


class ObservedDispatcher(Dispatcher):
    """The real dispatcher; `submit` also notes when each claim was handed over to send."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queued: list[tuple[int, datetime, float]] = []  # chat, slot, real time

    def submit(self, messages: list[OutgoingMessage], *, now: datetime | None = None) -> None:
        at = time.time()
        for message in messages:
            if message.claim is not None:
                self.queued.append((message.chat_id, message.claim.slot, at))
        super().submit(messages, now=now)


async def _database(database_url: str | None) -> tuple[Database, Path | None]:
    """A migrated database. Migrations run in a process of their own, as a deployment runs
    `python -m bot db upgrade` before `python -m bot run`: Alembic never enters the measured
    process's memory."""
    path = None
    if database_url is None:
        path = Path(tempfile.mkdtemp(prefix="bench-ours-")) / "bot.db"
        database_url = f"sqlite+aiosqlite:///{path}"
    migrating = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from bot.db.migrate import upgrade; upgrade(sys.argv[1])",
        database_url,
        cwd=REPO_ROOT,
    )
    if await migrating.wait() != 0:
        raise RuntimeError("database migrations failed")
    return Database.connect(database_url), path


async def add_clients(db: Database, count: int, *, times_per_day: int = 1) -> None:
    """`count` active clients (ids 1..count, chats FIRST_CHAT + i) with one prescription."""
    async with db.sessions.begin() as session:
        session.add(Therapist(id=1, telegram_id=900_001, timezone=TZ, created_at=SETUP))
    for start in range(0, count, INSERT_BATCH):
        ids = range(start + 1, min(count, start + INSERT_BATCH) + 1)
        async with db.sessions.begin() as session:
            await session.execute(
                insert(Client),
                [
                    {
                        "id": i,
                        "therapist_id": 1,
                        "telegram_id": FIRST_CHAT + i - 1,
                        "display_name": "Client",
                        "timezone": TZ,
                        "status": ClientStatus.ACTIVE,
                        "consent_version": "1",
                        "consent_at": SETUP,
                        "created_at": SETUP,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(Prescription),
                [
                    {
                        "client_id": i,
                        "exercise_slug": "glute-bridge",
                        "dosage": "3 × 10 reps",
                        "times_per_day": times_per_day,
                        "days_mask": ALL_DAYS,
                        "active_from": SETUP,
                        "created_at": SETUP,
                    }
                    for i in ids
                ],
            )


async def create_schedules(
    db: Database, rows: Iterable[tuple[int, str]], *, now: datetime
) -> float:
    """Reminder rows (client id, "HH:MM") with `next_fire_at` computed; seconds taken.

    The import path a therapist's bulk import or a migration uses:
    `bot.services.schedules.import_schedules`, in one transaction.
    """
    started = time.perf_counter()
    imports = (
        ScheduleImport(
            kind=ScheduleKind.EXERCISE_REMINDER,
            local_times=(dt_time.fromisoformat(local_time),),
            timezone=TZ,
            days_mask=ALL_DAYS,
            client_id=client_id,
        )
        for client_id, local_time in rows
    )
    async with db.sessions.begin() as session:
        await import_schedules(session, imports, now=now)
    return time.perf_counter() - started


def _shifted_clock(virtual_start: datetime) -> tuple[Callable[[], datetime], float]:
    """A clock reading `virtual_start` now and running at real speed; and its offset (s)."""
    offset = virtual_start.timestamp() - time.time()
    return (lambda: datetime.fromtimestamp(time.time() + offset, UTC)), offset


def _scheduler(
    db: Database, clock: Callable[[], datetime], *, send_rate: float, per_chat_rate: float
) -> tuple[Scheduler, ObservedDispatcher, FakeTelegram]:
    telegram = FakeTelegram()
    dispatcher = ObservedDispatcher(
        sender=telegram,
        db=db,
        clock=clock,
        send_rate=send_rate,
        per_chat_rate=per_chat_rate,
    )
    scheduler = Scheduler(
        db=db,
        library=load_library(CONTENT_DIR),
        dispatcher=dispatcher,
        policy=ClaimPolicy(),
        tick_lookahead=timedelta(seconds=LOOKAHEAD_S),
    )
    return scheduler, dispatcher, telegram


async def _tick(
    scheduler: Scheduler,
    clock: Callable[[], datetime],
    stop: asyncio.Event,
    durations: list[float],
) -> None:
    """The metronome, as the app's tick job runs it: a pass every second, never two at once,
    and a pass that overruns is followed at once by the next (coalesced, not stacked)."""
    loop = asyncio.get_running_loop()
    next_at = loop.time()
    while not stop.is_set():
        started = time.perf_counter()
        await scheduler.tick(clock())
        durations.append(time.perf_counter() - started)
        next_at += TICK_S
        if next_at < loop.time():
            next_at = loop.time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), next_at - loop.time())


async def _ledger(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        return {str(status.value): count for status, count in rows.tuples()}


async def burst(
    n: int,
    k: int,
    database_url: str | None = None,
    send_rate: float = 30.0,
    idle_s: float = IDLE_WINDOW_S,
) -> dict[str, Any]:
    """N reminder rows, K due in the same minute; ticking and sending at Telegram's pace."""
    db, path = await _database(database_url)
    try:
        await add_clients(db, n)
        rows = ((i, "09:00" if i <= k else "15:00") for i in range(1, n + 1))
        create_s = await create_schedules(db, rows, now=DUE - timedelta(hours=1))
        db_mb = file_size_mb(path) if path else None

        # The start-up pass, `idle_s` of idle ticks, then the look-ahead's ticks (which claim
        # the burst ahead).
        clock, offset = _shifted_clock(
            DUE - timedelta(seconds=STARTUP_S + idle_s + LOOKAHEAD_S - TICK_PHASE_S)
        )
        scheduler, dispatcher, telegram = _scheduler(
            db, clock, send_rate=send_rate, per_chat_rate=1.0
        )
        monitor, idle, stop = LoopStallMonitor(), CpuWindow(), asyncio.Event()
        durations: list[float] = []
        await dispatcher.start()
        gc.freeze()  # as the app does once started (bot.app post_init)
        monitor.start()
        ticking = asyncio.create_task(_tick(scheduler, clock, stop, durations))
        # Idle is what a running bot spends while nothing is due: measured from the end of
        # the start-up pass (a bot's first pass does everything once) to the look-ahead,
        # without the stall monitor's own wake-ups (each idle tick's duration is recorded:
        # no tick can stall the loop for longer than it takes).
        while not durations:  # noqa: ASYNC110 - the tick task signals nothing
            await asyncio.sleep(0.001)
        await monitor.pause()
        idle.start()
        startup = len(durations)
        idle_end = DUE.timestamp() - LOOKAHEAD_S - offset
        await asyncio.sleep(max(0.0, idle_end - time.time() - 0.05))
        idle.stop()
        monitor.resume()
        idle_ticks = durations[startup:]

        due_chats = {FIRST_CHAT + i - 1 for i in range(1, k + 1)}
        deadline = DUE.timestamp() - offset + k / send_rate + 30
        # Polls counters nothing signals; 50 ms is far below the figures measured.
        while time.time() < deadline and SendTally(due_chats, telegram.sent).delivered < k:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await asyncio.sleep(TICK_S * 1.5)  # one more pass: anything claimed twice would show
        stop.set()
        await ticking
        stall = await monitor.stop()
        await dispatcher.stop()
        ledger = await _ledger(db)
    finally:
        await db.dispose()

    tally = SendTally(due_chats, telegram.sent)
    due_real = DUE.timestamp() - offset
    claims = [at - due_real for chat, _, at in dispatcher.queued if chat in due_chats]
    sends = [at - due_real for chat, at in telegram.sent if chat in due_chats]
    return {
        "n": n,
        "k": k,
        "delivered": tally.delivered,
        "lost": tally.lost,
        "duplicated": tally.duplicated,
        "unexpected_sends": tally.unexpected,
        "ledger": ledger,
        "lookahead_s": LOOKAHEAD_S,
        # Negative: handed to the dispatcher before due (look-ahead), not late.
        "claim_lateness": lateness_summary(claims),
        "send_lateness": lateness_summary(sends),
        "sent_before_due": sum(1 for s in sends if s < 0),
        "send_rate_peak_per_s": peak_rate(at for _, at in telegram.sent),
        "loop_stall_max_ms": round(stall * 1000, 1),
        "create_s": round(create_s, 3),
        "db_mb": db_mb,
        "idle_cpu_ms_per_s": round(idle.cpu_ms_per_s, 2),
        "idle_s": round(idle.wall, 1),
        # Mean wall time of the ticks in the idle window (cheap looks and the routine pass).
        "idle_tick_ms": round(1000 * sum(idle_ticks) / len(idle_ticks), 2) if idle_ticks else None,
        "idle_tick_max_ms": round(1000 * max(idle_ticks), 1) if idle_ticks else None,
        "busiest_pass_s": round(max(durations), 3) if durations else None,
        "rss_mb": round(peak_rss_mb(), 1),
    }


async def downtime(clients: int, start: datetime) -> dict[str, Any]:
    """Two reminders per client in the hour from `start`; the process is down for that hour.

    The restart runs two passes (a second pass shows nothing is sent twice). Pacing is
    measured by `burst`; here the dispatcher's rate is raised so the run takes seconds —
    which slots are sent, missed or duplicated does not depend on the rate.
    """
    db, _ = await _database(None)
    try:
        await add_clients(db, clients, times_per_day=2)
        rows = []
        for i in range(1, clients + 1):
            for extra in (0, 30):
                at = start + timedelta(minutes=(i - 1) % 30 + extra)
                rows.append((i, _local_hhmm(at)))
        await create_schedules(db, rows, now=start - timedelta(minutes=1))

        back = start + timedelta(hours=1)
        clock, _ = _shifted_clock(back)
        scheduler, dispatcher, telegram = _scheduler(
            db, clock, send_rate=10_000, per_chat_rate=10_000
        )
        monitor = LoopStallMonitor()
        await dispatcher.start()
        monitor.start()
        for _ in range(2):
            await scheduler.run_pass(clock())
            await dispatcher.drain()
        stall = await monitor.stop()
        await dispatcher.stop()
        ledger = await _ledger(db)
    finally:
        await db.dispose()

    per_slot: dict[tuple[int, datetime], int] = {}
    for chat, slot, _ in dispatcher.queued:
        per_slot[(chat, slot)] = per_slot.get((chat, slot), 0) + 1
    per_client: dict[int, int] = {}
    for chat, _ in telegram.sent:
        per_client[chat] = per_client.get(chat, 0) + 1
    return {
        "slots": len(rows),
        "clients": clients,
        "sent_late": len(telegram.sent),
        "recorded_missed": ledger.get("missed", 0),
        "dropped_unrecorded": len(rows) - len(telegram.sent) - ledger.get("missed", 0),
        "duplicated": sum(n - 1 for n in per_slot.values() if n > 1),
        "catch_up_per_client_max": max(per_client.values(), default=0),
        "ledger": ledger,
        "loop_stall_max_ms": round(stall * 1000, 1),
        "rss_mb": round(peak_rss_mb(), 1),
    }


def _local_hhmm(at: datetime) -> str:
    local = at.astimezone(ZoneInfo(TZ))
    return f"{local.hour:02d}:{local.minute:02d}"
