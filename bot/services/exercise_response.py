"""How each exercise is working for a client: recording the answers, and what the rules in
bot.domain.exercise_response make of them.

* the record: the leg answer after a session (and which exercise, after Worse), the outcome
  and skip reason per exercise (from bot.services.reminders), the client's and therapist's
  export sections; erasure is bot.services.privacy's;
* the therapist: an aggravating exercise raises an alert with the answer that tipped it;
  suggestions (aggravating, too hard, ready to step up) for the card and the weekly summary,
  applied in one tap along the sheet's ladder (`apply_suggestion`);
* the client: each exercise's last 2 weeks for /progress.

Callback data is never trusted: an answer is recorded only for an exercise reminder of the
client with the pressing Telegram id, and only for exercises that reminder named.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import ExerciseLibrary
from bot.db import exercise_responses, outbox, reports
from bot.db.clients import clients_of, live_client, one_client, owned_client
from bot.db.engine import Database
from bot.db.exercise_responses import ReminderSession
from bot.db.models import ExerciseOutcome, LegResponse
from bot.db.prescriptions import active_prescriptions
from bot.db.reports import ClientIds
from bot.domain.alerts import EPISODE_WINDOW
from bot.domain.exercise_response import (
    AGGRAVATING_ALERT,
    PROGRESS_SHOWN,
    Aggravating,
    ExerciseProgress,
    ReadyToProgress,
    Suggestion,
    TooHard,
    aggravating,
    exercise_progress,
    should_ask_response,
    verdict_for,
)
from bot.domain.recipients import Audience
from bot.services.kinds import TREND_ALERT
from bot.services.prescriptions import (
    ChangeNotice,
    PrescriptionChange,
    Variant,
    change_one_exercise,
    prescribed_dosage,
)

__all__ = [
    "AnswerResult",
    "AnswerVerdict",
    "CaseloadSuggestions",
    "ClientSuggestion",
    "ExerciseProgressLine",
    "ExerciseSuggestion",
    "LegResponse",
    "StepAction",
    "client_export_section",
    "exercise_progress_of",
    "exercise_suggestions",
    "leg_question_due",
    "name_worse_exercise",
    "record_leg_answer",
    "suggestions_for_client",
    "suggestions_for_therapist",
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
    # The aggravating-exercise alerts this answer raised (alert ids).
    alerts_raised: tuple[int, ...] = ()


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
    library: ExerciseLibrary | None = None,
) -> AnswerResult:
    """Record "How was your leg afterwards?" for one exercise of the reminder, or for all of
    them (`exercise_slug` None: the once-per-session question of a multi-exercise reminder).

    A Worse or Spread that makes an exercise aggravating raises the therapist's alert in the
    same transaction (bot.domain.exercise_response.aggravating)."""
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
        raised: tuple[int, ...] = ()
        if leg_response in _WORSE:
            raised = await _raise_aggravating(
                session, reminder=reminder, slugs=slugs, library=library, now=now
            )
        return AnswerResult(
            AnswerVerdict.RECORDED,
            slugs,
            leg_response,
            outcome,
            reason,
            ask_which=leg_response in _WORSE and len(slugs) > 1,
            alerts_raised=raised,
        )


async def _raise_aggravating(
    session: AsyncSession,
    *,
    reminder: ReminderSession,
    slugs: Sequence[str],
    library: ExerciseLibrary | None,
    now: datetime,
) -> tuple[int, ...]:
    """An alert for each of these exercises the rules now find aggravating, unless one is open
    or was raised within the episode window."""
    client = one_client(reminder.client_id)
    _, history = await exercise_responses.exercise_history(
        session, clients=client, since=now - HISTORY, now=now
    )
    zone = ZoneInfo(
        (await exercise_responses.zones_of(session, clients=client))[reminder.client_id]
    )
    legs = {
        row.day: row.leg
        for row in await reports.pain_rows(
            session, clients=client, since=(now - HISTORY - timedelta(days=7)).date()
        )
    }
    already = await exercise_responses.recent_aggravating_alerts(
        session, client_id=reminder.client_id, since=now - EPISODE_WINDOW
    )
    raised = []
    for slug in slugs:
        found = aggravating(history.get((reminder.client_id, slug), []), legs, now=now, tz=zone)
        if found is None or slug in already:
            continue
        exercise = library.get(slug) if library is not None else None
        evidence: dict[str, Any] = {
            "exercise_slug": slug,
            "exercise": exercise.title if exercise is not None else slug,
            "worse_sessions": found.worse_sessions,
            "answered_sessions": found.answered_sessions,
            "spread": found.spread,
            "first_worse_at": found.first_worse_at.isoformat(),
        }
        if found.leg_pain is not None:
            evidence["leg_before"], evidence["leg_since"] = found.leg_pain
        alert_id = await exercise_responses.add_aggravating_alert(
            session,
            client_id=reminder.client_id,
            exercise_slug=slug,
            evidence=evidence,
            now=now,
        )
        await _queue_alert(session, reminder.client_id, alert_id, evidence, now)
        raised.append(alert_id)
    return tuple(raised)


async def _queue_alert(
    session: AsyncSession, client_id: int, alert_id: int, evidence: dict[str, Any], now: datetime
) -> None:
    """The therapist's message about the alert, queued with it (the outbox ledger), rendered
    and sent by the dispatcher like every trend alert."""
    who = await exercise_responses.client_and_therapist(session, client_id=client_id)
    if who is None:
        return
    name, therapist_telegram_id = who
    await outbox.enqueue(
        session,
        kind=TREND_ALERT,
        chat_id=therapist_telegram_id,
        audience=Audience.THERAPIST,
        client_id=client_id,
        payload={
            "alert_id": alert_id,
            "client_id": client_id,
            "client_name": name,
            "therapist_telegram_id": therapist_telegram_id,
            "kind": AGGRAVATING_ALERT.value,
            "severity": 2 if evidence.get("spread") else 1,
            "evidence": evidence,
            "created_at": now.isoformat(),
        },
        now=now,
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


# How far back the rules look: three weeks of sessions (the 14-day windows and the last 10
# slots fit inside), and the week before them for the leg-pain comparisons.
HISTORY = timedelta(days=21)
_LADDER = (Variant.EASIER, Variant.DEFAULT, Variant.HARDER)


class StepAction(enum.StrEnum):
    """What the therapist can do with a suggestion in one tap."""

    STEP_UP = "up"
    EASE = "ease"
    STOP = "stop"
    NOT_YET = "later"


@dataclass(frozen=True)
class ExerciseSuggestion:
    client_id: int
    exercise_slug: str
    suggestion: Suggestion
    evidence: Aggravating | TooHard | ReadyToProgress
    # The rung it would move to for Step up / Ease it (None: no such rung on the sheet).
    step_up_to: Variant | None
    ease_to: Variant | None

    @property
    def actions(self) -> tuple[StepAction, ...]:
        if self.suggestion is Suggestion.STEP_UP:
            return (StepAction.STEP_UP, StepAction.NOT_YET)
        first = (StepAction.EASE,) if self.ease_to is not None else ()
        if self.suggestion is Suggestion.EASE_OR_STOP:
            return (*first, StepAction.STOP)
        return (*(first or (StepAction.STOP,)), StepAction.NOT_YET)


def _rung(dosage: str, slug: str, library: ExerciseLibrary) -> Variant | None:
    exercise = library.get(slug)
    if exercise is None:
        return None
    return next((v for v in _LADDER if prescribed_dosage(exercise, v) == dosage), None)


def _neighbour(rung: Variant | None, step: int) -> Variant | None:
    if rung is None:
        return None
    index = _LADDER.index(rung) + step
    return _LADDER[index] if 0 <= index < len(_LADDER) else None


async def exercise_suggestions(
    session: AsyncSession, *, clients: ClientIds, library: ExerciseLibrary, now: datetime
) -> dict[int, list[ExerciseSuggestion]]:
    """What to suggest for each prescribed exercise of `clients` (bot.domain.exercise_response):
    aggravating, too hard, ready to step up — in prescription order, a constant number of
    queries whatever the number of clients. A step up is suggested only when the sheet's
    ladder has a rung above the current one."""
    prescribed, history = await exercise_responses.exercise_history(
        session, clients=clients, since=now - HISTORY, now=now
    )
    zones = await exercise_responses.zones_of(session, clients=clients)
    pain_since = (now - HISTORY - timedelta(days=7)).date()
    legs: dict[int, dict[date, int]] = {}
    for row in await reports.pain_rows(session, clients=clients, since=pain_since):
        legs.setdefault(row.client_id, {})[row.day] = row.leg
    found: dict[int, list[ExerciseSuggestion]] = {}
    for line in prescribed:
        if line.exercise_slug not in library or line.client_id not in zones:
            continue
        verdict = verdict_for(
            line.exercise_slug,
            history.get((line.client_id, line.exercise_slug), []),
            legs.get(line.client_id, {}),
            since=line.prescribed_at,
            now=now,
            tz=ZoneInfo(zones[line.client_id]),
        )
        if verdict is None:
            continue
        rung = _rung(line.dosage, line.exercise_slug, library)
        suggestion = ExerciseSuggestion(
            client_id=line.client_id,
            exercise_slug=line.exercise_slug,
            suggestion=verdict.suggestion,
            evidence=verdict.evidence,
            step_up_to=_neighbour(rung, 1),
            ease_to=_neighbour(rung, -1),
        )
        if suggestion.suggestion is Suggestion.STEP_UP and suggestion.step_up_to is None:
            continue
        found.setdefault(line.client_id, []).append(suggestion)
    return found


async def suggestions_for_client(
    db: Database,
    *,
    therapist_telegram_id: int,
    client_id: int,
    library: ExerciseLibrary,
    now: datetime,
) -> list[ExerciseSuggestion]:
    """The suggestions for one of the therapist's clients (empty when not theirs)."""
    async with db.sessions() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return []
        found = await exercise_suggestions(
            session,
            clients=one_client(client.id),
            library=library,
            now=now,
        )
    return found.get(client_id, [])


