"""Claiming: bounded batches, every slot exactly once, even with two passes at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from bot.db.engine import Database
from bot.db.models import Delivery, Schedule, ScheduleKind
from scheduler.claiming import ClaimPolicy, _claim_batch, claim_due_slots
from tests.scheduling import add_client, add_therapist

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


async def _due_schedules(db: Database, count: int) -> None:
    """`count` daily 09:00 London schedules (08:00 UTC in June), all due at NOW."""
    therapist_id = await add_therapist(db)
    async with db.sessions.begin() as session:
        await session.execute(
            insert(Schedule),
            [
                {
                    "therapist_id": therapist_id,
                    "kind": ScheduleKind.THERAPIST_SUMMARY,
                    "local_times": "09:00",
                    "days_mask": 127,
                    "timezone": "Europe/London",
                    "active": True,
                    "next_fire_at": NOW,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for _ in range(count)
            ],
        )


async def _delivery_count(db: Database) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(Delivery))).scalar_one()


async def test_one_claim_transaction_takes_at_most_500_rows(db: Database) -> None:
    await _due_schedules(db, 1_200)

    first_count, first = await _claim_batch(db, now=NOW, policy=ClaimPolicy())
    rest = await claim_due_slots(db, now=NOW, policy=ClaimPolicy())

    assert first_count == len(first) == 500
    assert len(rest) == 700
    assert await _delivery_count(db) == 1_200


async def test_claiming_advances_each_schedule_to_its_next_slot(db: Database) -> None:
    await _due_schedules(db, 3)
    await claim_due_slots(db, now=NOW, policy=ClaimPolicy())
    async with db.sessions() as session:
        next_fires = set((await session.execute(select(Schedule.next_fire_at))).scalars())
    assert next_fires == {NOW + timedelta(days=1)}


async def test_two_passes_at_once_deliver_every_slot_exactly_once(
    database_url: str, db: Database
) -> None:
    await _due_schedules(db, 2_000)
    other = Database.connect(database_url)
    try:
        first, second = await asyncio.gather(
            claim_due_slots(db, now=NOW, policy=ClaimPolicy()),
            claim_due_slots(other, now=NOW, policy=ClaimPolicy()),
        )
    finally:
        await other.dispose()

    claimed = [c.delivery_id for c in first + second]
    assert len(claimed) == len(set(claimed)) == 2_000
    assert {c.schedule_id for c in first}.isdisjoint({c.schedule_id for c in second})
    assert await _delivery_count(db) == 2_000


async def test_a_slot_claimed_again_is_not_delivered_twice(db: Database) -> None:
    await add_client(db, now=NOW - timedelta(hours=1))
    claims = await claim_due_slots(db, now=NOW, policy=ClaimPolicy())
    assert [c.kind for c in claims] == [ScheduleKind.EXERCISE_REMINDER]

    # As if another instance had not seen the advance: the same slot is due again.
    async with db.sessions.begin() as session:
        await session.execute(
            update(Schedule).where(Schedule.id == claims[0].schedule_id).values(next_fire_at=NOW)
        )
    again = await claim_due_slots(db, now=NOW, policy=ClaimPolicy())

    assert again == []
    assert await _delivery_count(db) == 1
