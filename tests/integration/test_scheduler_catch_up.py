"""After downtime: late within the window, missed beyond it, one catch-up per client."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import update

from bot.db.engine import Database
from bot.db.models import Delivery, DeliveryStatus, ScheduleKind
from bot.services.schedules import set_checkin_time
from scheduler.claiming import ClaimPolicy, Purpose, claim_due_slots, reclaim_unsent
from tests.scheduling import add_client, deliveries, schedule_of

POLICY = ClaimPolicy()  # catch-up window 2 h, lease 10 min
SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 in London (BST)


async def test_a_slot_missed_by_less_than_the_window_is_sent_marked_late(db: Database) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1))

    claims = await claim_due_slots(db, now=SLOT + timedelta(minutes=90), policy=POLICY)

    assert [(c.slot, c.status, c.late) for c in claims] == [(SLOT, DeliveryStatus.CLAIMED, True)]


async def test_a_slot_older_than_the_window_is_recorded_missed_and_never_sent(
    db: Database,
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1))

    claims = await claim_due_slots(db, now=SLOT + timedelta(hours=3), policy=POLICY)

    assert [(c.slot, c.status, c.to_send) for c in claims] == [(SLOT, DeliveryStatus.MISSED, False)]


async def test_a_long_outage_records_each_skipped_day_and_resumes_at_the_next_slot(
    db: Database,
) -> None:
    client_id = await add_client(db, now=SLOT - timedelta(hours=1))
    back_up = SLOT + timedelta(days=3, hours=1)

    claims = await claim_due_slots(db, now=back_up, policy=POLICY)

    reminders = [c for c in claims if c.kind is ScheduleKind.EXERCISE_REMINDER]
    assert [c.slot for c in reminders] == [SLOT + timedelta(days=d) for d in range(4)]
    assert [c.status for c in reminders[:3]] == [DeliveryStatus.MISSED] * 3
    assert reminders[3].late and reminders[3].to_send
    schedule = await schedule_of(db, client_id, ScheduleKind.EXERCISE_REMINDER)
    assert schedule.next_fire_at == SLOT + timedelta(days=4)


async def test_a_client_gets_at_most_one_catch_up_message(db: Database) -> None:
    client_id = await add_client(db, now=SLOT - timedelta(hours=1), reminders=[time(9, 0)])
    async with db.sessions.begin() as session:
        await set_checkin_time(
            session, client_id=client_id, at=time(9, 30), now=SLOT - timedelta(hours=1)
        )

    claims = await claim_due_slots(db, now=SLOT + timedelta(minutes=100), policy=POLICY)

    assert len(claims) == 2
    assert [c.kind for c in claims if c.to_send] == [ScheduleKind.CHECKIN]  # the latest slot
    assert [c.kind for c in claims if c.status is DeliveryStatus.MISSED] == [
        ScheduleKind.EXERCISE_REMINDER
    ]


async def test_a_delivery_claimed_before_a_crash_is_resent_once_then_given_up(
    db: Database,
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1))
    [claim] = await claim_due_slots(db, now=SLOT, policy=POLICY)
    # The process dies here: the delivery stays `claimed`, never sent.

    within_lease = await reclaim_unsent(db, now=SLOT + timedelta(minutes=5), policy=POLICY)
    after_lease = await reclaim_unsent(db, now=SLOT + timedelta(minutes=11), policy=POLICY)
    # ...and that re-send was lost too.
    given_up = await reclaim_unsent(db, now=SLOT + timedelta(minutes=30), policy=POLICY)

    assert within_lease == []
    assert [(c.delivery_id, c.purpose, c.late) for c in after_lease] == [
        (claim.delivery_id, Purpose.RESEND, True)
    ]
    assert given_up == []
    [delivery] = await deliveries(db)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)


async def test_a_sent_delivery_is_never_resent(db: Database) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1))
    [claim] = await claim_due_slots(db, now=SLOT, policy=POLICY)
    async with db.sessions.begin() as session:
        await session.execute(
            update(Delivery)
            .where(Delivery.id == claim.delivery_id)
            .values(status=DeliveryStatus.SENT, sent_at=SLOT)
        )

    assert await reclaim_unsent(db, now=SLOT + timedelta(hours=1), policy=POLICY) == []
