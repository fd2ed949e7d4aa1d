"""The per-exercise response record: reads and writes of `exercise_response`.

One row per client, exercise and slot. A reminder names every exercise due at that time of day
(scheduler/messages.py builds its text the same way): the client's active exercise-reminder
schedules in order of their time are the 1st, 2nd, 3rd session of the day, and a prescription
of N times a day is in the first N sessions, on the days of its mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import insert_for
from bot.db.models import (
    Alert,
    Client,
    ClientStatus,
    Delivery,
    ExerciseOutcome,
    ExerciseResponse,
    LegResponse,
    Prescription,
    Schedule,
    ScheduleKind,
    Therapist,
)
from bot.db.reports import ClientIds
from bot.domain.adherence import Outcome
from bot.domain.exercise_response import AGGRAVATING_ALERT, ExerciseSlot
from bot.domain.exercise_response import LegResponse as DomainLegResponse
from bot.domain.schedule_times import local_day


@dataclass(frozen=True, slots=True)
class ReminderSession:
    """One exercise reminder as the client saw it: whose, when, and the exercises it named."""

    delivery_id: int
    client_id: int
    client_telegram_id: int
    slot: datetime
    exercise_slugs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResponseRow:
    client_id: int
    exercise_slug: str
    slot: datetime
    outcome: ExerciseOutcome | None
    skip_reason: str | None
    leg_response: LegResponse | None
    recorded_at: datetime


async def reminder_session(session: AsyncSession, *, delivery_id: int) -> ReminderSession | None:
    """The exercise reminder with this delivery id, if it exists and its client is not erased."""
    row = (
        await session.execute(
            select(
                Delivery.slot,
                Schedule.id,
                Schedule.client_id,
                Schedule.timezone,
                Client.telegram_id,
                Client.status,
            )
            .join(Schedule, Schedule.id == Delivery.schedule_id)
            .join(Client, Client.id == Schedule.client_id)
            .where(Delivery.id == delivery_id, Schedule.kind == ScheduleKind.EXERCISE_REMINDER)
        )
    ).one_or_none()
    if row is None or row.client_id is None or row.status is ClientStatus.DELETED:
        return None
    sessions = (
        await session.execute(
            select(Schedule.local_times, Schedule.id).where(
                Schedule.client_id == row.client_id,
                Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
                Schedule.active.is_(True),
            )
        )
    ).all()
    order = [schedule_id for _, schedule_id in sorted((t, i) for t, i in sessions)]
    slugs: tuple[str, ...] = ()
    if row.id in order:
        index = order.index(row.id)
        weekday = local_day(row.slot, row.timezone).weekday()
        prescriptions = (
            await session.execute(
                select(Prescription.exercise_slug)
                .where(
                    Prescription.client_id == row.client_id,
                    Prescription.times_per_day > index,
                    Prescription.days_mask.op("&")(1 << weekday) != 0,
                    Prescription.active_from <= row.slot,
                    or_(Prescription.active_to.is_(None), Prescription.active_to > row.slot),
                )
                .order_by(Prescription.id)
            )
        ).scalars()
        slugs = tuple(dict.fromkeys(prescriptions))
    return ReminderSession(
        delivery_id=delivery_id,
        client_id=row.client_id,
        client_telegram_id=row.telegram_id,
        slot=row.slot,
        exercise_slugs=slugs,
    )


async def record_outcome(
    session: AsyncSession,
    *,
    reminder: ReminderSession,
    outcome: ExerciseOutcome,
    skip_reason: str | None,
    now: datetime,
) -> None:
    """The reminder's Done / Partly / Skip (and why) for every exercise it named.

    A leg answer already given stays: changing Done to Partly does not undo "Eased".
    """
    for slug in reminder.exercise_slugs:
        await _upsert(
            session,
            reminder=reminder,
            exercise_slug=slug,
            values={"outcome": outcome, "skip_reason": skip_reason},
            now=now,
        )


async def record_leg_response(
    session: AsyncSession,
    *,
    reminder: ReminderSession,
    exercise_slugs: Sequence[str],
    leg_response: LegResponse,
    now: datetime,
) -> None:
    """How the leg was after these exercises of the reminder (the latest answer wins)."""
    for slug in exercise_slugs:
        await _upsert(
            session,
            reminder=reminder,
            exercise_slug=slug,
            values={"leg_response": leg_response},
            now=now,
        )


async def _upsert(
    session: AsyncSession,
    *,
    reminder: ReminderSession,
    exercise_slug: str,
    values: dict[str, Any],
    now: datetime,
) -> None:
    row = {
        "client_id": reminder.client_id,
        "exercise_slug": exercise_slug,
        "delivery_id": reminder.delivery_id,
        "slot": reminder.slot,
        "recorded_at": now,
        **values,
    }
    statement = insert_for(session, ExerciseResponse).values(row)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["client_id", "exercise_slug", "slot"],
            set_={**values, "recorded_at": now},
        )
    )


async def responses_of(
    session: AsyncSession, *, clients: ClientIds, since: datetime | None = None
) -> list[ResponseRow]:
    """Every response of `clients` (slots from `since` when given), oldest first, one query."""
    query = select(
        ExerciseResponse.client_id,
        ExerciseResponse.exercise_slug,
        ExerciseResponse.slot,
        ExerciseResponse.outcome,
        ExerciseResponse.skip_reason,
        ExerciseResponse.leg_response,
        ExerciseResponse.recorded_at,
    ).where(ExerciseResponse.client_id.in_(clients))
    if since is not None:
        query = query.where(ExerciseResponse.slot >= since)
    rows = await session.execute(
        query.order_by(
            ExerciseResponse.client_id, ExerciseResponse.slot, ExerciseResponse.exercise_slug
        )
    )
    return [ResponseRow(*row) for row in rows]


async def rows_of_client(session: AsyncSession, *, client_id: int) -> list[ExerciseResponse]:
    """The client's whole record, for their own export."""
    rows = await session.execute(
        select(ExerciseResponse)
        .where(ExerciseResponse.client_id == client_id)
        .order_by(ExerciseResponse.id)
    )
    return list(rows.scalars())