async def apply_suggestion(
    db: Database,
    *,
    therapist_telegram_id: int,
    client_id: int,
    exercise_slug: str,
    action: StepAction,
    library: ExerciseLibrary,
    now: datetime,
    notice: ChangeNotice | None = None,
) -> PrescriptionChange | None:
    """Step up, ease or stop one exercise along its sheet's ladder, as a prescription edit
    does; the client's `notice` is queued with the change. None when there is nothing to
    apply: not the therapist's client, not prescribed, no such rung, or Not yet."""
    if action is StepAction.NOT_YET:
        return None
    variant: Variant | None = None
    if action is not StepAction.STOP:
        async with db.sessions() as session:
            current = {
                p.exercise_slug: p.dosage
                for p in await active_prescriptions(session, client_id=client_id, now=now)
            }
        if exercise_slug not in current:
            return None
        rung = _rung(current[exercise_slug], exercise_slug, library)
        variant = _neighbour(rung, 1 if action is StepAction.STEP_UP else -1)
        if variant is None:
            return None
    change = await change_one_exercise(
        db,
        therapist_telegram_id=therapist_telegram_id,
        client_id=client_id,
        exercise_slug=exercise_slug,
        variant=variant,
        library=library,
        now=now,
        notice=notice,
    )
    if change is not None and action in (StepAction.EASE, StepAction.STOP):
        async with db.sessions.begin() as session:
            await exercise_responses.acknowledge_aggravating_alerts(
                session,
                client_id=client_id,
                exercise_slug=exercise_slug,
                therapist_telegram_id=therapist_telegram_id,
                now=now,
            )
    return change


