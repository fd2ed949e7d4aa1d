"""The check-in's own statements: a button press and every replayed check-in run these.

Plain Core statements built once (no ORM loads or flushes): a check-in is one transaction of
a handful of statements — the client with their open daily and weekly prompts, the pain
history (`bot.db.reports.client_pain`), the entry, the "next text is the note" marker — and,
on the day's first check-in before its prompt, moving that prompt on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.clients import live_client_where
from bot.db.dialect import dialect_name
from bot.db.models import (
    Client,
    ClientStatus,
    OutcomeMeasure,
    PendingInput,
    Schedule,
    ScheduleKind,
)

# The prompts an answer can make redundant (`bot.services.checkin`): today's check-in prompt
# and this week's questionnaire.
PROMPT_KINDS = (ScheduleKind.CHECKIN, ScheduleKind.WEEKLY_SBI)


@dataclass(frozen=True, slots=True)
class PromptRow:
    """A daily check-in or weekly questionnaire schedule that is due to fire."""

    id: int
    kind: ScheduleKind
    local_times: str
    days_mask: int
    timezone: str
    next_fire_at: datetime


@dataclass(frozen=True, slots=True)
class CheckinClient:
    """The client checking in, with their prompts that are due to fire (see `PROMPT_KINDS`)."""

    id: int
    status: ClientStatus
    timezone: str
    prompts: tuple[PromptRow, ...]


def _checkin_client(*, lock: bool) -> Any:
    query = (
        select(
            Client.id,
            Client.status,
            Client.timezone,
            Schedule.id.label("schedule_id"),
            Schedule.kind,
            Schedule.local_times,
            Schedule.days_mask,
            Schedule.timezone.label("schedule_timezone"),
            Schedule.next_fire_at,
        )
        .outerjoin(
            Schedule,
            and_(
                Schedule.client_id == Client.id,
                Schedule.kind.in_(PROMPT_KINDS),
                Schedule.next_fire_at.is_not(None),
            ),
        )
        .where(live_client_where(bindparam("telegram_id")))
        .order_by(Schedule.id)
    )
    # PostgreSQL: two instances handling the same double tap serialise on the client's row
    # (SQLite already serialises writers with BEGIN IMMEDIATE).
    return query.with_for_update(of=Client) if lock else query


_CHECKIN_CLIENT = {True: _checkin_client(lock=True), False: _checkin_client(lock=False)}


async def checkin_client(
    session: AsyncSession, telegram_id: int, *, lock: bool = True
) -> CheckinClient | None:
    """The live client using this Telegram account and their due prompts, in one statement."""
    connection = await session.connection()
    rows = (await connection.execute(_CHECKIN_CLIENT[lock], {"telegram_id": telegram_id})).all()
    if not rows:
        return None
    first = rows[0]
    prompts = tuple(
        PromptRow(
            id=r.schedule_id,
            kind=r.kind,
            local_times=r.local_times,
            days_mask=r.days_mask,
            timezone=r.schedule_timezone,
            next_fire_at=r.next_fire_at,
        )
        for r in rows
        if r.schedule_id is not None
    )
    return CheckinClient(first.id, first.status, first.timezone, prompts)


_WEEKLY_TAKEN = select(
    exists().where(
        OutcomeMeasure.client_id == bindparam("client_id"),
        OutcomeMeasure.period_start == bindparam("week"),
    )
)


async def weekly_measure_taken(session: AsyncSession, *, client_id: int, week: date) -> bool:
    """The client has answered the weekly questionnaire for the week starting `week`."""
    connection = await session.connection()
    result = await connection.execute(_WEEKLY_TAKEN, {"client_id": client_id, "week": week})
    return bool(result.scalar())


_MOVE_PROMPT = (
    update(Schedule)
    .where(Schedule.id == bindparam("schedule_id"))
    .values(next_fire_at=bindparam("next_fire_at"), updated_at=bindparam("now"))
)


async def move_prompt(
    session: AsyncSession, *, schedule_id: int, next_fire_at: datetime | None, now: datetime
) -> None:
    """An answered prompt fires next at `next_fire_at` (None: never)."""
    connection = await session.connection()
    await connection.execute(
        _MOVE_PROMPT, {"schedule_id": schedule_id, "next_fire_at": next_fire_at, "now": now}
    )


def _expect_text_statement(dialect: Any) -> Any:
    """INSERT … ON CONFLICT (telegram_id) DO UPDATE: a user's next text means one thing."""
    stmt = dialect.insert(PendingInput)
    return stmt.on_conflict_do_update(
        index_elements=[PendingInput.telegram_id],
        set_={
            "kind": stmt.excluded.kind,
            "payload": stmt.excluded.payload,
            "expires_at": stmt.excluded.expires_at,
        },
    )


# Built once per dialect: every check-in runs it.
_EXPECT_TEXT = {
    "sqlite": _expect_text_statement(sqlite),
    "postgresql": _expect_text_statement(postgresql),
}


async def expect_text(
    session: AsyncSession,
    *,
    telegram_id: int,
    kind: str,
    payload: dict[str, Any],
    expires_at: datetime,
) -> None:
    """The user's next typed text is taken as `kind` (until `expires_at`)."""
    connection = await session.connection()
    await connection.execute(
        _EXPECT_TEXT[dialect_name(session)],
        {"telegram_id": telegram_id, "kind": kind, "payload": payload, "expires_at": expires_at},
    )
