"""Daily pain check-in: one entry per client per local day, leg and back 0-10, optional note.

The client's "day" is their own calendar day in their time zone (DESIGN.md: timestamps UTC,
`pain_entry.day` local). A second check-in on the same day never overwrites silently: it comes
back as NEEDS_CONFIRMATION until the client confirms. The very same scores again (a double tap,
a redelivered update) are UNCHANGED: nothing is written twice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import checkins
from bot.db import pending as pending_inputs
from bot.db.clients import live_client_row
from bot.db.engine import Database
from bot.db.models import ClientStatus, ScheduleKind
from bot.domain.adherence import week_start_of
from bot.domain.alerts import DEFAULT_SENSITIVITY, Sensitivity
from bot.domain.pain import (
    DailyPain,
    WeekComparison,
    can_record_for,
    comparison_with_last_week,
    validate_pain_score,
)
from bot.domain.schedule_times import answered_prompt_next_fire, first_fire_after, local_day
from bot.services.alerts import AlertNotice, judge_checkin, pain_history_start
from bot.services.pending import PendingKind

PAIN_NOTE = PendingKind.PAIN_NOTE
# A note belongs with the check-in it follows; after this the next text means something else.
NOTE_WINDOW = timedelta(hours=6)
NOTE_MAX_CHARS = 1000
# comparison_with_last_week looks at two rolling weeks ending today.
COMPARISON_DAYS = 14


class CheckinStatus(enum.StrEnum):
    SAVED = "saved"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    NEEDS_CONFIRMATION = "needs_confirmation"
    STALE = "stale"
    NOT_A_CLIENT = "not_a_client"


class NoteStatus(enum.StrEnum):
    SAVED = "saved"
    TOO_LONG = "too_long"
    ENTRY_GONE = "entry_gone"
    # The text was not a pain note (no note was asked for): other handlers may take it.
    NOT_EXPECTED = "not_expected"


@dataclass(frozen=True)
class CheckinResult:
    status: CheckinStatus
    leg: int
    back: int
    day: date | None = None
    # Today's earlier scores when asking whether to replace them.
    previous_leg: int | None = None
    previous_back: int | None = None
    comparison: WeekComparison | None = None
    # Trend alerts this entry raised (bot.services.alerts); the handler tells the therapist.
    alerts: tuple[AlertNotice, ...] = ()
    # Filled in for yesterday, today (bot.domain.pain.can_record_for): marked late.
    late: bool = False


@dataclass(frozen=True)
class NoteResult:
    status: NoteStatus
    limit: int = NOTE_MAX_CHARS


async def checkin_day(db: Database, *, telegram_id: int, now: datetime) -> date | None:
    """The client's local today (what a new check-in is for); None if not a client."""
    async with db.read() as connection:
        client = await live_client_row(connection, telegram_id)
    return None if client is None else local_day(now, client.timezone)