@dataclass(frozen=True)
class ExerciseProgressLine:
    exercise_slug: str
    progress: ExerciseProgress


async def exercise_progress_of(
    db: Database, *, telegram_id: int, now: datetime
) -> list[ExerciseProgressLine]:
    """Each exercise the client is prescribed now, over the last 2 weeks (for /progress)."""
    async with db.sessions() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return []
        prescribed, history = await exercise_responses.exercise_history(
            session,
            clients=one_client(client.id),
            since=now - PROGRESS_SHOWN,
            now=now,
        )
    zone = ZoneInfo(client.timezone)
    return [
        ExerciseProgressLine(
            line.exercise_slug,
            exercise_progress(history.get((client.id, line.exercise_slug), []), now=now, tz=zone),
        )
        for line in prescribed
    ]


# The weekly summary lists at most this many suggestions (a keyboard row each); the rest are on
# the clients' cards.
SUMMARY_SUGGESTIONS = 12


@dataclass(frozen=True)
class ClientSuggestion:
    client_name: str
    suggestion: ExerciseSuggestion


@dataclass(frozen=True)
class CaseloadSuggestions:
    shown: tuple[ClientSuggestion, ...]
    # Suggestions beyond SUMMARY_SUGGESTIONS, left to the clients' cards.
    more: int


async def suggestions_for_therapist(
    db: Database, *, therapist_telegram_id: int, library: ExerciseLibrary, now: datetime
) -> CaseloadSuggestions:
    """Every suggestion for the therapist's clients, for the weekly summary: aggravating
    first, then too hard, then ready to step up; a constant number of queries."""
    clients = clients_of(therapist_telegram_id)
    async with db.sessions() as session:
        found = await exercise_suggestions(session, clients=clients, library=library, now=now)
        names = await exercise_responses.names_of(session, clients=clients)
    order = {kind: rank for rank, kind in enumerate(Suggestion)}
    every = sorted(
        (
            ClientSuggestion(names.get(client_id, ""), suggestion)
            for client_id, suggestions in found.items()
            for suggestion in suggestions
        ),
        key=lambda item: (order[item.suggestion.suggestion], item.client_name.casefold()),
    )
    return CaseloadSuggestions(
        tuple(every[:SUMMARY_SUGGESTIONS]), max(0, len(every) - SUMMARY_SUGGESTIONS)
    )
