"""What each claimed delivery says: composed for a whole batch with a constant number of queries.

* exercise reminder (and its snoozed re-send and follow-up nudge): the slot's exercises with
  the client's prescribed dosage, "late" when caught up, buttons Done / Partly / Skip /
  Snooze 30 min / How to. Slot *i* of a client (their reminder rows sorted by time) lists the
  prescriptions with `times_per_day > i` whose days include the slot's local weekday;
* check-in: exactly the prompt `/pain` starts with (`bot.texts.checkin.leg_pain_prompt`);
* weekly SBI: the prompt `/weekly` starts with (`bot.texts.checkin.sbi_prompt`);
  either one, when caught up after downtime, opens with the same "late" line as a reminder;
* therapist summary: the same messages as `/summary` — `bot.services.summary` rendered by
  `bot.texts.summary` (split to Telegram's size), then the overview chart (a PNG drawn by
  `bot.charts` in a thread) with a chart button per client, sent as follow-ups (`then`).

What to say is decided here, for a whole batch (the queries, which claims have nothing to
say); the text and keyboard objects themselves are built by `OutgoingMessage.render()` when
the dispatcher sends the message. A reminder's keyboard, with the ~6 python-telegram-bot
objects its sender makes of it, costs ~0.25 ms to build: for a 10,000-reminder burst that is
2.5 s of event-loop time and 60,000 live objects (long garbage-collector pauses) if built up
front, but under 10 ms a second when built at Telegram's pace of 30 messages a second.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import select

from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import Prescription, Schedule, ScheduleKind
from bot.domain.alerts import DEFAULT_SENSITIVITY, Sensitivity
from bot.domain.schedule_times import local_day
from bot.keyboards import Keyboard
from bot.services.exercise_response import suggestions_for_therapist
from bot.services.summary import build_weekly_summary
from bot.texts import reminders as texts
from bot.texts.checkin import leg_pain_prompt, sbi_prompt
from bot.texts.exercise_response import summary_suggestions
from bot.texts.reminders import ReminderItem
from bot.texts.summary import summary_chart_caption, summary_chart_keyboard, summary_texts
from scheduler.claiming import Claim, Purpose

__all__ = ["MAX_TEXT", "OutboxRef", "OutgoingMessage", "Rendered", "compose"]

MAX_TEXT = 4096  # Telegram's limit for one message's text
COMPOSE_SLICE = 500  # messages decided between two yields to the event loop


Rendered = tuple[str, Keyboard | None]


def _fixed(text: str, reply_markup: Keyboard | None) -> Rendered:
    return text, reply_markup


@dataclass(frozen=True)
class OutboxRef:
    """An outbox row being sent: how to record its outcome, and what it disclosed."""

    outbox_id: int
    kind: str
    client_id: int | None
    # The client's data goes to someone other than the client: audited when sent.
    discloses: bool
    # (client id, direction) for a relayed message, so a reply to it is routed back.
    relay: tuple[int, str] | None = None
    # A therapist's message to a client: (therapist chat, client name), told if it fails.
    sender: tuple[int, str] | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    """A message for the dispatcher; `claim` is None for notices (e.g. "client blocked").

    `render()` returns the text and keyboard; it is called once, just before sending.
    With `photo` (PNG bytes) the message is sent with sendPhoto, the text as its caption.
    `then` are sent after it, in order and only once it was sent (the rest of a long summary,
    its chart); they carry no claim, so the delivery's ledger row records the first message.
    """

    chat_id: int
    render: Callable[[], Rendered]
    claim: Claim | None = None
    photo: bytes | None = None
    then: tuple[OutgoingMessage, ...] = ()
    outbox: OutboxRef | None = None
    # Red-flag alerts: sent before anything else queued.
    urgent: bool = False

    @classmethod
    def fixed(
        cls,
        chat_id: int,
        text: str,
        reply_markup: Keyboard | None = None,
        claim: Claim | None = None,
    ) -> OutgoingMessage:
        """A message whose text and keyboard are already built."""
        return cls(chat_id, partial(_fixed, text, reply_markup), claim)


def _title(library: ExerciseLibrary, slug: str) -> str:
    exercise = library.get(slug)
    return exercise.title if exercise is not None else slug.replace("-", " ").capitalize()


def _dosage(library: ExerciseLibrary, prescription: Prescription) -> str:
    if prescription.dosage.strip():
        return prescription.dosage.strip()
    exercise = library.get(prescription.exercise_slug)
    return exercise.dosage.describe() if exercise is not None else ""


async def _exercise_items(
    db: Database, library: ExerciseLibrary, claims: Sequence[Claim]
) -> dict[int, list[ReminderItem]]:
    """Each exercise-reminder claim's exercise lines, keyed by delivery id."""
    wanted = [c for c in claims if c.kind is ScheduleKind.EXERCISE_REMINDER]
    client_ids = {c.client_id for c in wanted if c.client_id is not None}
    if not client_ids:
        return {}
    async with db.sessions() as session:
        reminder_rows = (
            await session.execute(
                select(Schedule.id, Schedule.client_id, Schedule.local_times).where(
                    Schedule.client_id.in_(client_ids),
                    Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
                    Schedule.active.is_(True),
                )
            )
        ).all()
        prescriptions = (
            (
                await session.execute(
                    select(Prescription)
                    .where(Prescription.client_id.in_(client_ids))
                    .order_by(Prescription.id)
                )
            )
            .scalars()
            .all()
        )
    by_client: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in reminder_rows:
        by_client[row.client_id].append((row.local_times, row.id))
    slot_index = {
        schedule_id: index
        for rows in by_client.values()
        for index, (_, schedule_id) in enumerate(sorted(rows))
    }
    prescribed: dict[int, list[Prescription]] = defaultdict(list)
    for prescription in prescriptions:
        prescribed[prescription.client_id].append(prescription)

    items: dict[int, list[ReminderItem]] = {}
    for claim in wanted:
        index = slot_index.get(claim.schedule_id)
        weekday = local_day(claim.slot, claim.timezone).weekday()
        items[claim.delivery_id] = [
            ReminderItem(
                slug=p.exercise_slug,
                title=_title(library, p.exercise_slug),
                dosage=_dosage(library, p),
            )
            for p in prescribed.get(claim.client_id or 0, [])
            if index is not None
            and p.times_per_day > index
            and p.days_mask & (1 << weekday)
            and p.active_from <= claim.slot
            and (p.active_to is None or p.active_to > claim.slot)
        ]
    return items


