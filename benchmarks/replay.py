"""`alerts replay` throughput: check-ins replayed per second through the production path.

A seeded diary shaped like a practice's (mixed time zones and check-in hours, about 1 day in
10 missed, a few clients whose pain rises) is replayed by `bot.services.alert_replay.replay`,
exactly as `python -m bot alerts replay` runs it: a fresh SQLite database migrated from
scratch, every check-in through `record_pain_entry`, the day-end passes at their instants.
The time counted is the whole replay, migrations included. DESIGN.md's bar: ≥ 1,000 check-ins
per second (a 225,000-check-in diary in under 4 minutes).
"""

from __future__ import annotations

import random
import resource
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.alert_replay import DiaryRow, replay, split_by_client

ZONES = (
    "Europe/London",
    "Europe/London",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
)
FIRST_DAY = date(2026, 1, 5)
SEED = 20260329


def diary(clients: int, days: int, *, seed: int = SEED) -> list[DiaryRow]:
    """`clients` diaries of `days` days each (about 90 % of days checked in)."""
    rnd = random.Random(seed)
    rows: list[DiaryRow] = []
    for index in range(clients):
        zone = ZONES[index % len(ZONES)]
        tz = ZoneInfo(zone)
        usual = rnd.randint(1, 6)
        rise_on = rnd.randint(35, days) if index % 5 == 0 else days + 1
        hour = rnd.choice((7, 8, 12, 19, 20, 21))
        level = float(usual)
        for day in range(days):
            level = usual + 0.5 * (level - usual) + rnd.gauss(0, 0.9)
            if rnd.random() < 0.1:
                continue
            leg = round(level + (3 if day >= rise_on else 0))
            at = datetime.combine(
                FIRST_DAY + timedelta(days=day), time(hour, rnd.randint(0, 59)), tz
            )
            rows.append(
                DiaryRow(
                    client=f"c{index:05d}",
                    timezone=zone,
                    at=at.astimezone(UTC),
                    leg=min(10, max(0, leg)),
                    back=min(10, max(0, round(level) - 1)),
                    line=len(rows) + 2,
                )
            )
    return rows


def _cpu_s() -> float:
    """CPU time of this process and of its finished children (the replay's shards)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def throughput(clients: int, days: int) -> dict[str, Any]:
    rows = diary(clients, days)
    started, cpu = clock.perf_counter(), _cpu_s()
    alerts = await replay(rows)
    seconds = clock.perf_counter() - started
    return {
        "clients": clients,
        "days": days,
        "checkins": len(rows),
        "alerts": len(alerts),
        "seconds": round(seconds, 2),
        "processes": len(split_by_client(rows, None)),
        "cpu_s": round(_cpu_s() - cpu, 2),
        "checkins_per_s": round(len(rows) / seconds, 1),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
