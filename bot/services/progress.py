"""A client's progress: daily leg and back pain and weekly adherence, over the last 8 weeks at
most — from the first day there is anything to show, so a client one week in sees one week.

Adherence follows DESIGN.md via bot.domain.adherence: every exercise-reminder delivery is one
prescribed slot; its exercise_log outcome (done 1, partly ½, else 0) is what was done. Weeks are
the client's local Monday-to-Sunday weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db import reports
from bot.db.clients import live_client
from bot.db.engine import Database
from bot.domain.adherence import Outcome, SlotOutcome, week_start_of, weekly_adherence
from bot.domain.pain import (
    DailyPain,
    PainRise,
    WeekComparison,
    comparison_with_last_week,
    leg_pain_rise,
)

WEEKS_SHOWN = 8
# Fewer check-ins than this make a line that says nothing: send words instead of a chart.
MIN_ENTRIES_FOR_CHART = 3


@dataclass(frozen=True)
class WeekAdherence:
    week_start: date
    # None when nothing was prescribed that week (not the same as 0 %).
    pct: float | None


@dataclass(frozen=True)
class Progress:
    today: date
    days: tuple[DailyPain, ...]
    weeks: tuple[WeekAdherence, ...]
    comparison: WeekComparison | None
    # The first day the chart shows: the first check-in or exercise reminder, at most
    # `WEEKS_SHOWN` weeks back.
    start: date
    # Leg pain risen by the MCID over the client's usual level: tell the therapist.
    rise: PainRise | None = None

    @property
    def enough_for_chart(self) -> bool:
        return len(self.days) >= MIN_ENTRIES_FOR_CHART

    @property
    def first(self) -> DailyPain | None:
        return self.days[0] if self.days else None

    @property
    def latest(self) -> DailyPain | None:
        return self.days[-1] if self.days else None


async def progress_of(db: Database, *, telegram_id: int, now: datetime) -> Progress | None:
    """The last 8 local weeks of a client's check-ins and adherence; None if not a client."""
    async with db.sessions() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return None
        zone = ZoneInfo(client.timezone)
        today = now.astimezone(zone).date()
        first_week = week_start_of(today) - timedelta(weeks=WEEKS_SHOWN - 1)
        since = datetime.combine(first_week, time(0), tzinfo=zone)
        pain_rows = await reports.pain_days_of(
            session, client_id=client.id, since=first_week, until=today
        )
        slot_rows = await reports.reminder_outcomes_of(
            session, client_id=client.id, since=since, until=now
        )
    days = tuple(DailyPain(day=row.day, leg=row.leg, back=row.back) for row in pain_rows)
    slots = [
        SlotOutcome(
            day=row.slot.astimezone(zone).date(),
            outcome=Outcome(row.outcome.value) if row.outcome is not None else None,
        )
        for row in slot_rows
    ]
    start = min([d.day for d in days[:1]] + [s.day for s in slots] + [today])
    mondays = [
        monday
        for monday in (first_week + timedelta(weeks=i) for i in range(WEEKS_SHOWN))
        if monday >= week_start_of(start)
    ]
    adherence = weekly_adherence(slots, mondays)
    return Progress(
        today=today,
        days=days,
        weeks=tuple(WeekAdherence(monday, adherence[monday]) for monday in mondays),
        comparison=comparison_with_last_week(days, today),
        start=start,
        rise=leg_pain_rise(days, today),
    )
