"""A client on the glute bridge with a history of answered reminder sessions, written straight to
the database for the exercise-response tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.db.engine import Database
from bot.db.models import (
    Delivery,
    DeliveryStatus,
    ExerciseOutcome,
    ExerciseResponse,
    LegResponse,
    PainEntry,
    Prescription,
    Schedule,
    ScheduleKind,
)
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.handlers.client_seed import add_client
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=670_001, first_name="Alice")


async def add_bridge_sessions(
    db: Database,
    answers: Sequence[tuple[ExerciseOutcome, LegResponse | None]],
    *,
    dosage: str = "3 × 10 reps",
    user: TgUser = ALICE,
    name: str = "Alice Example",
    therapist_telegram_id: int = THERAPIST_ID,
) -> int:
    """The bridge once a day since 30 days ago, a 08:00 reminder each of the last len(answers)
    days answered as given, and a steady leg pain of 4."""
    client_id = await add_client(db, user, name=name, therapist_telegram_id=therapist_telegram_id)
    start = DEFAULT_NOW - timedelta(days=30)
    async with db.sessions.begin() as session:
        session.add(
            Prescription(
                client_id=client_id,
                exercise_slug="glute-bridge",
                dosage=dosage,
                times_per_day=1,
                days_mask=127,
                active_from=start,
                active_to=None,
                created_at=start,
            )
        )
        schedule = Schedule(
            client_id=client_id,
            kind=ScheduleKind.EXERCISE_REMINDER,
            local_times="08:00",
            timezone="Europe/London",
            created_at=start,
            updated_at=start,
        )
        session.add(schedule)
        await session.flush()
        today = DEFAULT_NOW.replace(hour=7, minute=0)  # 08:00 London
        for days_ago, (outcome, leg) in zip(range(len(answers), 0, -1), answers, strict=True):
            slot = today - timedelta(days=days_ago)
            delivery = Delivery(
                schedule_id=schedule.id,
                slot=slot,
                status=DeliveryStatus.SENT,
                claimed_at=slot,
                sent_at=slot,
            )
            session.add(delivery)
            await session.flush()
            session.add(
                ExerciseResponse(
                    client_id=client_id,
                    exercise_slug="glute-bridge",
                    delivery_id=delivery.id,
                    slot=slot,
                    outcome=outcome,
                    leg_response=leg,
                    recorded_at=slot,
                )
            )
        for days_ago in range(1, 22):
            session.add(
                PainEntry(
                    client_id=client_id,
                    day=date(2026, 6, 1) - timedelta(days=days_ago),
                    leg=4,
                    back=3,
                    created_at=DEFAULT_NOW,
                    updated_at=DEFAULT_NOW,
                )
            )
    return client_id
