"""Exercise-reminder deliveries and the client's answers to them (`exercise_log`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Row, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import insert_for
from bot.db.models import (
    Client,
    ClientStatus,
    Delivery,
    DeliveryStatus,
    ExerciseLog,
    ExerciseOutcome,
    Schedule,
    ScheduleKind,
)


async def reminder_delivery(
    session: AsyncSession, delivery_id: int
) -> Row[datetime, int | None, int, ClientStatus] | None:
    """(slot, client_id, client's telegram_id, client status) of an exercise-reminder delivery."""
    return (
        await session.execute(
            select(Delivery.slot, Schedule.client_id, Client.telegram_id, Client.status)
            .join(Schedule, Schedule.id == Delivery.schedule_id)
            .join(Client, Client.id == Schedule.client_id)
            .where(Delivery.id == delivery_id, Schedule.kind == ScheduleKind.EXERCISE_REMINDER)
        )
    ).one_or_none()


async def put_exercise_outcome(
    session: AsyncSession,
    *,
    client_id: int,
    delivery_id: int,
    slot: datetime,
    outcome: ExerciseOutcome,
    skip_reason: str | None,
    now: datetime,
) -> None:
    """One row per reminder slot, ever: a second answer replaces the first."""
    statement = insert_for(session, ExerciseLog).values(
        client_id=client_id,
        delivery_id=delivery_id,
        slot=slot,
        outcome=outcome,
        skip_reason=skip_reason,
        logged_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["client_id", "delivery_id"],
            set_={"outcome": outcome, "skip_reason": skip_reason, "logged_at": now},
        )
    )


async def snooze_delivery(session: AsyncSession, *, delivery_id: int, until: datetime) -> None:
    await session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(snoozed_until=until)
    )


async def unanswered_reminders(
    session: AsyncSession, *, client_id: int, after: datetime, until: datetime
) -> list[Row[int, datetime]]:
    """(delivery id, slot) of the client's sent, unanswered exercise reminders with slots in
    (`after`, `until`], latest first."""
    return list(
        (
            await session.execute(
                select(Delivery.id, Delivery.slot)
                .join(Schedule, Schedule.id == Delivery.schedule_id)
                .where(
                    Schedule.client_id == client_id,
                    Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
                    Delivery.status == DeliveryStatus.SENT,
                    Delivery.slot > after,
                    Delivery.slot <= until,
                    ~exists().where(ExerciseLog.delivery_id == Delivery.id),
                )
                .order_by(Delivery.slot.desc())
            )
        ).all()
    )


async def delivery_statuses(
    session: AsyncSession, delivery_ids: Collection[int]
) -> dict[int, DeliveryStatus]:
    """How each of these deliveries stands now."""
    rows = await session.execute(
        select(Delivery.id, Delivery.status).where(Delivery.id.in_(list(delivery_ids)))
    )
    return {row.id: row.status for row in rows}
