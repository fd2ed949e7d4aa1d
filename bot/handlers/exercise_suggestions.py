"""Suggestions for a client's exercises under their card (aggravating, too hard, ready to step
up), and their one-tap Step up / Ease it / Stop it / Not yet (``sug:`` buttons).

Applying one is a prescription edit: reminders change at once and the client is told what
changed, with the same notice as after /prescribe.
"""

from __future__ import annotations

import logging
from functools import partial

from telegram import Message

from bot.buttons.suggestions import SUGGESTIONS, SuggestionPress
from bot.content import ExerciseLibrary
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import BotApplication, BotContext, edit_query_markup, services_of
from bot.services.exercise_response import (
    StepAction,
    apply_suggestion,
    suggestions_for_client,
    suggestions_for_therapist,
)
from bot.services.prescriptions import PrescriptionChange
from bot.telegram_markup import from_markup, to_markup
from bot.texts import exercise_response as texts
from bot.texts import therapist as t

log = logging.getLogger(__name__)


def title_lookup(library: ExerciseLibrary) -> t.TitleOf:
    def title_of(slug: str) -> str:
        exercise = library.get(slug)
        return exercise.title if exercise is not None else slug

    return title_of


async def send_card_suggestions(
    context: BotContext, chat_id: int, therapist_telegram_id: int, client_id: int, name: str
) -> None:
    """Under the client card: what the exercise-response rules suggest, if anything."""
    services = services_of(context)
    suggestions = await suggestions_for_client(
        services.db,
        therapist_telegram_id=therapist_telegram_id,
        client_id=client_id,
        library=services.library,
        now=services.now(),
    )
    if not suggestions:
        return
    await context.bot.send_message(
        chat_id,
        texts.suggestions_message(name, suggestions, title_lookup(services.library)),
        reply_markup=to_markup(texts.suggestions_keyboard(suggestions)),
    )


async def send_summary_suggestions(
    context: BotContext, chat_id: int, therapist_telegram_id: int
) -> None:
    """After the weekly summary: every client's exercise suggestions, one tap each."""
    services = services_of(context)
    caseload = await suggestions_for_therapist(
        services.db,
        therapist_telegram_id=therapist_telegram_id,
        library=services.library,
        now=services.now(),
    )
    shown = texts.summary_suggestions(caseload, title_lookup(services.library))
    if shown is not None:
        text, markup = shown
        await context.bot.send_message(chat_id, text, reply_markup=to_markup(markup))


async def suggestion_button(press: Press[SuggestionPress], context: BotContext) -> None:
    services = services_of(context)
    button = press.button
    title = title_lookup(services.library)(button.slug)
    change = await apply_suggestion(
        services.db,
        therapist_telegram_id=press.user_id,
        client_id=button.client_id,
        exercise_slug=button.slug,
        action=StepAction(button.action.value),
        library=services.library,
        now=services.now(),
        notice=partial(_client_notice, title_of=title_lookup(services.library)),
    )
    query = press.query
    if change is None:
        text = (
            texts.NOT_YET.format(title=title)
            if button.action.value == StepAction.NOT_YET
            else texts.NOTHING_APPLIED.format(title=title)
        )
        await query.answer(text, show_alert=True)
        await _drop_row(press)
        return
    line = next((line for line in change.current if line.exercise_slug == button.slug), None)
    answer = (
        texts.APPLIED.format(title=title, name=change.client_name, dosage=line.dosage)
        if line is not None
        else texts.STOPPED.format(title=title, name=change.client_name)
    )
    await query.answer(answer, show_alert=True)
    await _drop_row(press)


async def _drop_row(press: Press[SuggestionPress]) -> None:
    message = press.query.message
    markup = from_markup(message.reply_markup) if isinstance(message, Message) else None
    remaining = texts.without_suggestion(markup, press.button.client_id, press.button.slug)
    await edit_query_markup(press.query, remaining if remaining.inline_keyboard else None)


def _client_notice(change: PrescriptionChange, *, title_of: t.TitleOf) -> str:
    """What the client is told (queued with the change; the outbox sends it)."""
    return t.client_change_notice(change, title_of)


def register(app: BotApplication) -> None:
    app.add_handler(ButtonHandler(SUGGESTIONS, Audience.THERAPIST, suggestion_button))
