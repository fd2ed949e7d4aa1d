"""Presses on exercise reminders: Done / Partly / Skip (+ reason) / Snooze 30 min.

Callback data `rem:<action>:<delivery id>[:<reason>]` (see bot/texts/reminders.py); "How to"
buttons carry `ex:show:<slug>` and belong to the exercise library's handler.
"""

from __future__ import annotations

import re

from telegram import CallbackQuery, Message, Update
from telegram.ext import Application, CallbackQueryHandler

from bot import texts as common_texts
from bot.handlers.common import BotContext, edit_query_message, services_of
from bot.services.reminders import (
    ExerciseOutcome,
    PressResult,
    PressVerdict,
    record_exercise_outcome,
    snooze_reminder,
)
from bot.texts import reminders as texts

PATTERN = re.compile(r"^rem:(done|partly|skip|snooze|why):(\d{1,18})(?::([a-z]{1,16}))?$")
OUTCOMES = {
    "done": ExerciseOutcome.DONE,
    "partly": ExerciseOutcome.PARTLY,
    "skip": ExerciseOutcome.SKIPPED,
    "why": ExerciseOutcome.SKIPPED,
}


async def on_reminder_button(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    match = PATTERN.fullmatch(query.data or "")
    if match is None:
        await query.answer(texts.UNKNOWN_REMINDER, show_alert=True)
        return
    action, delivery_id, reason = match.group(1), int(match.group(2)), match.group(3)
    services = services_of(context)
    if action == "snooze":
        result = await snooze_reminder(
            services.db, telegram_id=user.id, delivery_id=delivery_id, now=services.now()
        )
    else:
        result = await record_exercise_outcome(
            services.db,
            telegram_id=user.id,
            delivery_id=delivery_id,
            outcome=OUTCOMES[action],
            skip_reason=reason if action == "why" else None,
            now=services.now(),
        )
    await _answer(query, result)
    message = query.message
    if result.verdict in (PressVerdict.RECORDED, PressVerdict.SNOOZED) and isinstance(
        message, Message
    ):
        await _show(query, message, result, asks_reason=action == "skip")


async def _answer(query: CallbackQuery, result: PressResult) -> None:
    text = {
        PressVerdict.RECORDED: texts.ANSWER_SAVED,
        PressVerdict.SNOOZED: texts.ANSWER_SNOOZED,
        PressVerdict.NOT_YOURS: common_texts.NOT_YOURS,
        PressVerdict.UNKNOWN: texts.UNKNOWN_REMINDER,
    }[result.verdict]
    alert = result.verdict in (PressVerdict.NOT_YOURS, PressVerdict.UNKNOWN)
    await query.answer(text, show_alert=alert)


async def _show(
    query: CallbackQuery, message: Message, result: PressResult, *, asks_reason: bool
) -> None:
    """Edit the reminder to show what was recorded (the client can still change it).

    A double tap sends two presses made on the same original message: the second edit is
    identical to the first, which Telegram refuses as "not modified" — not a failure.
    """
    how_to = texts.how_to_buttons(message.reply_markup)
    body = message.text or ""
    if result.verdict is PressVerdict.SNOOZED:
        text = f"{texts.reminder_body(body)}\n\n{texts.SNOOZED}"
        markup = texts.answered_keyboard(result.delivery_id, how_to)
    elif asks_reason:
        text = texts.skip_reason_text(body)
        markup = texts.skip_reason_keyboard(result.delivery_id, how_to)
    else:
        outcome = result.outcome.value if result.outcome is not None else ""
        text = texts.with_outcome(body, outcome, result.skip_reason)
        markup = texts.answered_keyboard(result.delivery_id, how_to)
    if text != body or markup != message.reply_markup:
        await edit_query_message(query, text, markup)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(on_reminder_button, pattern=r"^rem:"))