@dataclass(frozen=True, slots=True)
class LegQuestionState:
    """What decides whether to ask about one exercise after this session."""

    exercise_slug: str
    # When the current prescription row began: prescribing or a dosage change starts a new row.
    prescribed_at: datetime
    last_answered_at: datetime | None


async def leg_question_state(
    session: AsyncSession, *, reminder: ReminderSession
) -> list[LegQuestionState]:
    """For each exercise the reminder named: since when it is prescribed as it is, and when the
    client last answered the leg question about it before this session."""
    if not reminder.exercise_slugs:
        return []
    prescribed: dict[str, datetime] = dict(
        (
            await session.execute(
                select(Prescription.exercise_slug, func.max(Prescription.active_from))
                .where(
                    Prescription.client_id == reminder.client_id,
                    Prescription.exercise_slug.in_(reminder.exercise_slugs),
                    Prescription.active_from <= reminder.slot,
                    or_(Prescription.active_to.is_(None), Prescription.active_to > reminder.slot),
                )
                .group_by(Prescription.exercise_slug)
            )
        ).all()
    )
    answered: dict[str, datetime] = dict(
        (
            await session.execute(
                select(ExerciseResponse.exercise_slug, func.max(ExerciseResponse.slot))
                .where(
                    ExerciseResponse.client_id == reminder.client_id,
                    ExerciseResponse.exercise_slug.in_(reminder.exercise_slugs),
                    ExerciseResponse.leg_response.is_not(None),
                    ExerciseResponse.slot < reminder.slot,
                )
                .group_by(ExerciseResponse.exercise_slug)
            )
        ).all()
    )
    return [
        LegQuestionState(slug, prescribed[slug], answered.get(slug))
        for slug in reminder.exercise_slugs
        if slug in prescribed
    ]


