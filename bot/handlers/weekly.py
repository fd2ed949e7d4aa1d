"""/weekly: the Sciatica Bothersomeness Index, then the weekly red-flag screen (issue 5, part 3).

The answers so far ride in the callback data (bot.buttons.safety.SbiAnswers); the fourth answer
stores the week's questionnaire for the presser's own client record.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.buttons.safety import SBI, SbiAnswers
from bot.domain.sbi import SBI_ITEMS
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    command_sender,
    edit_query_message,
    services_of,
)
from bot.handlers.red_flags import start_red_flag_screen
from bot.services.identity import Role
from bot.services.sbi import SbiResult, SbiStatus, record_sbi
from bot.telegram_markup import to_markup
from bot.texts import weekly as t


async def weekly_command(update: Update, context: BotContext) -> None:
    sender = await command_sender(update, context)
    if sender is None:
        return
    message, _, who = sender
    if who.role is not Role.CLIENT:
        await message.reply_text(t.CLIENTS_ONLY)
        return
    text, keyboard = t.sbi_prompt()
    await message.reply_text(text, reply_markup=to_markup(keyboard))


async def sbi_answer_button(press: Press[SbiAnswers], context: BotContext) -> None:
    query, user_id = press.query, press.user_id
    answered = press.button.answered
    if len(answered) < len(SBI_ITEMS):
        await query.answer()
        await edit_query_message(query, *t.item_prompt(answered))
        return
    services = services_of(context)
    result = await record_sbi(
        services.db,
        telegram_id=user_id,
        scores=press.button.scores,
        now=services.now(),
    )
    if result.status is SbiStatus.NOT_A_CLIENT:
        await query.answer(t.CLIENTS_ONLY, show_alert=True)
        return
    if result.status is SbiStatus.UNCHANGED:
        # A double tap or a repeated press: the week is stored once and the screen ran already.
        await query.answer(t.ALREADY_SAVED.format(total=result.total))
        return
    await query.answer()
    await edit_query_message(query, result_text(result))
    if result.client_id is not None:
        await start_red_flag_screen(context.bot, user_id, result.client_id, "weekly")


def result_text(result: SbiResult) -> str:
    template = t.SAVED if result.status is SbiStatus.SAVED else t.UPDATED
    text = template.format(total=result.total)
    if result.change is None:
        return text
    if result.change.improved:
        return f"{text} {t.COMPARED_BETTER.format(diff=-result.change.change)}"
    if result.change.worsened:
        return f"{text} {t.COMPARED_WORSE.format(diff=result.change.change)}"
    return f"{text} {t.COMPARED_SAME}"


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("weekly", weekly_command, filters=private))
    app.add_handler(ButtonHandler(SBI, Audience.CLIENT, sbi_answer_button))
