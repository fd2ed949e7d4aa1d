"""Bulk import of schedules: each row fires at its own next local slot, as one made by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlalchemy import func, select, update

from bot.db.engine import Database
from bot.db.models import Client, ClientStatus, Schedule, ScheduleKind
from bot.services.schedules import (
    ALL_DAYS,
    ScheduleError,
    ScheduleImport,
    import_schedules,
)
from tests.scheduling import add_client

# Monday 1 June 2026, 07:00 UTC = 08:00 in London (BST), 17:00 in Sydney (AEST).
NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


def _reminder(
    client_id: int, at: time, tz: str = "Europe/London", days: int = ALL_DAYS
) -> ScheduleImport:
    return ScheduleImport(
        kind=ScheduleKind.EXERCISE_REMINDER,
        local_times=(at,),
        timezone=tz,
        days_mask=days,
        client_id=client_id,
    )


async def _fires(db: Database) -> dict[tuple[int | None, str, str], datetime | None]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(
                Schedule.client_id, Schedule.local_times, Schedule.timezone, Schedule.next_fire_at
            ).where(Schedule.kind == ScheduleKind.EXERCISE_REMINDER)
        )
        return {(r.client_id, r.local_times, r.timezone): r.next_fire_at for r in rows}


async def test_imported_reminders_fire_at_each_clients_next_local_time(db: Database) -> None:
    london = await add_client(db, now=NOW, reminders=(time(21, 45),))
    sydney = await add_client(db, now=NOW, reminders=(time(21, 45),), tz="Australia/Sydney")
    async with db.sessions.begin() as session:
        count = await import_schedules(
            session,
            [
                _reminder(london, time(9, 0)),
                _reminder(london, time(7, 30)),
                _reminder(sydney, time(9, 0), "Australia/Sydney"),
                _reminder(sydney, time(10, 0), "Australia/Sydney", days=1 << 6),  # Sundays
            ],
            now=NOW,
        )

    fires = await _fires(db)
    assert count == 4
    assert fires[(london, "09:00", "Europe/London")] == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    # 07:30 London has passed at 08:00 local: tomorrow's.
    assert fires[(london, "07:30", "Europe/London")] == datetime(2026, 6, 2, 6, 30, tzinfo=UTC)
    # Sydney is at 17:00 on Monday: the daily 09:00 fires Tuesday 09:00 AEST (23:00 UTC
    # Monday), the Sunday-only 10:00 on Sunday 7 June (00:00 UTC that day).
    assert fires[(sydney, "09:00", "Australia/Sydney")] == datetime(2026, 6, 1, 23, tzinfo=UTC)
    assert fires[(sydney, "10:00", "Australia/Sydney")] == datetime(2026, 6, 7, 0, tzinfo=UTC)


async def test_an_imported_reminder_fires_when_one_set_by_hand_would(db: Database) -> None:
    by_hand = await add_client(db, now=NOW, reminders=(time(18, 15),))  # the reminders flow
    imported = await add_client(db, now=NOW, reminders=(time(21, 45),))
    async with db.sessions.begin() as session:
        await import_schedules(session, [_reminder(imported, time(18, 15))], now=NOW)

    fires = await _fires(db)
    assert fires[(imported, "18:15", "Europe/London")] == fires[(by_hand, "18:15", "Europe/London")]


async def test_a_paused_clients_imported_reminders_do_not_fire(db: Database) -> None:
    paused = await add_client(db, now=NOW, reminders=(time(21, 45),))
    async with db.sessions.begin() as session:
        await session.execute(
            update(Client).where(Client.id == paused).values(status=ClientStatus.PAUSED)
        )
        await import_schedules(session, [_reminder(paused, time(12, 0))], now=NOW)

    assert (await _fires(db))[(paused, "12:00", "Europe/London")] is None


@pytest.mark.parametrize(
    "row",
    [
        _reminder(1, time(9, 0), tz="Mars/Olympus_Mons"),
        ScheduleImport(
            kind=ScheduleKind.EXERCISE_REMINDER, local_times=(time(9, 0),), timezone="UTC"
        ),
    ],
    ids=["unknown zone", "no owner"],
)
async def test_a_bad_row_stops_the_import_before_anything_is_written(
    db: Database, row: ScheduleImport
) -> None:
    client_id = await add_client(db, now=NOW, reminders=(time(21, 45),))
    async with db.sessions() as session:
        before = (await session.execute(select(func.count()).select_from(Schedule))).scalar_one()
    with pytest.raises(ScheduleError):
        async with db.sessions.begin() as session:
            await import_schedules(session, [_reminder(client_id, time(9, 0)), row], now=NOW)

    async with db.sessions() as session:
        after = (await session.execute(select(func.count()).select_from(Schedule))).scalar_one()
    assert after == before
