"""The reference: the smallest engine built the same way as ours — rows and a tick.

One table (chat, next fire time, indexed) in SQLite through SQLAlchemy Core and aiosqlite, a
1 s tick that asks for the earliest due row and claims due rows in batches of 500 (select,
then move each to tomorrow), and one sender at 30 msg/s. No ORM, no ledger, no look-ahead, no
time zones, no Telegram library, no bot around it: what a rows-and-tick engine costs at the
least, the floor our engine's idle CPU and memory are compared with. It calls the same
`FakeTelegram.send_message` as ours and the peer, and is measured with the same instruments.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, func, insert, select, update
from sqlalchemy.ext.asyncio import create_async_engine

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

FIRST_CHAT = 1_000_000
BATCH = 500
SEND_RATE = 30.0
DAY_S = 86_400.0
# The same idle window as ours (benchmarks.ours.IDLE_WINDOW_S).
IDLE_WINDOW_S = 21.0

metadata = MetaData()
reminder = Table(
    "reminder",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", Integer, nullable=False),
    Column("next_fire_at", Float, nullable=False),
    Index("ix_reminder_next_fire_at", "next_fire_at"),
)


async def burst(n: int, k: int, idle_s: float = IDLE_WINDOW_S) -> dict[str, Any]:
    """N rows, K due in the same second after `idle_s` of idle; ticking and sending at 30/s."""
    path = Path(tempfile.mkdtemp(prefix="bench-reference-")) / "reference.db"
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    telegram = FakeTelegram()
    claimed: list[tuple[int, float, float]] = []  # chat, due, claimed at
    queue: asyncio.Queue[int] = asyncio.Queue()
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        started = time.perf_counter()
        later = time.time() + 6 * 3600
        for first in range(0, n, 1_000):
            rows = [
                {"chat_id": FIRST_CHAT + i, "next_fire_at": later}
                for i in range(first, min(n, first + 1_000))
            ]
            async with engine.begin() as connection:
                await connection.execute(insert(reminder), rows)
        create_s = time.perf_counter() - started
        due = float(math.ceil(time.time() + idle_s + 1.5))
        async with engine.begin() as connection:
            await connection.execute(
                update(reminder).where(reminder.c.id <= k).values(next_fire_at=due)
            )

        async def tick() -> None:
            while True:
                now = time.time()
                async with engine.begin() as connection:
                    earliest = (
                        await connection.execute(select(func.min(reminder.c.next_fire_at)))
                    ).scalar()
                    while earliest is not None and earliest <= now:
                        rows = (
                            await connection.execute(
                                select(reminder.c.id, reminder.c.chat_id, reminder.c.next_fire_at)
                                .where(reminder.c.next_fire_at <= now)
                                .order_by(reminder.c.next_fire_at)
                                .limit(BATCH)
                            )
                        ).all()
                        if not rows:
                            break
                        await connection.execute(
                            update(reminder)
                            .where(reminder.c.id.in_([row.id for row in rows]))
                            .values(next_fire_at=reminder.c.next_fire_at + DAY_S)
                        )
                        at = time.time()
                        for row in rows:
                            claimed.append((row.chat_id, row.next_fire_at, at))
                            queue.put_nowait(row.chat_id)
                await asyncio.sleep(1.0 - (time.time() - now) % 1.0)

        async def send() -> None:
            while True:
                chat_id = await queue.get()
                await telegram.send_message(chat_id=chat_id, text="Time for your exercises")
                await asyncio.sleep(1 / SEND_RATE)

        tasks = [asyncio.create_task(tick()), asyncio.create_task(send())]
        await asyncio.sleep(1.0)  # the start-up tick
        idle = CpuWindow()
        idle.start()
        await asyncio.sleep(max(0.0, due - time.time() - 0.05))
        idle.stop()
        monitor = LoopStallMonitor()
        monitor.start()
        deadline = due + k / SEND_RATE + 30
        due_chats = {FIRST_CHAT + i for i in range(k)}
        while time.time() < deadline and SendTally(due_chats, telegram.sent).delivered < k:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.5)  # one more tick: anything claimed twice would show
        stall = await monitor.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await engine.dispose()
    tally = SendTally(due_chats, telegram.sent)
    return {
        "n": n,
        "k": k,
        "delivered": tally.delivered,
        "lost": tally.lost,
        "duplicated": tally.duplicated,
        "unexpected_sends": tally.unexpected,
        "claim_lateness": lateness_summary([at - d for _, d, at in claimed]),
        "send_lateness": lateness_summary([at - due for chat, at in telegram.sent]),
        "send_rate_peak_per_s": peak_rate(at for _, at in telegram.sent),
        "loop_stall_max_ms": round(stall * 1000, 1),
        "create_s": round(create_s, 3),
        "db_mb": file_size_mb(path),
        "idle_cpu_ms_per_s": round(idle.cpu_ms_per_s, 2),
        "idle_s": round(idle.wall, 1),
        "rss_mb": round(peak_rss_mb(), 1),
    }
