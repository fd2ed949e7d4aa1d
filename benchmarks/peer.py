"""The naive peer: one APScheduler 3.11 job per client reminder, as PTB's `run_daily` makes it.

`JobQueue.run_daily(callback, time)` is `AsyncIOScheduler.add_job(trigger="cron", hour=...,
minute=..., second=..., timezone=...)` with APScheduler's job defaults (misfire grace 1 s,
no coalescing, one instance). A bot that must survive restarts keeps those jobs in
`SQLAlchemyJobStore`; on one machine that is a SQLite file. The peer is measured with the
default grace and with grace disabled (`misfire_grace_time=None`, "run however late").

The job calls the same `FakeTelegram.send_message` our dispatcher calls.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

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

ZONE = ZoneInfo("Europe/London")
REMINDER_TEXT = "Time for your exercises: glute bridge, 3 × 10 reps."
FIRST_CHAT = 1_000_000
IDLE_WINDOW_S = 3.0


@dataclass
class _Run:
    """What the jobs of one run record. APScheduler stores a job's callable by reference
    (`benchmarks.peer:remind`), so the job reaches this through the module attribute."""

    telegram: FakeTelegram = field(default_factory=FakeTelegram)
    started: list[tuple[int, float, float]] = field(default_factory=list)  # chat, due, at
    missed: int = 0
    errors: int = 0

    def on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            self.missed += 1
        else:
            self.errors += 1


_run = _Run()


async def remind(chat_id: int, due: float) -> None:
    """The job: what a PTB `run_daily` callback does with `context.bot.send_message`."""
    _run.started.append((chat_id, due, time.time()))
    await _run.telegram.send_message(chat_id=chat_id, text=REMINDER_TEXT)


def _scheduler(path: Path, run: _Run) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{path}")}, timezone=UTC
    )
    scheduler.add_listener(run.on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    return scheduler


def _job_kwargs(grace: str) -> dict[str, Any]:
    # "default" leaves APScheduler's own default (1 s), exactly as run_daily does.
    return {} if grace == "default" else {"misfire_grace_time": None}


def _add_daily(
    scheduler: AsyncIOScheduler, chat_id: int, at: datetime, kwargs: dict[str, Any]
) -> None:
    local = at.astimezone(ZONE)
    scheduler.add_job(
        remind,
        trigger=CronTrigger(
            hour=local.hour, minute=local.minute, second=local.second, timezone=ZONE
        ),
        args=(chat_id, at.timestamp()),
        **kwargs,
    )


async def burst(n: int, k: int, grace: str, idle_s: float = IDLE_WINDOW_S) -> dict[str, Any]:
    """N daily jobs, K of them due in the same second; everything measured on one loop."""
    global _run
    _run = run = _Run()
    path = Path(tempfile.mkdtemp(prefix="bench-peer-")) / "jobs.sqlite"
    scheduler = _scheduler(path, run)
    scheduler.start()
    kwargs = _job_kwargs(grace)

    # The N - K others fire six hours away; the K due ones are added last, timed to fall due
    # a few seconds after creation ends (creation speed is measured on the first N - K).
    later = datetime.now(UTC) + timedelta(hours=6)
    started = time.perf_counter()
    for i in range(k, n):
        _add_daily(scheduler, FIRST_CHAT + i, later, kwargs)
    per_job = (time.perf_counter() - started) / max(1, n - k)
    due = datetime.fromtimestamp(math.ceil(time.time() + idle_s + 1.5 * per_job * k + 0.5), UTC)
    for i in range(k):
        _add_daily(scheduler, FIRST_CHAT + i, due, kwargs)
    create_s = time.perf_counter() - started
    await asyncio.sleep(0)
    db_mb = file_size_mb(path)

    monitor, idle = LoopStallMonitor(), CpuWindow()
    # Idle CPU without the stall monitor's own wake-ups, as for ours (benchmarks.ours.burst).
    idle.start()
    await asyncio.sleep(max(0.0, due.timestamp() - time.time() - 0.05))
    idle.stop()
    monitor.start()
    deadline = due.timestamp() + max(30.0, k / 30 + 10)
    while time.time() < deadline and len(run.started) + run.missed < k:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # sends still awaiting their sleep(0)
    stall = await monitor.stop()
    scheduler.shutdown(wait=False)

    due_chats = {FIRST_CHAT + i for i in range(k)}
    tally = SendTally(due_chats, run.telegram.sent)
    claims = [at - slot for chat, slot, at in run.started if chat in due_chats]
    sends = [at - due.timestamp() for chat, at in run.telegram.sent if chat in due_chats]
    return {
        "n": n,
        "k": k,
        "grace": grace,
        "delivered": tally.delivered,
        "lost": tally.lost,
        "duplicated": tally.duplicated,
        "unexpected_sends": tally.unexpected,
        "misfired_events": run.missed,
        "claim_lateness": lateness_summary(claims),
        "send_lateness": lateness_summary(sends),
        "send_rate_peak_per_s": peak_rate(at for _, at in run.telegram.sent),
        "loop_stall_max_ms": round(stall * 1000, 1),
        "create_s": round(create_s, 3),
        "db_mb": db_mb,
        "idle_cpu_ms_per_s": round(idle.cpu_ms_per_s, 2),
        "rss_mb": round(peak_rss_mb(), 1),
    }


def downtime_slots(clients: int, start: datetime) -> list[tuple[int, datetime]]:
    """Two reminders per client within the hour from `start`: minute m and m + 30."""
    slots = []
    for i in range(clients):
        minute = i % 30
        for extra in (0, 30):
            slots.append((FIRST_CHAT + i, start + timedelta(minutes=minute + extra)))
    return slots


async def downtime(clients: int, grace: str, start: datetime) -> dict[str, Any]:
    """Jobs created, the process stops before `start`, and comes back one hour later."""
    global _run
    path = Path(tempfile.mkdtemp(prefix="bench-peer-")) / "jobs.sqlite"
    kwargs = _job_kwargs(grace)
    slots = downtime_slots(clients, start)

    with time_machine.travel(start - timedelta(minutes=1), tick=True):
        _run = before = _Run()
        scheduler = _scheduler(path, before)
        scheduler.start()
        for chat_id, at in slots:
            _add_daily(scheduler, chat_id, at, kwargs)
        await asyncio.sleep(0)
        scheduler.shutdown(wait=False)

    with time_machine.travel(start + timedelta(hours=1), tick=True):
        _run = run = _Run()
        scheduler = _scheduler(path, run)
        monitor = LoopStallMonitor()
        monitor.start()
        scheduler.start()
        deadline = time.monotonic() + 60
        done = len(slots)
        while time.monotonic() < deadline and len(run.started) + run.missed < done:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        stall = await monitor.stop()
        scheduler.shutdown(wait=False)

    per_slot: dict[tuple[int, float], int] = {}
    for chat, due, _ in run.started:
        per_slot[(chat, due)] = per_slot.get((chat, due), 0) + 1
    per_client: dict[int, int] = {}
    for chat, _ in run.telegram.sent:
        per_client[chat] = per_client.get(chat, 0) + 1
    return {
        "slots": len(slots),
        "clients": clients,
        "grace": grace,
        "sent_late": len(run.telegram.sent),
        "recorded_missed": 0,  # APScheduler only logs a misfire; nothing is kept
        "dropped_unrecorded": run.missed,
        "duplicated": sum(n - 1 for n in per_slot.values() if n > 1),
        "catch_up_per_client_max": max(per_client.values(), default=0),
        "send_rate_peak_per_s": peak_rate(at for _, at in run.telegram.sent),
        "loop_stall_max_ms": round(stall * 1000, 1),
        "rss_mb": round(peak_rss_mb(), 1),
    }