def _render_reminder(claim: Claim, items: list[ReminderItem]) -> Rendered:
    if claim.purpose is Purpose.FOLLOW_UP:
        text = texts.reminder_text(items, header=texts.FOLLOW_UP_HEADER)
        markup = texts.reminder_keyboard(claim.delivery_id, items, snooze=False)
    elif claim.purpose is Purpose.SNOOZE:
        text = texts.reminder_text(items, header=texts.SNOOZED_HEADER)
        markup = texts.reminder_keyboard(claim.delivery_id, items)
    else:
        text = texts.reminder_text(items, late=claim.late)
        markup = texts.reminder_keyboard(claim.delivery_id, items)
    return text, markup


async def _summary(
    db: Database,
    library: ExerciseLibrary,
    claim: Claim,
    chat_id: int,
    now: datetime,
    sensitivity: Sensitivity,
) -> OutgoingMessage:
    """The therapist's weekly summary as `/summary` sends it: the text, then the chart, then
    the exercise suggestions with their one-tap buttons. Ranked with ALERT_SENSITIVITY, so
    "worsening" in the push means what it means in /summary and in the alerts."""
    summary = await build_weekly_summary(
        db, therapist_telegram_id=chat_id, now=now, sensitivity=sensitivity
    )
    first, *rest = summary_texts(summary)
    then = [OutgoingMessage.fixed(chat_id, text) for text in rest]
    if summary.rows:
        # matplotlib adds ~25 MB to the process: loaded when the first summary is due, not
        # at import, so a scheduler-only process stays small.
        from bot.charts import summary_overview_png

        # Drawing takes tens of milliseconds: off the event loop (STYLE.md).
        png = await asyncio.to_thread(summary_overview_png, summary)
        render = partial(_fixed, summary_chart_caption(summary), summary_chart_keyboard(summary))
        then.append(OutgoingMessage(chat_id, render, photo=png))
    caseload = await suggestions_for_therapist(
        db, therapist_telegram_id=chat_id, library=library, now=now
    )
    suggestions = summary_suggestions(caseload, partial(_title, library))
    if suggestions is not None:
        then.append(OutgoingMessage.fixed(chat_id, *suggestions))
    return OutgoingMessage(chat_id, partial(_fixed, first, None), claim, then=tuple(then))


def _marked(text: str, claim: Claim) -> str:
    """A caught-up prompt says it is late, like a caught-up exercise reminder does."""
    return f"{texts.LATE_MARKER}\n{text}" if claim.late else text


def _render_checkin(claim: Claim) -> Rendered:
    text, markup = leg_pain_prompt(local_day(claim.slot, claim.timezone))
    return _marked(text, claim), markup


def _render_sbi(claim: Claim) -> Rendered:
    text, markup = sbi_prompt()
    return _marked(text, claim), markup


async def compose(
    db: Database,
    library: ExerciseLibrary,
    claims: Sequence[Claim],
    *,
    now: datetime,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
) -> tuple[list[OutgoingMessage], list[Claim]]:
    """Messages for the claims to send, and the claims with nothing to say (no exercise due
    for that slot after all, no chat to send to): the caller records those as missed."""
    sendable = [c for c in claims if c.to_send]
    items = await _exercise_items(db, library, sendable)
    messages: list[OutgoingMessage] = []
    empty: list[Claim] = []
    for index, claim in enumerate(sendable, start=1):
        if index % COMPOSE_SLICE == 0:
            await asyncio.sleep(0)
        if claim.chat_id is None:
            empty.append(claim)
        elif claim.kind is ScheduleKind.EXERCISE_REMINDER:
            lines = items.get(claim.delivery_id, [])
            if lines:
                render = partial(_render_reminder, claim, lines)
                messages.append(OutgoingMessage(claim.chat_id, render, claim))
            else:
                empty.append(claim)
        elif claim.kind is ScheduleKind.CHECKIN:
            messages.append(OutgoingMessage(claim.chat_id, partial(_render_checkin, claim), claim))
        elif claim.kind is ScheduleKind.WEEKLY_SBI:
            messages.append(OutgoingMessage(claim.chat_id, partial(_render_sbi, claim), claim))
        elif claim.kind is ScheduleKind.THERAPIST_SUMMARY:
            messages.append(await _summary(db, library, claim, claim.chat_id, now, sensitivity))
        else:
            empty.append(claim)
    return messages, empty
