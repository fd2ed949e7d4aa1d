"""Recording how each exercise went, and the record's place in the client's and therapist's
exports.

Callback data is never trusted: an answer is recorded only for an exercise reminder of the
client with the pressing Telegram id, and only for exercises that reminder named. Erasure needs
nothing here: the rows go with the client (ON DELETE CASCADE).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import exercise_responses
from bot.db.engine import Database
from bot.db.exercise_responses import ReminderSession, ResponseRow
from bot.db.models import ExerciseOutcome, LegResponse
from bot.domain.exercise_response import should_ask_response

__all__ = [
    "AnswerResult",
    "AnswerVerdict",
    "LegResponse",
    "client_export_section",
    "leg_question_due",
    "name_worse_exercise",
    "record_leg_answer",
    "therapist_export_records",
]


class AnswerVerdict(enum.StrEnum):
    RECORDED = "recorded"
    NOT_YOURS = "not_yours"
    UNKNOWN = "unknown"  # no such reminder, or an exercise it did not name


@dataclass(frozen=True)
class AnswerResult:
    verdict: AnswerVerdict
    exercise_slugs: tuple[str, ...] = ()
    leg_response: LegResponse | None = None
    # What the client tapped on the reminder itself, so the reminder can keep showing it.
    outcome: ExerciseOutcome | None = None
    skip_reason: str | None = None
    # A Worse / Spread for a session of several exercises: ask which one.
    ask_which: bool = False


_WORSE = frozenset({LegResponse.WORSE, LegResponse.SPREAD})


async def leg_question_due(session: AsyncSession, *, reminder: ReminderSession) -> bool:
    """Whether this session's confirmation asks "How was your leg afterwards?": while any
    exercise it named is in its first 14 days on this dose, or unasked for a week."""
    states = await exercise_responses.leg_question_state(session, reminder=reminder)
    return any(
        should_ask_response(
            changed_at=state.prescribed_at,
            last_asked_at=state.last_answered_at,
            now=reminder.slot,
        )
        for state in states
    )


async def _owned(
    session: AsyncSession, *, telegram_id: int, delivery_id: int
) -> tuple[ReminderSession | None, AnswerResult | None]:
    reminder = await exercise_responses.reminder_session(session, delivery_id=delivery_id)
    if reminder is None:
        return None, AnswerResult(AnswerVerdict.UNKNOWN)
    if reminder.client_telegram_id != telegram_id:
        return None, AnswerResult(AnswerVerdict.NOT_YOURS)
    return reminder, None


async def record_leg_answer(
    db: Database,
    *,
    telegram_id: int,
    delivery_id: int,
    leg_response: LegResponse,
    exercise_slug: str | None,
    now: datetime,
) -> AnswerResult:
    """Record "How was your leg afterwards?" for one exercise of the reminder, or for all of
    them (`exercise_slug` None: the once-per-session question of a multi-exercise reminder)."""
    async with db.sessions.begin() as session:
        reminder, refused = await _owned(session, telegram_id=telegram_id, delivery_id=delivery_id)
        if reminder is None:
            return refused or AnswerResult(AnswerVerdict.UNKNOWN)
        if exercise_slug is None:
            slugs = reminder.exercise_slugs
        elif exercise_slug in reminder.exercise_slugs:
            slugs = (exercise_slug,)
        else:
            slugs = ()
        if not slugs:
            return AnswerResult(AnswerVerdict.UNKNOWN)
        await exercise_responses.record_leg_response(
            session, reminder=reminder, exercise_slugs=slugs, leg_response=leg_response, now=now
        )
        outcome, reason = await exercise_responses.session_answer(session, reminder=reminder)
        return AnswerResult(
            AnswerVerdict.RECORDED,
            slugs,
            leg_response,
            outcome,
            reason,
            ask_which=leg_response in _WORSE and len(slugs) > 1,
        )


async def name_worse_exercise(
    db: Database,
    *,
    telegram_id: int,
    delivery_id: int,
    exercise_slug: str | None,
    now: datetime,
) -> AnswerResult:
    """After "Worse" for a whole session: the exercise the client says it was keeps the answer,
    the others lose it (they were not the cause). None ("not sure") keeps it for all."""
    async with db.sessions.begin() as session:
        reminder, refused = await _owned(session, telegram_id=telegram_id, delivery_id=delivery_id)
        if reminder is None:
            return refused or AnswerResult(AnswerVerdict.UNKNOWN)
        if exercise_slug is not None and exercise_slug not in reminder.exercise_slugs:
            return AnswerResult(AnswerVerdict.UNKNOWN)
        if exercise_slug is not None:
            others = [s for s in reminder.exercise_slugs if s != exercise_slug]
            await exercise_responses.clear_leg_response(
                session, reminder=reminder, exercise_slugs=others, now=now
            )
        outcome, reason = await exercise_responses.session_answer(session, reminder=reminder)
        slugs = (exercise_slug,) if exercise_slug is not None else reminder.exercise_slugs
        return AnswerResult(AnswerVerdict.RECORDED, slugs, None, outcome, reason)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


async def client_export_section(session: AsyncSession, *, client_id: int) -> list[dict[str, Any]]:
    """The client's exercise responses for their own export (one dict per row, every column)."""
    rows = await exercise_responses.rows_of_client(session, client_id=client_id)
    return [
        {column.key: _plain(getattr(row, column.key)) for column in row.__table__.columns}
        for row in rows
    ]


def therapist_export_records(
    rows: Sequence[ResponseRow], *, zone: ZoneInfo
) -> list[dict[str, str]]:
    """One CSV record per exercise session, dated on the client's own calendar."""
    return [
        {
            "record": "exercise_response",
            "date": row.slot.astimezone(zone).date().isoformat(),
            "exercise": row.exercise_slug,
            "outcome": row.outcome.value if row.outcome is not None else "",
            "skip_reason": row.skip_reason or "",
            "leg_response": row.leg_response.value if row.leg_response is not None else "",
        }
        for row in rows
    ]
