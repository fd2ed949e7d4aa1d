"""The check-in's own statements: a button press and every replayed check-in run these.

Plain Core statements built once, on the transaction's connection (no ORM session, loads or
flushes): a check-in is one transaction of four statements — the client with their open daily
and weekly prompts, the pain history, the entry, the "next text is the note" marker — and, on
the day's first check-in before its prompt, moving that prompt on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.clients import live_client_where
from bot.db.models import (
    Client,
    ClientStatus,
    OutcomeMeasure,
    PainEntry,
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
    connection: AsyncConnection, telegram_id: int, *, lock: bool = True
) -> CheckinClient | None:
    """The live client using this Telegram account and their due prompts, in one statement."""
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


async def weekly_measure_taken(connection: AsyncConnection, *, client_id: int, week: date) -> bool:
    """The client has answered the weekly questionnaire for the week starting `week`."""
    result = await connection.execute(_WEEKLY_TAKEN, {"client_id": client_id, "week": week})
    return bool(result.scalar())


_MOVE_PROMPT = (
    update(Schedule)
    .where(Schedule.id == bindparam("schedule_id"))
    .values(next_fire_at=bindparam("next_fire_at"), updated_at=bindparam("now"))
)


async def move_prompt(
    connection: AsyncConnection, *, schedule_id: int, next_fire_at: datetime | None, now: datetime
) -> None:
    """An answered prompt fires next at `next_fire_at` (None: never)."""
    await connection.execute(
        _MOVE_PROMPT, {"schedule_id": schedule_id, "next_fire_at": next_fire_at, "now": now}
    )


@dataclass(frozen=True, slots=True)
class PainEntryRow:
    id: int
    day: date
    leg: int
    back: int


_CLIENT_PAIN = select(PainEntry.id, PainEntry.day, PainEntry.leg, PainEntry.back).where(
    PainEntry.client_id == bindparam("client_id"),
    PainEntry.day >= bindparam("since"),
    PainEntry.day <= bindparam("until"),
)


async def client_pain(
    connection: AsyncConnection, *, client_id: int, since: date, until: date
) -> list[PainEntryRow]:
    """One client's pain entries dated `since`..`until`."""
    rows = await connection.execute(
        _CLIENT_PAIN, {"client_id": client_id, "since": since, "until": until}
    )
    return [PainEntryRow(i, d, leg, back) for i, d, leg, back in rows]


_ADD_PAIN_ENTRY = insert(PainEntry).returning(PainEntry.id)


async def add_pain_entry(
    connection: AsyncConnection, *, client_id: int, day: date, leg: int, back: int, now: datetime
) -> int:
    """Store a new day's check-in; its id."""
    values = {
        "client_id": client_id,
        "day": day,
        "leg": leg,
        "back": back,
        "created_at": now,
        "updated_at": now,
    }
    return int((await connection.execute(_ADD_PAIN_ENTRY, values)).scalar_one())


_UPDATE_PAIN_ENTRY = (
    update(PainEntry)
    .where(PainEntry.id == bindparam("entry_id"))
    .values(leg=bindparam("leg"), back=bindparam("back"), updated_at=bindparam("now"))
)


async def update_pain_entry(
    connection: AsyncConnection, *, entry_id: int, leg: int, back: int, now: datetime
) -> None:
    """The client corrected the day's check-in."""
    await connection.execute(
        _UPDATE_PAIN_ENTRY, {"entry_id": entry_id, "leg": leg, "back": back, "now": now}
    )


async def own_pain_entry(
    session: AsyncSession, *, entry_id: object, telegram_id: int
) -> PainEntry | None:
    """The pain entry `entry_id` if it is the client with `telegram_id`'s own (an id read back
    from stored input is never trusted)."""
    return (
        await session.execute(
            select(PainEntry)
            .join(Client, Client.id == PainEntry.client_id)
            .where(PainEntry.id == entry_id, Client.telegram_id == telegram_id)
        )
    ).scalar_one_or_none()