async def session_answer(
    session: AsyncSession, *, reminder: ReminderSession
) -> tuple[ExerciseOutcome | None, str | None]:
    """The Done / Partly / Skip (and why) recorded for this reminder's session."""
    row = (
        await session.execute(
            select(ExerciseResponse.outcome, ExerciseResponse.skip_reason)
            .where(
                ExerciseResponse.client_id == reminder.client_id,
                ExerciseResponse.slot == reminder.slot,
                ExerciseResponse.exercise_slug.in_(reminder.exercise_slugs),
                ExerciseResponse.outcome.is_not(None),
            )
            .limit(1)
        )
    ).one_or_none()
    return (row.outcome, row.skip_reason) if row is not None else (None, None)


async def clear_leg_response(
    session: AsyncSession,
    *,
    reminder: ReminderSession,
    exercise_slugs: Sequence[str],
    now: datetime,
) -> None:
    """Forget the leg answer for these exercises of the session (the client named another)."""
    await session.execute(
        update(ExerciseResponse)
        .where(
            ExerciseResponse.client_id == reminder.client_id,
            ExerciseResponse.slot == reminder.slot,
            ExerciseResponse.exercise_slug.in_(exercise_slugs),
        )
        .values(leg_response=None, recorded_at=now)
    )


@dataclass(frozen=True, slots=True)
class PrescribedExercise:
    """An exercise as a client is prescribed it now, and since when at this dose."""

    client_id: int
    exercise_slug: str
    dosage: str
    prescribed_at: datetime


def _slot_of(slot: datetime, answer: ResponseRow | None) -> ExerciseSlot:
    if answer is None:
        return ExerciseSlot(slot=slot, outcome=None)
    return ExerciseSlot(
        slot=slot,
        outcome=Outcome(answer.outcome.value) if answer.outcome else None,
        skip_reason=answer.skip_reason,
        response=DomainLegResponse(answer.leg_response.value) if answer.leg_response else None,
    )


async def exercise_history(
    session: AsyncSession, *, clients: ClientIds, since: datetime, now: datetime
) -> tuple[list[PrescribedExercise], dict[tuple[int, str], list[ExerciseSlot]]]:
    """The exercises `clients` are prescribed now, and each one's sessions since `since`.

    A session is a reminder delivery that named the exercise (as `reminder_session` decides,
    for every delivery at once), with what the client answered for it — nothing when they did
    not answer. Four queries whatever the number of clients.
    """
    prescriptions = (
        (
            await session.execute(
                select(Prescription)
                .where(
                    Prescription.client_id.in_(clients),
                    or_(Prescription.active_to.is_(None), Prescription.active_to > since),
                    Prescription.active_from <= now,
                )
                .order_by(Prescription.id)
            )
        )
        .scalars()
        .all()
    )
    reminder_rows = (
        await session.execute(
            select(Schedule.id, Schedule.client_id, Schedule.local_times).where(
                Schedule.client_id.in_(clients),
                Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
                Schedule.active.is_(True),
            )
        )
    ).all()
    deliveries = (
        await session.execute(
            select(Delivery.slot, Delivery.schedule_id, Schedule.client_id, Schedule.timezone)
            .join(Schedule, Schedule.id == Delivery.schedule_id)
            .where(
                Schedule.client_id.in_(clients),
                Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
                Delivery.slot >= since,
                Delivery.slot <= now,
            )
            .order_by(Delivery.slot)
        )
    ).all()
    answers = {
        (row.client_id, row.exercise_slug, row.slot): row
        for row in await responses_of(session, clients=clients, since=since)
    }

    by_client: dict[int, list[tuple[str, int]]] = {}
    for schedule_id, client_id, local_times in reminder_rows:
        if client_id is not None:
            by_client.setdefault(client_id, []).append((local_times, schedule_id))
    session_index = {
        schedule_id: index
        for rows in by_client.values()
        for index, (_, schedule_id) in enumerate(sorted(rows))
    }
    prescribed: dict[int, list[Prescription]] = {}
    for prescription in prescriptions:
        prescribed.setdefault(prescription.client_id, []).append(prescription)

    history: dict[tuple[int, str], list[ExerciseSlot]] = {}
    for slot, schedule_id, client_id, zone in deliveries:
        index = session_index.get(schedule_id)
        if index is None or client_id is None:
            continue
        weekday = local_day(slot, zone).weekday()
        named = {
            p.exercise_slug
            for p in prescribed.get(client_id, [])
            if p.times_per_day > index
            and p.days_mask & (1 << weekday)
            and p.active_from <= slot
            and (p.active_to is None or p.active_to > slot)
        }
        for slug in sorted(named):
            answer = answers.pop((client_id, slug, slot), None)
            history.setdefault((client_id, slug), []).append(_slot_of(slot, answer))
    # Answers whose reminder is not among these deliveries (a schedule since replaced by a
    # change of times) are sessions all the same.
    for (client_id, slug, slot), answer in answers.items():
        history.setdefault((client_id, slug), []).append(_slot_of(slot, answer))
    for sessions in history.values():
        sessions.sort(key=lambda s: s.slot)
    current = [
        PrescribedExercise(p.client_id, p.exercise_slug, p.dosage, p.active_from)
        for p in prescriptions
        if p.active_to is None
    ]
    return current, history


