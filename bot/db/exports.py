"""Queries for the exports (the client's own and the therapist's): one set-based query per kind.

Each returns plain rows in the order the spreadsheet lists them; the services date and word
them (bot.services.client_export_sheets, bot.services.therapist_export).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from bot.db.models import (
    Alert,
    Audit,
    Client,
    Delivery,
    DeliveryStatus,
    ExerciseLog,
    ForwardedQuestion,
    Invite,
    MessageRelay,
    OutcomeMeasure,
    PainEntry,
    PendingInput,
    Prescription,
    RedFlagEvent,
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


async def people(session: AsyncSession, *, clients: ClientIds) -> list[Row[int, str, str]]:
    """(id, display_name, timezone) of `clients`, by name."""
    rows = await session.execute(
        select(Client.id, Client.display_name, Client.timezone)
        .where(Client.id.in_(clients))
        .order_by(Client.display_name, Client.id)
    )
    return list(rows.all())


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | str | float):
        return value.value
    return value


def row_dict(row: DeclarativeBase) -> dict[str, Any]:
    """Every column of a row, as JSON-ready values (dates ISO, enums their values)."""
    return {column.key: _plain(getattr(row, column.key)) for column in row.__table__.columns}


async def _rows(session: AsyncSession, model: type[Any], *where: Any) -> list[dict[str, Any]]:
    order = model.__table__.primary_key.columns.values()
    result = await session.execute(select(model).where(*where).order_by(*order))
    return [row_dict(row) for row in result.scalars()]


async def client_record(
    session: AsyncSession,
    *,
    client: Client,
    telegram_id: int,
    exercise_responses: list[dict[str, Any]],
) -> dict[str, Any]:
    """Every row that names the client, by section, for their copy of their data
    (`exercise_responses`, built by its own service, takes its place after the logs)."""
    schedule_ids = select(Schedule.id).where(Schedule.client_id == client.id)
    return {
        "profile": row_dict(client),
        "prescriptions": await _rows(session, Prescription, Prescription.client_id == client.id),
        "schedules": await _rows(session, Schedule, Schedule.client_id == client.id),
        "reminders_sent": await _rows(session, Delivery, Delivery.schedule_id.in_(schedule_ids)),
        "exercise_logs": await _rows(session, ExerciseLog, ExerciseLog.client_id == client.id),
        "exercise_responses": exercise_responses,
        "pain_entries": await _rows(session, PainEntry, PainEntry.client_id == client.id),
        "questionnaires": await _rows(
            session, OutcomeMeasure, OutcomeMeasure.client_id == client.id
        ),
        "red_flag_events": await _rows(session, RedFlagEvent, RedFlagEvent.client_id == client.id),
        "alerts": await _rows(session, Alert, Alert.client_id == client.id),
        "relayed_messages": await _rows(session, MessageRelay, MessageRelay.client_id == client.id),
        "forwarded_questions": await _rows(
            session, ForwardedQuestion, ForwardedQuestion.client_id == client.id
        ),
        "invites": await _rows(session, Invite, Invite.client_id == client.id),
        "unfinished_answers": await _rows(
            session, PendingInput, PendingInput.telegram_id == telegram_id
        ),
        # Who looked at or exported their records (ids and actions only).
        "access_log": await _rows(session, Audit, Audit.subject_client_id == client.id),
    }
