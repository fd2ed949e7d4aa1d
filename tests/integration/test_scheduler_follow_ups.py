"""Follow-ups and snoozes: one gentle nudge per slot, never at night, never the next day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import update

from bot.db.engine import Database
from bot.db.models import Delivery, DeliveryStatus, ExerciseOutcome
from bot.services.reminders import record_exercise_outcome, snooze_reminder
from bot.services.schedules import (
    mark_client_blocked,
    pause_client_schedules,
    resume_client_schedules,
)
from scheduler.claiming import (
    Claim,
    ClaimPolicy,
    Purpose,
    claim_due_slots,
    claim_follow_ups,
    claim_snoozed,
)
from tests.scheduling import add_client

POLICY = ClaimPolicy()  # follow up after 3 h
CLIENT_TG = 700_001


async def _sent_reminder(
    db: Database, slot: datetime, *, quiet: tuple[time, time] | None = None
) -> Claim:
    claim, _ = await _client_with_sent_reminder(db, slot, quiet=quiet)
    return claim


async def _client_with_sent_reminder(
    db: Database, slot: datetime, *, quiet: tuple[time, time] | None = None
) -> tuple[Claim, int]:
    client_id = await add_client(
        db,
        now=slot - timedelta(hours=1),
        reminders=[slot.replace(tzinfo=None).time()],
        tz="UTC",
        telegram_id=CLIENT_TG,
        quiet=quiet,
    )
    [claim] = await claim_due_slots(db, now=slot, policy=POLICY)
    async with db.sessions.begin() as session:
        await session.execute(
            update(Delivery)
            .where(Delivery.id == claim.delivery_id)
            .values(status=DeliveryStatus.SENT, sent_at=slot, telegram_message_id=1)
        )
    return claim, client_id


async def test_one_follow_up_when_nothing_is_logged_three_hours_later(db: Database) -> None:
    slot = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    reminder = await _sent_reminder(db, slot)

    too_early = await claim_follow_ups(db, now=slot + timedelta(hours=2), policy=POLICY)
    nudges = await claim_follow_ups(db, now=slot + timedelta(hours=3), policy=POLICY)
    later = await claim_follow_ups(db, now=slot + timedelta(hours=4), policy=POLICY)

    assert too_early == []
    assert [(c.delivery_id, c.purpose) for c in nudges] == [
        (reminder.delivery_id, Purpose.FOLLOW_UP)
    ]
    assert later == []


async def test_no_follow_up_once_the_client_answered(db: Database) -> None:
    slot = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    reminder = await _sent_reminder(db, slot)
    await record_exercise_outcome(
        db,
        telegram_id=CLIENT_TG,
        delivery_id=reminder.delivery_id,
        outcome=ExerciseOutcome.DONE,
        skip_reason=None,
        now=slot + timedelta(minutes=20),
    )

    assert await claim_follow_ups(db, now=slot + timedelta(hours=3), policy=POLICY) == []


async def test_no_follow_up_during_quiet_hours(db: Database) -> None:
    slot = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)
    await _sent_reminder(db, slot, quiet=(time(21, 30), time(7, 0)))

    assert await claim_follow_ups(db, now=slot + timedelta(hours=3), policy=POLICY) == []


async def test_no_follow_up_on_a_different_local_day(db: Database) -> None:
    slot = datetime(2026, 6, 1, 22, 0, tzinfo=UTC)
    await _sent_reminder(db, slot)

    assert await claim_follow_ups(db, now=slot + timedelta(hours=3), policy=POLICY) == []


async def test_a_snoozed_reminder_comes_back_once_thirty_minutes_later(db: Database) -> None:
    slot = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    reminder = await _sent_reminder(db, slot)
    pressed = slot + timedelta(minutes=5)
    await snooze_reminder(db, telegram_id=CLIENT_TG, delivery_id=reminder.delivery_id, now=pressed)

    early = await claim_snoozed(db, now=pressed + timedelta(minutes=29), policy=POLICY)
    due = await claim_snoozed(db, now=pressed + timedelta(minutes=30), policy=POLICY)
    again = await claim_snoozed(db, now=pressed + timedelta(minutes=31), policy=POLICY)

    assert early == []
    assert [(c.delivery_id, c.purpose) for c in due] == [(reminder.delivery_id, Purpose.SNOOZE)]
    assert again == []


async def test_a_snooze_that_comes_due_while_the_client_is_paused_never_fires(
    db: Database,
) -> None:
    slot = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    reminder, client_id = await _client_with_sent_reminder(db, slot)
    await snooze_reminder(
        db, telegram_id=CLIENT_TG, delivery_id=reminder.delivery_id, now=slot + timedelta(minutes=5)
    )
    async with db.sessions.begin() as session:
        await pause_client_schedules(
            session, client_id=client_id, until=None, now=slot + timedelta(minutes=10)
        )

    while_paused = await claim_snoozed(db, now=slot + timedelta(minutes=35), policy=POLICY)
    async with db.sessions.begin() as session:
        await resume_client_schedules(
            session, client_id=client_id, now=slot + timedelta(minutes=50)
        )
    after_resuming = await claim_snoozed(db, now=slot + timedelta(minutes=51), policy=POLICY)

    assert while_paused == []
    assert after_resuming == []  # nothing missed while paused is sent on resuming


async def test_a_snooze_of_a_client_who_blocked_the_bot_never_fires(db: Database) -> None:
    slot = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    reminder, client_id = await _client_with_sent_reminder(db, slot)
    await snooze_reminder(
        db, telegram_id=CLIENT_TG, delivery_id=reminder.delivery_id, now=slot + timedelta(minutes=5)
    )
    async with db.sessions.begin() as session:
        await mark_client_blocked(session, client_id=client_id, now=slot + timedelta(minutes=10))

    assert await claim_snoozed(db, now=slot + timedelta(minutes=35), policy=POLICY) == []
