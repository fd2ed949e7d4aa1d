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
from bot.db.exercise_responses import ResponseRow
from bot.db.models import LegResponse

__all__ = [
    "AnswerResult",
    "AnswerVerdict",
    "LegResponse",
    "client_export_section",
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
        reminder = await exercise_responses.reminder_session(session, delivery_id=delivery_id)
        if reminder is None:
            return AnswerResult(AnswerVerdict.UNKNOWN)
        if reminder.client_telegram_id != telegram_id:
            return AnswerResult(AnswerVerdict.NOT_YOURS)
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
        return AnswerResult(AnswerVerdict.RECORDED, slugs, leg_response)


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
