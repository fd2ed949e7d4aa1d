"""The exercise library in the chat (issue 4, parts 4 and 5).

* ``/exercises`` — a client's prescribed exercises (the whole library while none is
  prescribed), the therapist's whole library, as buttons.
* ``ex:show:<slug>`` — the picture, then title, purpose, dosage, steps and cautions. The same
  button is the "How to" on every exercise reminder.
* A client's typed text that the text router (bot.handlers.text) hands over last (after the
  red-flag screen, relays, pending answers and short replies) is matched against the
  library: one exercise → its view; several → "Did you mean…"; a question about no known
  exercise → their exercises and the question passed on to their therapist (once). Anything
  else, and anyone else, gets the fallback's answer.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InputFile, Update
from telegram.ext import CommandHandler

from bot import texts
from bot.buttons.exercises import EXERCISES, ShowExercise
from bot.handlers import fallback
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import PRIVATE_MESSAGE, BotApplication, BotContext, services_of
from bot.services.exercises import (
    ExerciseView,
    QuestionForward,
    QuestionKind,
    Viewer,
    ViewVerdict,
    answer_exercise_question,
    exercise_menu,
    exercise_view,
    queue_forwarded_question,
)
from bot.telegram_markup import to_markup
from bot.texts import exercises as t

log = logging.getLogger(__name__)


async def exercises_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = services_of(context)
    menu = await exercise_menu(
        services.db,
        services.library,
        telegram_id=user.id,
        therapist_ids=services.settings.therapist_ids,
        now=services.now(),
    )
    if menu.viewer is Viewer.STRANGER:
        await message.reply_text(texts.STRANGER)
        return
    text, keyboard = t.menu_message(
        menu.exercises, therapist=menu.viewer is Viewer.THERAPIST, prescribed=menu.prescribed
    )
    await message.reply_text(text, reply_markup=to_markup(keyboard))


async def how_to_button(press: Press[ShowExercise], context: BotContext) -> None:
    query, user_id = press.query, press.user_id
    services = services_of(context)
    result = await exercise_view(
        services.db,
        services.library,
        telegram_id=user_id,
        therapist_ids=services.settings.therapist_ids,
        slug=press.button.slug,
        now=services.now(),
    )
    if result.verdict is ViewVerdict.NOT_ALLOWED:
        await query.answer(t.NOT_FOR_YOU, show_alert=True)
    elif result.verdict is ViewVerdict.UNKNOWN or result.view is None:
        await query.answer(t.UNKNOWN_EXERCISE, show_alert=True)
    else:
        await query.answer()
        await send_exercise(context.bot, user_id, result.view)


async def send_exercise(bot: Bot, chat_id: int, view: ExerciseView) -> None:
    """The picture with as much as fits in its caption, then the rest as text."""
    caption, rest = t.exercise_view(
        view.exercise,
        dosage=view.dosage,
        times_per_day=view.times_per_day,
        prescribed=view.prescribed,
    )
    path = view.exercise.image_path
    picture = await asyncio.to_thread(path.read_bytes)
    await bot.send_photo(chat_id, InputFile(picture, filename=path.name), caption=caption)
    for text in rest:
        await bot.send_message(chat_id, text)


async def exercise_question_text(update: Update, context: BotContext) -> None:
    """The text router's last reader: a typed question about an exercise, else the fallback."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or not message.text:
        return
    services = services_of(context)
    answer = await answer_exercise_question(
        services.db, services.library, telegram_id=user.id, text=message.text, now=services.now()
    )
    if answer.kind is QuestionKind.EXACT and answer.view is not None:
        await send_exercise(context.bot, message.chat_id, answer.view)
    elif answer.kind is QuestionKind.AMBIGUOUS:
        await message.reply_text(
            t.DID_YOU_MEAN, reply_markup=to_markup(t.exercise_buttons(answer.choices))
        )
    elif answer.kind is QuestionKind.UNMATCHED:
        forwarded = answer.forward is not None and await _forward(
            context, answer.forward, message.text
        )
        text, keyboard = t.unmatched_message(
            answer.prescribed, forwarded=forwarded, already_forwarded=answer.already_forwarded
        )
        await message.reply_text(text, reply_markup=to_markup(keyboard))
    else:
        await fallback.unknown_message(update, context)


async def _forward(context: BotContext, forward: QuestionForward, question: str) -> bool:
    """Queue the question for the therapist (the outbox sends it: not the user who asked)."""
    services = services_of(context)
    await queue_forwarded_question(
        services.db, forward=forward, question=question, now=services.now()
    )
    return True


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("exercises", exercises_command, filters=private))
    app.add_handler(ButtonHandler(EXERCISES, Audience.MEMBER, how_to_button))
