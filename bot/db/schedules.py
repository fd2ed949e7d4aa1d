"""Schedule rows: read and written for `bot.services.schedules` (the scheduler claims them in
`scheduler.claiming`, with its own hot-path statements)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutcomeMeasure, PainEntry, Schedule, ScheduleKind

# Built once: every check-in reads the client's schedules (`skip_answered_prompts`).
_CLIENT_SCHEDULES = (
    select(Schedule).where(Schedule.client_id == bindparam("client_id")).order_by(Schedule.id)
)


async def client_schedules(session: AsyncSession, client_id: int) -> list[Schedule]:
    """Every schedule row of the client (active or not), oldest first."""
    result = await session.execute(_CLIENT_SCHEDULES, {"client_id": client_id})
    return list(result.scalars())


async def prompts_answered(
    session: AsyncSession, *, client_id: int, day: date, week_start: date
) -> tuple[bool, bool]:
    """Whether the client has checked in for `day`, and answered the weekly questionnaire of
    the week starting `week_start`."""
    checked_in = (
        await session.execute(
            select(PainEntry.id).where(PainEntry.client_id == client_id, PainEntry.day == day)
        )
    ).first() is not None
    weekly_done = (
        await session.execute(
            select(OutcomeMeasure.id).where(
                OutcomeMeasure.client_id == client_id, OutcomeMeasure.period_start == week_start
            )
        )
    ).first() is not None
    return checked_in, weekly_done


async def stop_firing(session: AsyncSession, *, client_id: int, now: datetime) -> None:
    """No row of this client fires any more (`next_fire_at` NULL)."""
    await session.execute(
        update(Schedule)
        .where(Schedule.client_id == client_id)
        .values(next_fire_at=None, updated_at=now)
    )


async def therapist_summary_schedule(session: AsyncSession, therapist_id: int) -> Schedule | None:
    return (
        await session.execute(
            select(Schedule).where(
                Schedule.therapist_id == therapist_id,
                Schedule.kind == ScheduleKind.THERAPIST_SUMMARY,
            )
        )
    ).scalar_one_or_none()


async def insert_schedules(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany INSERT of the table, not the ORM entity: no per-row ORM bookkeeping."""
    await session.execute(insert(cast(Table, Schedule.__table__)), list(rows))