async def names_of(session: AsyncSession, *, clients: ClientIds) -> dict[int, str]:
    """Each client's display name."""
    rows = await session.execute(
        select(Client.id, Client.display_name).where(Client.id.in_(clients))
    )
    return {row[0]: row[1] for row in rows.all()}


async def zones_of(session: AsyncSession, *, clients: ClientIds) -> dict[int, str]:
    """Each client's IANA time zone."""
    rows = await session.execute(select(Client.id, Client.timezone).where(Client.id.in_(clients)))
    return {row[0]: row[1] for row in rows.all()}


async def recent_aggravating_alerts(
    session: AsyncSession, *, client_id: int, since: datetime
) -> set[str]:
    """The exercises with an aggravating-exercise alert for the client that is still open, or
    was raised since `since`."""
    rows = await session.execute(
        select(Alert.episode_key).where(
            Alert.client_id == client_id,
            Alert.kind == AGGRAVATING_ALERT,
            or_(Alert.acknowledged_at.is_(None), Alert.created_at >= since),
        )
    )
    return set(rows.scalars())


async def add_aggravating_alert(
    session: AsyncSession,
    *,
    client_id: int,
    exercise_slug: str,
    evidence: dict[str, Any],
    now: datetime,
) -> int:
    alert = Alert(
        client_id=client_id,
        kind=AGGRAVATING_ALERT,
        severity=2 if evidence.get("spread") else 1,
        episode_key=exercise_slug,
        evidence=evidence,
        created_at=now,
    )
    session.add(alert)
    await session.flush()
    return alert.id


async def acknowledge_aggravating_alerts(
    session: AsyncSession,
    *,
    client_id: int,
    exercise_slug: str,
    therapist_telegram_id: int,
    now: datetime,
) -> None:
    """The therapist acted on the exercise (eased or stopped it): its open alert is dealt with."""
    await session.execute(
        update(Alert)
        .where(
            Alert.client_id == client_id,
            Alert.kind == AGGRAVATING_ALERT,
            Alert.episode_key == exercise_slug,
            Alert.acknowledged_at.is_(None),
        )
        .values(acknowledged_by=therapist_telegram_id, acknowledged_at=now)
    )


async def client_and_therapist(session: AsyncSession, *, client_id: int) -> tuple[str, int] | None:
    """The client's display name and their therapist's Telegram id (who an alert goes to)."""
    row = (
        await session.execute(
            select(Client.display_name, Therapist.telegram_id)
            .join(Therapist, Therapist.id == Client.therapist_id)
            .where(Client.id == client_id)
        )
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None
