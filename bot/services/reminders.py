"""What a client's press on an exercise reminder does: one outcome per slot, or a snooze.

Callback data is never trusted: every call re-checks that the delivery exists, is an exercise
reminder, and belongs to the client with the pressing Telegram id.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import exercise_responses
from bot.db import reminders as reminder_rows
from bot.db.clients import live_client
from bot.db.engine import Database
from bot.db.models import ClientStatus, ExerciseOutcome
from bot.services.exercise_response import leg_question_due

__all__ = [
    "SKIP_REASONS",
    "SNOOZE",
    "ExerciseOutcome",
    "PressResult",
    "PressVerdict",
    "TypedDone",
    "record_exercise_outcome",
    "record_typed_done",
    "snooze_reminder",
]

SKIP_REASONS = frozenset({"pain", "time", "forgot", "other"})
SNOOZE = timedelta(minutes=30)


class PressVerdict(enum.StrEnum):
    RECORDED = "recorded"
    SNOOZED = "snoozed"
    NOT_YOURS = "not_yours"
    UNKNOWN = "unknown"  # no such reminder (stale or forged id)


@dataclass(frozen=True)
class PressResult:
    verdict: PressVerdict
    delivery_id: int
    outcome: ExerciseOutcome | None = None
    skip_reason: str | None = None
    # Offer "How was your leg afterwards?" (after Done or Partly, on the asking schedule).
    ask_leg: bool = False


async def _owned_delivery(
    session: AsyncSession, *, telegram_id: int, delivery_id: int
) -> tuple[PressVerdict | None, int | None, datetime | None]:
    row = await reminder_rows.reminder_delivery(session, delivery_id)
    if row is None or row.status is ClientStatus.DELETED:
        return PressVerdict.UNKNOWN, None, None
    if row.telegram_id != telegram_id:
        return PressVerdict.NOT_YOURS, None, None
    return None, row.client_id, row.slot


async def record_exercise_outcome(
    db: Database,
    *,
    telegram_id: int,
    delivery_id: int,
    outcome: ExerciseOutcome,
    skip_reason: str | None,
    now: datetime,
) -> PressResult:
    """Record (or change) the outcome of this reminder's slot: one row per slot, ever."""
    if skip_reason is not None and (
        skip_reason not in SKIP_REASONS or outcome is not ExerciseOutcome.SKIPPED
    ):
        return PressResult(PressVerdict.UNKNOWN, delivery_id)
    async with db.sessions.begin() as session:
        refused, client_id, slot = await _owned_delivery(
            session, telegram_id=telegram_id, delivery_id=delivery_id
        )
        if refused is not None or client_id is None or slot is None:
            return PressResult(refused or PressVerdict.UNKNOWN, delivery_id)
        await reminder_rows.put_exercise_outcome(
            session,
            client_id=client_id,
            delivery_id=delivery_id,
            slot=slot,
            outcome=outcome,
            skip_reason=skip_reason,
            now=now,
        )
        # The same answer, per exercise the reminder named, in the exercise response record.
        reminder = await exercise_responses.reminder_session(session, delivery_id=delivery_id)
        ask_leg = False
        if reminder is not None:
            await exercise_responses.record_outcome(
                session, reminder=reminder, outcome=outcome, skip_reason=skip_reason, now=now
            )
            ask_leg = outcome is not ExerciseOutcome.SKIPPED and await leg_question_due(
                session, reminder=reminder
            )
        return PressResult(PressVerdict.RECORDED, delivery_id, outcome, skip_reason, ask_leg)


async def snooze_reminder(
    db: Database, *, telegram_id: int, delivery_id: int, now: datetime
) -> PressResult:
    """Send this reminder again in 30 minutes (the tick picks it up)."""
    async with db.sessions.begin() as session:
        refused, client_id, _ = await _owned_delivery(
            session, telegram_id=telegram_id, delivery_id=delivery_id
        )
        if refused is not None or client_id is None:
            return PressResult(refused or PressVerdict.UNKNOWN, delivery_id)
        await reminder_rows.snooze_delivery(session, delivery_id=delivery_id, until=now + SNOOZE)
        return PressResult(PressVerdict.SNOOZED, delivery_id)


@dataclass(frozen=True)
class TypedDone:
    """A client typed "done": which reminder it answered (its local time), if any."""

    is_client: bool
    recorded_at_slot: time | None = None


async def record_typed_done(db: Database, *, telegram_id: int, now: datetime) -> TypedDone:
    """Mark today's latest unanswered exercise reminder done, as the Done button would.

    Only a reminder sent today (the client's local day) and not answered yet counts: "done"
    typed the next morning is not taken as yesterday's exercises.
    """
    async with db.sessions() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return TypedDone(is_client=False)
        zone = ZoneInfo(client.timezone)
        today = now.astimezone(zone).date()
        # A local day is at most ~26 h long: older slots are never "today".
        candidates = await reminder_rows.unanswered_reminders(
            session, client_id=client.id, after=now - timedelta(hours=26), until=now
        )
    open_today = [row for row in candidates if row.slot.astimezone(zone).date() == today]
    if not open_today:
        return TypedDone(is_client=True)
    delivery_id, slot = open_today[0].id, open_today[0].slot
    result = await record_exercise_outcome(
        db,
        telegram_id=telegram_id,
        delivery_id=delivery_id,
        outcome=ExerciseOutcome.DONE,
        skip_reason=None,
        now=now,
    )
    if result.verdict is not PressVerdict.RECORDED:
        return TypedDone(is_client=True)
    return TypedDone(is_client=True, recorded_at_slot=slot.astimezone(zone).time())
