"""Set-based reads over many clients at once, for the therapist's views and the alert job.

Each function is one query whatever the number of clients: callers pass `clients`, a
`SELECT client.id ...` subquery naming the clients they want (e.g. one therapist's), and do the
per-client arithmetic in Python on the rows returned (STYLE.md: no query in a loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Alert,
    Client,
    ClientStatus,
    Delivery,
    DeliveryStatus,
    ExerciseLog,
    ExerciseOutcome,
    PainEntry,
    Prescription,
    Schedule,
    ScheduleKind,
)

ClientIds = Select[Any]


@dataclass(frozen=True, slots=True)
class SlotRow:
    """One prescribed exercise slot (a reminder delivery) and what the client said of it."""

    client_id: int
    slot: datetime
    # None: never answered; "missed": the slot passed while the bot was down.
    outcome: str | None


@dataclass(frozen=True, slots=True)
class PainRow:
    client_id: int
    day: date
    leg: int
    back: int
    note: str | None


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    client_id: int
    kind: str
    severity: int
    episode_key: str
    evidence: dict[str, object]
    created_at: datetime
    acknowledged_at: datetime | None


async def slot_outcomes(
    session: AsyncSession, *, clients: ClientIds, start: datetime, end: datetime
) -> list[SlotRow]:
    """Every exercise-reminder slot in [start, end) for `clients`, with the logged outcome."""
    rows = await session.execute(
        select(Schedule.client_id, Delivery.slot, Delivery.status, ExerciseLog.outcome)
        .join(Delivery, Delivery.schedule_id == Schedule.id)
        .outerjoin(ExerciseLog, ExerciseLog.delivery_id == Delivery.id)
        .where(
            Schedule.client_id.in_(clients),
            Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
            Delivery.slot >= start,
            Delivery.slot < end,
        )
    )
    result: list[SlotRow] = []
    for client_id, slot, status, outcome in rows:
        if client_id is None:
            continue
        value: str | None
        if isinstance(outcome, ExerciseOutcome):
            value = outcome.value
        elif status is DeliveryStatus.MISSED:
            value = "missed"
        else:
            value = None
        result.append(SlotRow(client_id=client_id, slot=slot, outcome=value))
    return result


async def pain_rows(
    session: AsyncSession, *, clients: ClientIds, since: date, until: date | None = None
) -> list[PainRow]:
    """Pain entries of `clients` from `since` (inclusive), oldest first."""
    query = select(
        PainEntry.client_id, PainEntry.day, PainEntry.leg, PainEntry.back, PainEntry.note
    ).where(PainEntry.client_id.in_(clients), PainEntry.day >= since)
    if until is not None:
        query = query.where(PainEntry.day <= until)
    rows = await session.execute(query.order_by(PainEntry.client_id, PainEntry.day))
    return [PainRow(c, d, leg, back, note) for c, d, leg, back, note in rows]


async def first_pain_rows(
    session: AsyncSession, *, clients: ClientIds, count: int
) -> list[PainRow]:
    """Each client's first `count` pain entries (their baseline when recent data is thin)."""
    ranked = (
        select(
            PainEntry.client_id,
            PainEntry.day,
            PainEntry.leg,
            PainEntry.back,
            PainEntry.note,
            func.row_number()
            .over(partition_by=PainEntry.client_id, order_by=PainEntry.day)
            .label("rank"),
        )
        .where(PainEntry.client_id.in_(clients))
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.client_id, ranked.c.day, ranked.c.leg, ranked.c.back, ranked.c.note).where(
            ranked.c.rank <= count
        )
    )
    return [PainRow(c, d, leg, back, note) for c, d, leg, back, note in rows]


async def active_client_zones(session: AsyncSession) -> list[str]:
    """The time zones active clients live in (a few dozen at most, whatever the number)."""
    rows = await session.execute(
        select(Client.timezone).where(Client.status == ClientStatus.ACTIVE).distinct()
    )
    return sorted(rows.scalars())


async def last_checkin_days(session: AsyncSession, *, clients: ClientIds) -> dict[int, date]:
    rows = await session.execute(
        select(PainEntry.client_id, func.max(PainEntry.day))
        .where(PainEntry.client_id.in_(clients))
        .group_by(PainEntry.client_id)
    )
    return {client_id: day for client_id, day in rows if day is not None}


async def last_exercise_logs(session: AsyncSession, *, clients: ClientIds) -> dict[int, datetime]:
    rows = await session.execute(
        select(ExerciseLog.client_id, func.max(ExerciseLog.slot))
        .where(ExerciseLog.client_id.in_(clients))
        .group_by(ExerciseLog.client_id)
    )
    return {client_id: slot for client_id, slot in rows if slot is not None}


def _alert_row(alert: Alert) -> AlertRow:
    return AlertRow(
        id=alert.id,
        client_id=alert.client_id,
        kind=alert.kind,
        severity=alert.severity,
        episode_key=alert.episode_key,
        evidence=dict(alert.evidence),
        created_at=alert.created_at,
        acknowledged_at=alert.acknowledged_at,
    )


