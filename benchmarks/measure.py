"""What both sides are measured with: the fake send, the loop-stall heartbeat, percentiles, RSS.

Everything here is shared by our engine and the peer so that a difference in a figure comes
from the scheduling approach, never from the instrument.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import platform
import resource
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any


class FakeTelegram:
    """The send every side calls: one `await asyncio.sleep(0)` (a network await) and a record.

    `send_message` has the keyword signature of `telegram.Bot.send_message`, as the peer's job
    and the reference call it; `send_text` / `send_photo` are the engine's `Sender` protocol
    (`scheduler.sending`), which our dispatcher calls. All record the same way, so the sides
    differ only in their scheduling. Times are wall-clock epoch seconds (`time.time()`), the
    scale every lateness is measured on.
    """

    def __init__(self) -> None:
        self.sent: list[tuple[int, float]] = []
        self._ids = itertools.count(1)

    async def _record(self, chat_id: int) -> int:
        await asyncio.sleep(0)
        self.sent.append((chat_id, time.time()))
        return next(self._ids)

    async def send_message(self, chat_id: int, text: str, **_: Any) -> SimpleNamespace:
        return SimpleNamespace(message_id=await self._record(chat_id))

    async def send_text(self, chat_id: int, text: str, keyboard: object = None) -> int:
        return await self._record(chat_id)

    async def send_photo(
        self, chat_id: int, png: bytes, caption: str, keyboard: object = None
    ) -> int:
        return await self._record(chat_id)


class LoopStallMonitor:
    """A 10 ms heartbeat task; the longest gap beyond 10 ms is the longest event-loop stall."""

    def __init__(self, interval: float = 0.010) -> None:
        self.interval = interval
        self.max_stall = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.max_stall = 0.0
        self.resume()

    async def pause(self) -> None:
        """Stop beating, keeping the longest stall so far. The beat itself costs CPU (a
        wake-up every 10 ms): an idle-CPU window is measured with it paused."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def resume(self) -> None:
        self._task = asyncio.create_task(self._beat(), name="heartbeat")

    async def stop(self) -> float:
        await self.pause()
        return self.max_stall

    async def _beat(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.interval)
            now = time.perf_counter()
            self.max_stall = max(self.max_stall, now - last - self.interval)
            last = now


@dataclass
class CpuWindow:
    """CPU seconds (user + system) this process spent between `start` and `stop`."""

    started_cpu: float = 0.0
    started_wall: float = 0.0
    cpu: float = 0.0
    wall: float = 0.0

    def start(self) -> None:
        self.started_cpu, self.started_wall = _cpu_seconds(), time.perf_counter()

    def stop(self) -> None:
        self.cpu = _cpu_seconds() - self.started_cpu
        self.wall = time.perf_counter() - self.started_wall

    @property
    def cpu_ms_per_s(self) -> float:
        return 1000 * self.cpu / self.wall if self.wall > 0 else 0.0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) another process has used so far (Linux /proc).

    The sum of its live threads' run time in nanoseconds (`/proc/PID/task/*/schedstat`): the
    process total in `/proc/PID/stat` counts in clock ticks (10 ms), ±0.33 ms/s over the idle
    bot's 30 s window — a sixth of its 2 ms/s target. The bot's threads (the event loop and
    the SQLite connection's) live across every window measured here. Falls back to the
    ticks where schedstat is not available.
    """
    total_ns = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):  # a thread that just ended
                total_ns += int((task / "schedstat").read_text().split()[0])
    except OSError:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total_ns / 1e9


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def lateness_summary(values: Sequence[float]) -> dict[str, float | None]:
    """p50 / p99 / max in seconds, rounded to the millisecond."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "p50_s": rounded(percentile(values, 50)),
        "p99_s": rounded(percentile(values, 99)),
        "max_s": rounded(max(values) if values else None),
    }


def peak_rate(times: Iterable[float], window: float = 1.0) -> int:
    """The most sends inside any `window`-second span (Telegram allows 30 a second)."""
    ordered = sorted(times)
    best = start = 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@dataclass
class SendTally:
    """Delivered / lost / duplicated among the chats that were due."""

    due_chats: set[int]
    sends: list[tuple[int, float]]
    counts: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.counts = {}
        for chat_id, _ in self.sends:
            self.counts[chat_id] = self.counts.get(chat_id, 0) + 1

    @property
    def delivered(self) -> int:
        return sum(1 for chat in self.due_chats if self.counts.get(chat, 0) > 0)

    @property
    def lost(self) -> int:
        return len(self.due_chats) - self.delivered

    @property
    def duplicated(self) -> int:
        return sum(max(0, self.counts.get(chat, 0) - 1) for chat in self.due_chats)

    @property
    def unexpected(self) -> int:
        """Sends to chats that were not due at all."""
        return sum(n for chat, n in self.counts.items() if chat not in self.due_chats)


def file_size_mb(path: Path) -> float:
    """A SQLite database's size on disk, with its WAL if one is left."""
    total = 0
    for candidate in (path, path.with_name(path.name + "-wal")):
        if candidate.exists():
            total += candidate.stat().st_size
    return round(total / 1_000_000, 2)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "sqlite": sqlite3.sqlite_version,
        # Other work on the machine inflates every timing: recorded so a reader can tell.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "packages": {
            name: _version(name)
            for name in ("APScheduler", "python-telegram-bot", "SQLAlchemy", "aiosqlite")
        },
    }