async def record_pain_entry(
    db: Database,
    *,
    telegram_id: int,
    leg: int,
    back: int,
    for_day: date | None,
    confirm_update: bool,
    now: datetime,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
) -> CheckinResult:
    """Record today's leg and back pain (0-10 NRS; raises ValueError outside it).

    `for_day` is the day the prompt was for: yesterday's prompt still records yesterday's
    entry, marked late (`late`, and its `created_at` on a later local day); a prompt from an
    older day is STALE and stores nothing. A different entry already stored for the day is
    replaced only with `confirm_update`.
    After SAVED/UPDATED the client's next typed message is taken as the day's note.
    """
    leg, back = validate_pain_score(leg), validate_pain_score(back)
    # One Core transaction on the connection (no ORM session: a check-in is a few plain
    # statements; an alert, when one is raised, joins it).
    async with db.engine.begin() as connection:
        client = await checkins.checkin_client(connection, telegram_id, lock=True)
        if client is None:
            return CheckinResult(CheckinStatus.NOT_A_CLIENT, leg, back)
        today = local_day(now, client.timezone)
        day = today if for_day is None else for_day
        if not can_record_for(day, today):
            return CheckinResult(CheckinStatus.STALE, leg, back, day=for_day)
        late = day != today
        # One read serves the duplicate check, the week comparison and the alert rules.
        since = min(pain_history_start(day), today - timedelta(days=COMPARISON_DAYS - 1))
        history = {
            row.day: row
            for row in await checkins.client_pain(
                connection, client_id=client.id, since=since, until=today
            )
        }
        entry = history.get(day)
        if entry is not None and (entry.leg, entry.back) == (leg, back):
            status = CheckinStatus.UNCHANGED
            entry_id = entry.id
        elif entry is not None and not confirm_update:
            return CheckinResult(
                CheckinStatus.NEEDS_CONFIRMATION,
                leg,
                back,
                day=day,
                previous_leg=entry.leg,
                previous_back=entry.back,
                late=late,
            )
        elif entry is not None:
            entry_id = entry.id
            await checkins.update_pain_entry(
                connection, entry_id=entry_id, leg=leg, back=back, now=now
            )
            status = CheckinStatus.UPDATED
        else:
            entry_id = await checkins.add_pain_entry(
                connection, client_id=client.id, day=day, leg=leg, back=back, now=now
            )
            status = CheckinStatus.SAVED
        pain = {d: DailyPain(day=d, leg=r.leg, back=r.back) for d, r in history.items()}
        pain[day] = DailyPain(day=day, leg=leg, back=back)
        alerts: tuple[AlertNotice, ...] = ()
        if status is not CheckinStatus.UNCHANGED:
            await pending_inputs.put_pending_on(
                connection,
                telegram_id=telegram_id,
                kind=PAIN_NOTE,
                payload={"entry_id": entry_id},
                expires_at=now + NOTE_WINDOW,
            )
            if client.status is ClientStatus.ACTIVE:
                await _skip_answered_prompts(
                    connection, client, today=today, checked_in=today in pain, now=now
                )
            # Judged when it is made: the check-in's own day, with the clock at the check-in.
            alerts = tuple(
                await judge_checkin(
                    connection,
                    client_id=client.id,
                    day=day,
                    history=list(pain.values()),
                    now=now,
                    sensitivity=sensitivity,
                )
            )
        comparison = comparison_with_last_week(pain, today)
        return CheckinResult(
            status, leg, back, day=day, comparison=comparison, alerts=alerts, late=late
        )


async def _skip_answered_prompts(
    connection: AsyncConnection,
    client: checkins.CheckinClient,
    *,
    today: date,
    checked_in: bool,
    now: datetime,
) -> None:
    """Today's check-in prompt is not sent once today is checked in (a check-in made before
    its time); the same rule as `bot.services.schedules.skip_answered_prompts`, on the rows
    the client look-up already brought (the weekly questionnaire is read only when its
    prompt could be affected)."""
    week = week_start_of(today)
    for prompt in client.prompts:
        if prompt.kind is ScheduleKind.CHECKIN:
            answered = today if checked_in else None
        elif answered_prompt_next_fire(
            prompt.next_fire_at, week + timedelta(days=6), prompt.timezone
        ) is not None and await checkins.weekly_measure_taken(
            connection, client_id=client.id, week=week
        ):
            answered = week + timedelta(days=6)
        else:
            answered = None
        after = answered_prompt_next_fire(prompt.next_fire_at, answered, prompt.timezone)
        if after is not None:
            await checkins.move_prompt(
                connection,
                schedule_id=prompt.id,
                next_fire_at=first_fire_after(
                    local_times=prompt.local_times,
                    days_mask=prompt.days_mask,
                    timezone=prompt.timezone,
                    after=after,
                ),
                now=now,
            )


async def add_pain_note(db: Database, *, telegram_id: int, text: str, now: datetime) -> NoteResult:
    """Attach typed text to the check-in that asked for a note; NOT_EXPECTED otherwise."""
    async with db.sessions.begin() as session:
        pending = await pending_inputs.pending_row(session, telegram_id, lock=True)
        if pending is None or pending.kind != PAIN_NOTE or pending.expires_at <= now:
            return NoteResult(NoteStatus.NOT_EXPECTED)
        note = text.strip()
        if len(note) > NOTE_MAX_CHARS:
            return NoteResult(NoteStatus.TOO_LONG)
        entry_id = pending.payload.get("entry_id")
        await session.delete(pending)
        # The pending row names the entry; check it is still this client's (never trusted).
        entry = await checkins.own_pain_entry(session, entry_id=entry_id, telegram_id=telegram_id)
        if entry is None:
            return NoteResult(NoteStatus.ENTRY_GONE)
        entry.note, entry.updated_at = note, now
        return NoteResult(NoteStatus.SAVED)


async def skip_pain_note(db: Database, *, telegram_id: int) -> bool:
    """The client tapped Skip: their next text is no longer taken as a note.

    False when no note was awaited any more (e.g. the second press of a double tap).
    """
    async with db.sessions.begin() as session:
        return await pending_inputs.clear_pending(session, telegram_id, {PAIN_NOTE}) is not None