async def latest_alerts_by_kind(
    session: AsyncSession, *, clients: ClientIds
) -> dict[tuple[int, str], AlertRow]:
    """The most recent alert of each kind for each client (what the episode rule compares)."""
    ranked = (
        select(
            Alert.id,
            func.row_number()
            .over(partition_by=(Alert.client_id, Alert.kind), order_by=Alert.created_at.desc())
            .label("rank"),
        )
        .where(Alert.client_id.in_(clients))
        .subquery()
    )
    rows = await session.execute(
        select(Alert).join(ranked, ranked.c.id == Alert.id).where(ranked.c.rank == 1)
    )
    return {(a.client_id, a.kind): _alert_row(a) for a in rows.scalars()}


async def alerts_of(
    session: AsyncSession,
    *,
    clients: ClientIds,
    open_only: bool = False,
    since: datetime | None = None,
) -> list[AlertRow]:
    """Alerts of `clients`, newest first."""
    query = select(Alert).where(Alert.client_id.in_(clients))
    if open_only:
        query = query.where(Alert.acknowledged_at.is_(None))
    if since is not None:
        query = query.where(Alert.created_at >= since)
    rows = await session.execute(query.order_by(Alert.created_at.desc(), Alert.id.desc()))
    return [_alert_row(a) for a in rows.scalars()]


async def skip_reasons(
    session: AsyncSession, *, clients: ClientIds, start: datetime, end: datetime
) -> list[tuple[int, str, int]]:
    """(client id, skip reason, how many times) for exercise slots in [start, end) skipped with
    a reason ("pain", "time", …), for the therapist's card and summary."""
    rows = await session.execute(
        select(ExerciseLog.client_id, ExerciseLog.skip_reason, func.count())
        .where(
            ExerciseLog.client_id.in_(clients),
            ExerciseLog.outcome == ExerciseOutcome.SKIPPED,
            ExerciseLog.skip_reason.is_not(None),
            ExerciseLog.slot >= start,
            ExerciseLog.slot < end,
        )
        .group_by(ExerciseLog.client_id, ExerciseLog.skip_reason)
    )
    return [(client_id, reason, count) for client_id, reason, count in rows if reason]


async def clients_with_prescription(
    session: AsyncSession, *, clients: ClientIds, now: datetime
) -> set[int]:
    """Those of `clients` with at least one prescription line not ended by `now`."""
    rows = await session.execute(
        select(Prescription.client_id)
        .where(
            Prescription.client_id.in_(clients),
            or_(Prescription.active_to.is_(None), Prescription.active_to > now),
        )
        .distinct()
    )
    return set(rows.scalars())


async def notes_of(
    session: AsyncSession, *, client_id: int, offset: int, limit: int
) -> tuple[list[PainRow], int]:
    """One page of a client's check-in notes, newest first, and how many there are in all."""
    has_note = (
        (PainEntry.client_id == client_id) & PainEntry.note.is_not(None) & (PainEntry.note != "")
    )
    total = await session.scalar(select(func.count()).select_from(PainEntry).where(has_note))
    rows = await session.execute(
        select(PainEntry.client_id, PainEntry.day, PainEntry.leg, PainEntry.back, PainEntry.note)
        .where(has_note)
        .order_by(PainEntry.day.desc())
        .offset(offset)
        .limit(limit)
    )
    return [PainRow(c, d, leg, back, note) for c, d, leg, back, note in rows], int(total or 0)


async def client_profiles(
    session: AsyncSession, *, clients: ClientIds
) -> list[Row[int, str, ClientStatus, str, datetime]]:
    """(id, display_name, status, timezone, created_at) of each of `clients`."""
    rows = await session.execute(
        select(
            Client.id, Client.display_name, Client.status, Client.timezone, Client.created_at
        ).where(Client.id.in_(clients))
    )
    return list(rows.all())


async def pain_days_of(
    session: AsyncSession, *, client_id: int, since: date, until: date
) -> list[Row[date, int, int]]:
    """(day, leg, back) of one client's entries dated `since`..`until`, oldest first."""
    rows = await session.execute(
        select(PainEntry.day, PainEntry.leg, PainEntry.back)
        .where(
            PainEntry.client_id == client_id,
            PainEntry.day >= since,
            PainEntry.day <= until,
        )
        .order_by(PainEntry.day)
    )
    return list(rows.all())


async def reminder_outcomes_of(
    session: AsyncSession, *, client_id: int, since: datetime, until: datetime
) -> list[Row[datetime, ExerciseOutcome | None]]:
    """(slot, logged outcome or None) of one client's exercise reminders in [since, until]."""
    rows = await session.execute(
        select(Delivery.slot, ExerciseLog.outcome)
        .join(Schedule, Schedule.id == Delivery.schedule_id)
        .outerjoin(
            ExerciseLog,
            and_(ExerciseLog.delivery_id == Delivery.id, ExerciseLog.client_id == client_id),
        )
        .where(
            Schedule.client_id == client_id,
            Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
            Delivery.slot >= since,
            Delivery.slot <= until,
        )
    )
    return list(rows.all())
