"""A 09:00 reminder fires at 09:00 local every day, whatever the clocks do."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.engine import Database
from bot.db.models import ScheduleKind
from bot.services.schedules import set_client_timezone
from scheduler.claiming import ClaimPolicy, claim_due_slots
from tests.scheduling import add_client, schedule_of

POLICY = ClaimPolicy()


async def _reminder_slots_by_hourly_passes(
    db: Database, start: datetime, days: int
) -> list[datetime]:
    """Run one pass every hour (like `tick --at` on the hour) and collect reminder slots."""
    slots = []
    for hour in range(days * 24):
        claims = await claim_due_slots(db, now=start + timedelta(hours=hour), policy=POLICY)
        slots += [c.slot for c in claims if c.kind is ScheduleKind.EXERCISE_REMINDER]
    return slots


async def test_london_reminder_stays_at_nine_across_spring_forward(db: Database) -> None:
    start = datetime(2026, 3, 27, 0, 0, tzinfo=UTC)
    await add_client(db, now=start, reminders=[time(9, 0)])

    slots = await _reminder_slots_by_hourly_passes(db, start, days=4)

    london = ZoneInfo("Europe/London")
    assert [s.astimezone(london).strftime("%d %H:%M") for s in slots] == [
        "27 09:00",
        "28 09:00",
        "29 09:00",
        "30 09:00",
    ]
    # GMT before 29 March, BST (UTC+1) from that Sunday on.
    assert [s.hour for s in slots] == [9, 9, 8, 8]


async def test_london_reminder_stays_at_nine_across_fall_back(db: Database) -> None:
    start = datetime(2026, 10, 24, 0, 0, tzinfo=UTC)
    await add_client(db, now=start, reminders=[time(9, 0)])

    slots = await _reminder_slots_by_hourly_passes(db, start, days=3)

    london = ZoneInfo("Europe/London")
    assert [s.astimezone(london).strftime("%d %H:%M") for s in slots] == [
        "24 09:00",
        "25 09:00",
        "26 09:00",
    ]
    assert [s.hour for s in slots] == [8, 9, 9]


async def test_sydney_client_is_reminded_at_their_own_nine_across_their_dst_end(
    db: Database,
) -> None:
    # Sydney leaves daylight saving on Sunday 5 April 2026 (UTC+11 → UTC+10).
    start = datetime(2026, 4, 3, 12, 0, tzinfo=UTC)
    await add_client(db, now=start, tz="Australia/Sydney", reminders=[time(9, 0)])

    slots = await _reminder_slots_by_hourly_passes(db, start, days=4)

    sydney = ZoneInfo("Australia/Sydney")
    assert {s.astimezone(sydney).strftime("%H:%M") for s in slots} == {"09:00"}
    assert [s.astimezone(sydney).day for s in slots] == [4, 5, 6, 7]
    assert [s.hour for s in slots] == [22, 23, 23, 23]


async def test_changing_zone_moves_every_schedule_to_the_new_local_times(db: Database) -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    client_id = await add_client(db, now=now, reminders=[time(9, 0)])

    async with db.sessions.begin() as session:
        await set_client_timezone(session, client_id=client_id, tz="Australia/Sydney", now=now)

    sydney = ZoneInfo("Australia/Sydney")
    reminder = await schedule_of(db, client_id, ScheduleKind.EXERCISE_REMINDER)
    checkin = await schedule_of(db, client_id, ScheduleKind.CHECKIN)
    assert reminder.timezone == checkin.timezone == "Australia/Sydney"
    assert reminder.next_fire_at == datetime(2026, 6, 2, 9, 0, tzinfo=sydney)
    assert checkin.next_fire_at == datetime(2026, 6, 2, 20, 0, tzinfo=sydney)
