"""The database keeps what the product promises: UTC times, one delivery per slot, erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.models import (
    Audit,
    Client,
    Delivery,
    PainEntry,
    Schedule,
    ScheduleKind,
    Therapist,
)

NOW = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


async def _client(db: Database) -> tuple[int, int]:
    async with db.sessions.begin() as session:
        therapist = Therapist(telegram_id=1, timezone="Europe/London", created_at=NOW)
        session.add(therapist)
        await session.flush()
        client = Client(
            therapist_id=therapist.id,
            telegram_id=1001,
            display_name="Client",
            timezone="Europe/London",
            consent_version="1",
            consent_at=NOW,
            created_at=NOW,
        )
        session.add(client)
        await session.flush()
        return therapist.id, client.id


async def _schedule(db: Database, client_id: int) -> int:
    async with db.sessions.begin() as session:
        schedule = Schedule(
            client_id=client_id,
            kind=ScheduleKind.CHECKIN,
            local_times="09:00",
            timezone="Europe/London",
            next_fire_at=NOW,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(schedule)
        await session.flush()
        return schedule.id


async def test_timestamps_come_back_as_aware_utc(db: Database) -> None:
    _, client_id = await _client(db)
    paris = timezone(timedelta(hours=2))
    await _schedule(db, client_id)
    async with db.sessions.begin() as session:
        schedule = (await session.execute(select(Schedule))).scalar_one()
        schedule.next_fire_at = datetime(2026, 6, 1, 11, 0, tzinfo=paris)
    async with db.sessions() as session:
        stored = (await session.execute(select(Schedule.next_fire_at))).scalar_one()
    assert stored == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert stored is not None and stored.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(db: Database) -> None:
    _, client_id = await _client(db)
    schedule_id = await _schedule(db, client_id)
    async with db.sessions() as session:
        schedule = await session.get_one(Schedule, schedule_id)
        schedule.next_fire_at = datetime(2026, 6, 1, 9, 0)  # noqa: DTZ001
        with pytest.raises(Exception, match="naive datetime"):
            await session.commit()


async def test_a_slot_can_be_claimed_only_once(db: Database) -> None:
    _, client_id = await _client(db)
    schedule_id = await _schedule(db, client_id)
    async with db.sessions.begin() as session:
        session.add(Delivery(schedule_id=schedule_id, slot=NOW, claimed_at=NOW))
    with pytest.raises(IntegrityError):
        async with db.sessions.begin() as session:
            session.add(Delivery(schedule_id=schedule_id, slot=NOW, claimed_at=NOW))


async def test_pain_scores_outside_zero_to_ten_are_refused(db: Database) -> None:
    _, client_id = await _client(db)
    with pytest.raises(IntegrityError):
        async with db.sessions.begin() as session:
            session.add(
                PainEntry(
                    client_id=client_id,
                    day=date(2026, 3, 29),
                    leg=11,
                    back=2,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )


async def test_erasing_a_client_removes_their_health_data_but_keeps_the_audit_line(
    db: Database,
) -> None:
    _, client_id = await _client(db)
    await _schedule(db, client_id)
    async with db.sessions.begin() as session:
        session.add(
            PainEntry(
                client_id=client_id,
                day=date(2026, 3, 29),
                leg=6,
                back=3,
                note="private",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.add(
            Audit(
                actor_telegram_id=1001, action="client_deleted", subject_client_id=client_id, at=NOW
            )
        )
    async with db.sessions.begin() as session:
        await session.execute(text("DELETE FROM client WHERE id = :id"), {"id": client_id})
    async with db.sessions() as session:
        pain_rows = (await session.execute(select(func.count()).select_from(PainEntry))).scalar()
        schedules = (await session.execute(select(func.count()).select_from(Schedule))).scalar()
        audits = (await session.execute(select(Audit.action))).scalars().all()
    assert pain_rows == 0
    assert schedules == 0
    assert audits == ["client_deleted"]


async def test_sqlite_connections_use_wal_and_wait_for_locks(sqlite_db: Database) -> None:
    async with sqlite_db.engine.connect() as connection:
        journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        busy = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
        foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        synchronous = (await connection.exec_driver_sql("PRAGMA synchronous")).scalar()
    assert journal == "wal"
    assert isinstance(busy, int) and busy >= 5000
    assert foreign_keys == 1
    assert synchronous == 1  # NORMAL
