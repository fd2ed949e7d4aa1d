"""The therapist's weekly summary over many clients with weeks of history: seconds and queries.

Data per client for `weeks` weeks: a daily pain entry, two exercise reminders a day (each
delivered, most logged), a weekly SBI. The summary (`bot.services.summary.build_weekly_summary`)
and its overview chart (`bot.charts.summary_overview_png`, in a thread as the handler runs it)
are timed; SQL statements are counted at the engine. Run at two client counts to show the
query count does not grow with the number of clients.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, insert

from benchmarks.measure import peak_rss_mb
from benchmarks.ours import DUE, TZ, _database, add_clients
from bot.charts import summary_overview_png
from bot.db.models import (
    Delivery,
    DeliveryStatus,
    ExerciseLog,
    ExerciseOutcome,
    OutcomeMeasure,
    PainEntry,
    Schedule,
    ScheduleKind,
)
from bot.services.summary import build_weekly_summary

# The Monday morning push: the summary covers the 7 days before.
NOW = DUE.replace(day=8, hour=7)  # Monday 2026-06-08 08:00 BST
OUTCOMES = (ExerciseOutcome.DONE, ExerciseOutcome.DONE, ExerciseOutcome.PARTLY, None)


async def _history(db: Any, clients: int, weeks: int) -> None:
    days = weeks * 7
    first = NOW - timedelta(days=days)
    for client_id in range(1, clients + 1):
        pains, deliveries, logs, sbis = [], [], [], []
        for day in range(days):
            today = date.fromordinal(first.date().toordinal() + day)
            leg = (client_id + day // 5) % 9
            pains.append(
                {
                    "client_id": client_id,
                    "day": today,
                    "leg": leg,
                    "back": (leg + 2) % 11,
                    "created_at": first + timedelta(days=day),
                    "updated_at": first + timedelta(days=day),
                }
            )
            if day % 7 == 6:
                sbis.append(
                    {
                        "client_id": client_id,
                        "instrument": "SBI",
                        "period_start": today - timedelta(days=6),
                        "items": {"leg": 2, "numbness": 1, "weakness": 1, "sitting": 2},
                        "total": 6 + client_id % 5,
                        "recorded_at": first + timedelta(days=day, hours=12),
                    }
                )
        async with db.sessions.begin() as session:
            schedule_id = (
                await session.execute(
                    insert(Schedule)
                    .values(
                        client_id=client_id,
                        kind=ScheduleKind.EXERCISE_REMINDER,
                        local_times="08:00",
                        days_mask=127,
                        timezone=TZ,
                        active=True,
                        created_at=first,
                        updated_at=first,
                    )
                    .returning(Schedule.id)
                )
            ).scalar_one()
            for day in range(days):
                for hour in (7, 18):
                    slot = first + timedelta(days=day, hours=hour - first.hour)
                    deliveries.append(
                        {
                            "schedule_id": schedule_id,
                            "slot": slot,
                            "status": DeliveryStatus.SENT,
                            "claimed_at": slot,
                            "sent_at": slot,
                            "attempts": 1,
                        }
                    )
            returning = insert(Delivery).returning(Delivery.id, Delivery.slot)
            ids = (await session.execute(returning, deliveries)).all()
            for index, (delivery_id, slot) in enumerate(ids):
                outcome = OUTCOMES[(index + client_id) % len(OUTCOMES)]
                if outcome is not None:
                    logs.append(
                        {
                            "client_id": client_id,
                            "delivery_id": delivery_id,
                            "slot": slot,
                            "outcome": outcome,
                            "logged_at": slot + timedelta(minutes=20),
                        }
                    )
            await session.execute(insert(PainEntry), pains)
            await session.execute(insert(ExerciseLog), logs)
            await session.execute(insert(OutcomeMeasure), sbis)


async def build(clients: int, weeks: int) -> dict[str, Any]:
    db, _ = await _database(None)
    try:
        await add_clients(db, clients)
        await _history(db, clients, weeks)
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        started = time.perf_counter()
        summary = await build_weekly_summary(db, therapist_telegram_id=900_001, now=NOW)
        built = time.perf_counter() - started
        queries = statements
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        started = time.perf_counter()
        png = await asyncio.to_thread(summary_overview_png, summary)
        charted = time.perf_counter() - started
    finally:
        await db.dispose()
    return {
        "clients": clients,
        "weeks": weeks,
        "rows": len(summary.rows),
        "summary_s": round(built, 3),
        "chart_s": round(charted, 3),
        "total_s": round(built + charted, 3),
        "sql_statements": queries,
        "chart_bytes": len(png),
        "rss_mb": round(peak_rss_mb(), 1),
    }
