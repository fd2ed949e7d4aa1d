"""Queries for the exports (the client's own and the therapist's): one set-based query per kind.

Each returns plain rows in the order the spreadsheet lists them; the services date and word
them (bot.services.client_export_sheets, bot.services.therapist_export).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Delivery,
    DeliveryStatus,
    ExerciseLog,
    OutcomeMeasure,
    PainEntry,
    Schedule,
    ScheduleKind,
)
from bot.db.reports import ClientIds


@dataclass(frozen=True, slots=True)
class PainExportRow:
    client_id: int
    day: date
    leg: int
    back: int
    note: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QuestionnaireRow:
    client_id: int
    week_start: date
    items: dict[str, Any]
    total: int
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class ReminderAnswerRow:
    client_id: int
    slot: datetime
    # "done" / "partly" / "skipped"; None: no answer; "missed": not sent (the bot was down).
    answer: str | None
    skip_reason: str | None


async def pain_entries(session: AsyncSession, *, clients: ClientIds) -> list[PainExportRow]:
    rows = await session.execute(
        select(
            PainEntry.client_id,
            PainEntry.day,
            PainEntry.leg,
            PainEntry.back,
            PainEntry.note,
            PainEntry.created_at,
        )
        .where(PainEntry.client_id.in_(clients))
        .order_by(PainEntry.client_id, PainEntry.day)
    )
    return [PainExportRow(*row) for row in rows]


async def questionnaires(session: AsyncSession, *, clients: ClientIds) -> list[QuestionnaireRow]:
    rows = await session.execute(
        select(
            OutcomeMeasure.client_id,
            OutcomeMeasure.period_start,
            OutcomeMeasure.items,
            OutcomeMeasure.total,
            OutcomeMeasure.recorded_at,
        )
        .where(OutcomeMeasure.client_id.in_(clients))
        .order_by(OutcomeMeasure.client_id, OutcomeMeasure.period_start)
    )
    return [QuestionnaireRow(c, w, dict(i), t, r) for c, w, i, t, r in rows]


async def reminder_answers(
    session: AsyncSession, *, clients: ClientIds, until: datetime
) -> list[ReminderAnswerRow]:
    """Every exercise reminder slot up to `until` that was sent or missed, with its answer."""
    rows = await session.execute(
        select(
            Schedule.client_id,
            Delivery.slot,
            Delivery.status,
            ExerciseLog.outcome,
            ExerciseLog.skip_reason,
        )
        .join(Delivery, Delivery.schedule_id == Schedule.id)
        .outerjoin(ExerciseLog, ExerciseLog.delivery_id == Delivery.id)
        .where(
            Schedule.client_id.in_(clients),
            Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
            Delivery.status.in_([DeliveryStatus.SENT, DeliveryStatus.MISSED]),
            Delivery.slot <= until,
        )
        .order_by(Schedule.client_id, Delivery.slot)
    )
    result: list[ReminderAnswerRow] = []
    for client_id, slot, status, outcome, reason in rows:
        if client_id is None:
            continue
        answer = (
            outcome.value
            if outcome is not None
            else ("missed" if status is DeliveryStatus.MISSED else None)
        )
        result.append(ReminderAnswerRow(client_id, slot, answer, reason))
    return result
