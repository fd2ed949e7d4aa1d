"""Red-flag safety screen (cauda equina signs) and the urgent path (issue 5, part 4).

Three ways in: the yes/no screen (`start_red_flag_screen`: onboarding's last step, the weekly
check, /symptoms), and any text a client types that mentions a red flag (`screen_typed_text`,
which the text router in bot.handlers.text runs first, before notes, relays, exercise
questions and the fallback).

Order matters (DESIGN.md): the client gets EMERGENCY_ADVICE first — before anything is written,
so nothing can delay it — then the event, the alert, the advice and the urgent alert for each
permitted recipient (the client's own therapist, RED_FLAG_ALSO_NOTIFY) are stored in one
transaction; the dispatcher sends those alerts ahead of anything else queued. Never
deduplicated by episode, never behind a setting.
"""

from __future__ import annotations

import enum
import logging

from telegram import Bot, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import CommandHandler

from bot.buttons.safety import RED_FLAGS, Answer, RedFlagAnswer
from bot.domain.red_flags import RED_FLAG_QUESTIONS, red_flags_in_text
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    command_sender,
    edit_query_message,
    services_of,
)
from bot.services.identity import Role
from bot.services.red_flags import (
    RedFlagReport,
    ReportNotStoredError,
    UrgentAlert,
    record_red_flag,
)
from bot.telegram_markup import to_markup
from bot.texts import red_flags as t

log = logging.getLogger(__name__)

SOURCES = ("onboarding", "weekly", "symptoms")
SIGNS = tuple(RED_FLAG_QUESTIONS)


async def start_red_flag_screen(bot: Bot, chat_id: int, client_id: int, source: str) -> None:
    """Send the first question of the screen. `source` is onboarding / weekly / symptoms."""
    del client_id  # The presser is re-identified on every answer; callback data is not trusted.
    if source not in SOURCES:
        raise ValueError(f"unknown red-flag screen source {source!r}")
    text, keyboard = t.question_prompt(source, 0, RED_FLAG_QUESTIONS[SIGNS[0]], len(SIGNS))
    await bot.send_message(chat_id, text, reply_markup=to_markup(keyboard))


async def symptoms_command(update: Update, context: BotContext) -> None:
    sender = await command_sender(update, context)
    if sender is None:
        return
    message, _, who = sender
    if who.role is not Role.CLIENT or who.client_id is None:
        await message.reply_text(t.CLIENTS_ONLY)
        return
    await start_red_flag_screen(context.bot, message.chat_id, who.client_id, "symptoms")


async def red_flag_answer_button(press: Press[RedFlagAnswer], context: BotContext) -> None:
    query, user_id, button = press.query, press.user_id, press.button
    source, index = t.SOURCES_BY_CODE[button.source], button.index
    if button.answer is Answer.NO:
        await query.answer()
        if index + 1 < len(SIGNS):
            question = RED_FLAG_QUESTIONS[SIGNS[index + 1]]
            await edit_query_message(
                query, *t.question_prompt(source, index + 1, question, len(SIGNS))
            )
        else:
            await edit_query_message(query, t.ALL_CLEAR)
        return
    # Any yes ends the screen at once: the advice first, then the record and the therapists.
    await query.answer()
    message = query.message
    answers = tuple((sign, i == index) for i, sign in enumerate(SIGNS[: index + 1]))
    await urgent_path(
        context,
        chat_id=user_id,
        telegram_id=user_id,
        telegram_name=query.from_user.first_name,
        source=source,
        report_key=f"rf:{user_id}:{message.message_id if message else query.id}",
        answers=answers,
    )
    await edit_query_message(query, f"{RED_FLAG_QUESTIONS[SIGNS[index]]}\n— {t.YES_BUTTON}")


class Screen(enum.Enum):
    """What the free-text red-flag screen did with a message."""

    CLEAR = "clear"  # no red flag (or a therapist's text): the message goes on as usual
    URGENT = "urgent"  # the urgent path ran; nothing else answers this message
    # The urgent path ran and the client was typing an answer (a note): that flow may still
    # keep the text; nothing else answers it.
    URGENT_WHILE_AWAITED = "urgent_while_awaited"


async def screen_typed_text(message: Message, user: User, context: BotContext) -> Screen:
    """Any text or caption from a client that mentions a red flag takes the urgent path: the
    text router runs this first, before anything reads the database."""
    signs = red_flags_in_text(message.text or message.caption or "")
    if not signs or user.id in services_of(context).settings.therapist_ids:
        return Screen.CLEAR
    urgent = await urgent_path(
        context,
        chat_id=message.chat_id,
        telegram_id=user.id,
        telegram_name=user.first_name,
        source="free_text",
        report_key=f"text:{user.id}:{message.message_id}",
        mentioned=signs,
    )
    if urgent is not None and not urgent.awaiting_input:
        # Nothing else should answer this message with "I'm not sure what you mean".
        return Screen.URGENT
    return Screen.URGENT_WHILE_AWAITED


async def urgent_path(
    context: BotContext,
    *,
    chat_id: int,
    telegram_id: int,
    telegram_name: str,
    source: str,
    report_key: str,
    answers: tuple[tuple[str, bool], ...] = (),
    mentioned: tuple[str, ...] = (),
) -> UrgentAlert | None:
    """The advice to the client first (direct: they just acted), then the report and its
    urgent alerts in one transaction (sent by the dispatcher, before anything else queued).
    If that cannot commit, the alert is sent directly and recorded when the database is back.
    """
    services = services_of(context)
    advice_id = await send_emergency_advice(
        context.bot, chat_id, services.settings.emergency_advice
    )
    report = RedFlagReport(
        telegram_id=telegram_id,
        source=source,
        report_key=report_key,
        reported_at=services.now(),
        answers=answers,
        mentioned=mentioned,
        advice_message_id=advice_id,
    )
    try:
        urgent = await record_red_flag(
            services.db,
            report,
            therapist_ids=services.settings.therapist_ids,
            also_notify=services.settings.red_flag_also_notify,
            now=services.now(),
        )
    except ReportNotStoredError as exc:
        log.error("red flag not recorded: alerting directly", extra={"error_type": str(exc)})
        told = 0
        if services.red_flag_fallback is not None:
            told = await services.red_flag_fallback(report, telegram_name)
        if told:
            await context.bot.send_message(chat_id, t.RED_FLAG_RECORDED)
        return None
    if urgent is not None and urgent.is_new and urgent.therapist_chat_ids:
        await context.bot.send_message(chat_id, t.RED_FLAG_RECORDED)
    return urgent


async def send_emergency_advice(bot: Bot, chat_id: int, advice: str) -> int | None:
    """First thing on any red flag; the message id, to record it. A failure to reach the
    client is logged, and the therapists are still told: their alert never depends on it."""
    try:
        return (await bot.send_message(chat_id, advice)).message_id
    except TelegramError as exc:
        log.error("emergency advice not delivered", extra={"error_type": type(exc).__name__})
        return None


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("symptoms", symptoms_command, filters=private))
    app.add_handler(ButtonHandler(RED_FLAGS, Audience.ANYONE, red_flag_answer_button))
