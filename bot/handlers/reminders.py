"""Presses on exercise reminders: Done / Partly / Skip (+ reason) / Snooze 30 min, and the
optional "How was your leg afterwards?" (+ which exercise, after Worse for several).

Callback data: bot.buttons.reminders (the press guard has already checked that the delivery is
the presser's); "How to" buttons belong to the exercise library's handler.
"""

from __future__ import annotations

from telegram import CallbackQuery, Message

from bot import texts as common_texts
from bot.buttons.reminders import (
    REMINDERS,
    LegAnswerPress,
    ReminderAnswer,
    ReminderButton,
    SkipReasonPress,
    WhichExercisePress,
)
from bot.content import ExerciseLibrary
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import BotApplication, BotContext, edit_query_message, services_of
from bot.services.exercise_response import (
    AnswerResult,
    AnswerVerdict,
    LegResponse,
    name_worse_exercise,
    record_leg_answer,
)
from bot.services.reminders import (
    ExerciseOutcome,
    PressResult,
    PressVerdict,
    record_exercise_outcome,
    snooze_reminder,
)
from bot.telegram_markup import from_markup
from bot.texts import reminders as texts

OUTCOMES = {
    ReminderAnswer.DONE: ExerciseOutcome.DONE,
    ReminderAnswer.PARTLY: ExerciseOutcome.PARTLY,
    ReminderAnswer.SKIP: ExerciseOutcome.SKIPPED,
}


async def reminder_button(press: Press[ReminderButton], context: BotContext) -> None:
    query, button = press.query, press.button
    services = services_of(context)
    if isinstance(button, LegAnswerPress | WhichExercisePress):
        await _on_leg_answer(press, button, context)
        return
    asks_reason = False
    if isinstance(button, SkipReasonPress):
        result = await record_exercise_outcome(
            services.db,
            telegram_id=press.user_id,
            delivery_id=button.delivery_id,
            outcome=ExerciseOutcome.SKIPPED,
            skip_reason=button.reason.value,
            now=services.now(),
        )
    elif button.answer is ReminderAnswer.SNOOZE:
        result = await snooze_reminder(
            services.db,
            telegram_id=press.user_id,
            delivery_id=button.delivery_id,
            now=services.now(),
        )
    else:
        asks_reason = button.answer is ReminderAnswer.SKIP
        result = await record_exercise_outcome(
            services.db,
            telegram_id=press.user_id,
            delivery_id=button.delivery_id,
            outcome=OUTCOMES[button.answer],
            skip_reason=None,
            now=services.now(),
        )
    await _answer(query, result)
    message = query.message
    if result.verdict in (PressVerdict.RECORDED, PressVerdict.SNOOZED) and isinstance(
        message, Message
    ):
        await _show(query, message, result, asks_reason=asks_reason)


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
    current = from_markup(message.reply_markup)
    how_to = texts.how_to_buttons(current)
    body = message.text or ""
    if result.verdict is PressVerdict.SNOOZED:
        text = f"{texts.reminder_body(body)}\n\n{texts.SNOOZED}"
        markup = texts.answered_keyboard(result.delivery_id, how_to)
    elif asks_reason:
        text = texts.skip_reason_text(body)
        markup = texts.skip_reason_keyboard(result.delivery_id, how_to)
    elif result.ask_leg:
        outcome = result.outcome.value if result.outcome is not None else ""
        text = texts.with_outcome_and(body, outcome, result.skip_reason, texts.LEG_QUESTION)
        markup = texts.leg_question_keyboard(result.delivery_id, how_to)
    else:
        outcome = result.outcome.value if result.outcome is not None else ""
        text = texts.with_outcome(body, outcome, result.skip_reason)
        markup = texts.answered_keyboard(result.delivery_id, how_to)
    if text != body or markup != current:
        await edit_query_message(query, text, markup)


async def _on_leg_answer(
    press: Press[ReminderButton],
    button: LegAnswerPress | WhichExercisePress,
    context: BotContext,
) -> None:
    """Eased / Same / Worse / Spread for the session, or which exercise it was after Worse."""
    services = services_of(context)
    if isinstance(button, LegAnswerPress):
        result = await record_leg_answer(
            services.db,
            telegram_id=press.user_id,
            delivery_id=button.delivery_id,
            leg_response=LegResponse(button.answer.value),
            exercise_slug=None,
            now=services.now(),
            library=services.library,
        )
    else:
        result = await name_worse_exercise(
            services.db,
            telegram_id=press.user_id,
            delivery_id=button.delivery_id,
            exercise_slug=button.slug,
            now=services.now(),
        )
    query = press.query
    answer = {
        AnswerVerdict.RECORDED: texts.ANSWER_SAVED,
        AnswerVerdict.NOT_YOURS: common_texts.NOT_YOURS,
        AnswerVerdict.UNKNOWN: texts.UNKNOWN_REMINDER,
    }[result.verdict]
    await query.answer(answer, show_alert=result.verdict is not AnswerVerdict.RECORDED)
    message = query.message
    if result.verdict is AnswerVerdict.RECORDED and isinstance(message, Message):
        await _show_leg_answer(query, message, button.delivery_id, result, services.library)


async def _show_leg_answer(
    query: CallbackQuery,
    message: Message,
    delivery_id: int,
    result: AnswerResult,
    library: ExerciseLibrary,
) -> None:
    current = from_markup(message.reply_markup)
    how_to = texts.how_to_buttons(current)
    body = message.text or ""
    outcome = result.outcome.value if result.outcome is not None else ""
    if result.leg_response is None:
        named = result.exercise_slugs
        noted = (
            texts.WHICH_NOTED.format(title=_title(library, named[0]))
            if len(named) == 1
            else texts.WHICH_NOT_SURE_NOTED
        )
        markup = texts.answered_keyboard(delivery_id, how_to)
    elif result.ask_which:
        noted = f"{texts.LEG_NOTED[result.leg_response.value]}\n{texts.WHICH_WORSE}"
        exercises = [(slug, _title(library, slug)) for slug in result.exercise_slugs]
        markup = texts.which_keyboard(delivery_id, exercises, how_to)
    else:
        noted = texts.LEG_NOTED[result.leg_response.value]
        markup = texts.answered_keyboard(delivery_id, how_to)
    text = texts.with_outcome_and(body, outcome, result.skip_reason, noted)
    if text != body or markup != current:
        await edit_query_message(query, text, markup)


def _title(library: ExerciseLibrary, slug: str) -> str:
    exercise = library.get(slug)
    return exercise.title if exercise is not None else slug


def register(app: BotApplication) -> None:
    app.add_handler(ButtonHandler(REMINDERS, Audience.CLIENT, reminder_button))
