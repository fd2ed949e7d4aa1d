"""Builders for scheduler tests: a therapist, clients with prescriptions, and their schedules."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, time

from sqlalchemy import insert, select

from bot.db.engine import Database
from bot.db.models import (
    Client,
    Delivery,
    Prescription,
    Schedule,
    ScheduleKind,
    Therapist,
)
from bot.services.schedules import (
    set_reminder_times,
    sync_client_schedules,
)

SETUP_TIME = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
_telegram_ids = itertools.count(500_001)


async def add_therapist(db: Database, *, telegram_id: int = 900_001) -> int:
    async with db.sessions.begin() as session:
        existing = (
            await session.execute(select(Therapist.id).where(Therapist.telegram_id == telegram_id))
        ).scalar_one_or_none()
        if existing is not None:
            return existing
        therapist = Therapist(
            telegram_id=telegram_id, timezone="Europe/London", created_at=SETUP_TIME
        )
        session.add(therapist)
        await session.flush()
        return therapist.id


async def add_client(
    db: Database,
    *,
    now: datetime,
    tz: str = "Europe/London",
    reminders: Sequence[time] = (time(9, 0),),
    exercises: Sequence[tuple[str, int]] = (("glute-bridge", 1),),
    telegram_id: int | None = None,
    quiet: tuple[time, time] | None = None,
    therapist_telegram_id: int = 900_001,
) -> int:
    """A consenting client with prescriptions (slug, times a day) and reminder times."""
    therapist_id = await add_therapist(db, telegram_id=therapist_telegram_id)
    async with db.sessions.begin() as session:
        client = Client(
            therapist_id=therapist_id,
            telegram_id=telegram_id if telegram_id is not None else next(_telegram_ids),
            display_name="Client",
            timezone=tz,
            consent_version="1",
            consent_at=SETUP_TIME,
            created_at=SETUP_TIME,
            quiet_start=quiet[0] if quiet else None,
            quiet_end=quiet[1] if quiet else None,
        )
        session.add(client)
        await session.flush()
        for slug, times_per_day in exercises:
            session.add(
                Prescription(
                    client_id=client.id,
                    exercise_slug=slug,
                    dosage="3 × 10 reps",
                    times_per_day=times_per_day,
                    active_from=SETUP_TIME,
                    created_at=SETUP_TIME,
                )
            )
        await session.flush()
        await sync_client_schedules(session, client_id=client.id, now=now)
        await set_reminder_times(session, client_id=client.id, times=reminders, now=now)
        return client.id


async def schedule_of(db: Database, client_id: int, kind: ScheduleKind) -> Schedule:
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(Schedule)
                .where(Schedule.client_id == client_id, Schedule.kind == kind, Schedule.active)
                .order_by(Schedule.local_times)
            )
        ).scalars()
        return next(iter(rows))


async def deliveries(db: Database) -> list[Delivery]:
    async with db.sessions() as session:
        return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())


async def add_due_clients(
    db: Database, *, count: int, slot: datetime, first_telegram_id: int
) -> list[int]:
    """`count` clients (Telegram ids from `first_telegram_id` on) whose one daily exercise
    reminder (glute bridge, London 09:00) is due at `slot`, inserted set-based so thousands
    take a moment. Returns their Telegram ids."""
    therapist_id = await add_therapist(db)
    chats = list(range(first_telegram_id, first_telegram_id + count))
    async with db.sessions.begin() as session:
        client_ids = (
            (
                await session.execute(
                    insert(Client).returning(Client.id, sort_by_parameter_order=True),
                    [
                        {
                            "therapist_id": therapist_id,
                            "telegram_id": chat,
                            "display_name": "Client",
                            "timezone": "Europe/London",
                            "consent_version": "1",
                            "consent_at": SETUP_TIME,
                            "created_at": SETUP_TIME,
                        }
                        for chat in chats
                    ],
                )
            )
            .scalars()
            .all()
        )
        await session.execute(
            insert(Prescription),
            [
                {
                    "client_id": client_id,
                    "exercise_slug": "glute-bridge",
                    "dosage": "3 × 10 reps",
                    "times_per_day": 1,
                    "days_mask": 127,
                    "active_from": SETUP_TIME,
                    "created_at": SETUP_TIME,
                }
                for client_id in client_ids
            ],
        )
        await session.execute(
            insert(Schedule),
            [
                {
                    "client_id": client_id,
                    "kind": ScheduleKind.EXERCISE_REMINDER,
                    "local_times": "09:00",
                    "days_mask": 127,
                    "timezone": "Europe/London",
                    "active": True,
                    "next_fire_at": slot,
                    "created_at": SETUP_TIME,
                    "updated_at": SETUP_TIME,
                }
                for client_id in client_ids
            ],
        )
    return chats
