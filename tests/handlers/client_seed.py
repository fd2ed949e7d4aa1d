"""Clients as onboarding leaves them, written straight to the database for journey tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Client,
    Delivery,
    DeliveryStatus,
    ExerciseLog,
    ExerciseOutcome,
    PainEntry,
    Prescription,
    Schedule,
    ScheduleKind,
    Therapist,
)
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.support.telegram_payloads import TgUser


async def add_client(
    db: Database,
    user: TgUser,
    *,
    name: str = "Alice Example",
    timezone: str = "Europe/London",
    therapist_telegram_id: int = THERAPIST_ID,
) -> int:
    """A consented, active client of the therapist with `therapist_telegram_id`; returns its id."""
    async with db.sessions.begin() as session:
        therapist_id = (
            await session.execute(
                select(Therapist.id).where(Therapist.telegram_id == therapist_telegram_id)
            )
        ).scalar_one_or_none()
        if therapist_id is None:
            therapist = Therapist(
                telegram_id=therapist_telegram_id,
                display_name="Terry",
                practice_name="Back in Balance Clinic",
                timezone="Europe/London",
                created_at=DEFAULT_NOW,
            )
            session.add(therapist)
            await session.flush()
            therapist_id = therapist.id
        client = Client(
            therapist_id=therapist_id,
            telegram_id=user.id,
            display_name=name,
            timezone=timezone,
            consent_version="1",
            consent_at=DEFAULT_NOW - timedelta(days=60),
            created_at=DEFAULT_NOW - timedelta(days=60),
        )
        session.add(client)
        await session.flush()
        return client.id


async def add_pain_entries(
    db: Database, client_id: int, entries: Iterable[tuple[date, int, int]]
) -> None:
    async with db.sessions.begin() as session:
        for day, leg, back in entries:
            session.add(
                PainEntry(
                    client_id=client_id,
                    day=day,
                    leg=leg,
                    back=back,
                    created_at=DEFAULT_NOW,
                    updated_at=DEFAULT_NOW,
                )
            )


async def add_exercise_slots(
    db: Database,
    client_id: int,
    slots: Iterable[tuple[datetime, ExerciseOutcome | None]],
    *,
    skip_reason: str | None = None,
) -> None:
    """Exercise-reminder deliveries at `slots`, each answered with its outcome (None: silence)."""
    async with db.sessions.begin() as session:
        schedule = Schedule(
            client_id=client_id,
            kind=ScheduleKind.EXERCISE_REMINDER,
            local_times="08:00",
            timezone="Europe/London",
            created_at=DEFAULT_NOW,
            updated_at=DEFAULT_NOW,
        )
        session.add(schedule)
        await session.flush()
        for slot, outcome in slots:
            delivery = Delivery(
                schedule_id=schedule.id,
                slot=slot,
                status=DeliveryStatus.SENT,
                claimed_at=slot,
                sent_at=slot,
            )
            session.add(delivery)
            await session.flush()
            if outcome is not None:
                session.add(
                    ExerciseLog(
                        client_id=client_id,
                        delivery_id=delivery.id,
                        slot=slot,
                        outcome=outcome,
                        skip_reason=skip_reason if outcome is ExerciseOutcome.SKIPPED else None,
                        logged_at=slot,
                    )
                )


async def pain_rows(db: Database, client_id: int) -> list[tuple[date, int, int, str | None]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(PainEntry.day, PainEntry.leg, PainEntry.back, PainEntry.note)
            .where(PainEntry.client_id == client_id)
            .order_by(PainEntry.day)
        )
        return [(row.day, row.leg, row.back, row.note) for row in rows]


async def add_prescription(
    db: Database, client_id: int, slug: str = "glute-bridge", *, times_per_day: int = 1
) -> None:
    """An active prescription line (no schedule change: tests that tick add their own rows)."""
    async with db.sessions.begin() as session:
        session.add(
            Prescription(
                client_id=client_id,
                exercise_slug=slug,
                dosage="2 × 10 reps",
                times_per_day=times_per_day,
                days_mask=127,
                active_from=DEFAULT_NOW - timedelta(days=60),
                created_at=DEFAULT_NOW - timedelta(days=60),
            )
        )
