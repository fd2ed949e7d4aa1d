"""/cancel: stop typing whatever the bot asked for (both menus; anyone may send it)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.handlers.common import PRIVATE_MESSAGE, BotApplication, BotContext, services_of
from bot.services.pending import cancel_pending_input
from bot.texts import CANCELLED, NOTHING_TO_CANCEL


async def cancel_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    cancelled = await cancel_pending_input(services_of(context).db, telegram_id=user.id)
    await message.reply_text(CANCELLED if cancelled is not None else NOTHING_TO_CANCEL)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("cancel", cancel_command, filters=PRIVATE_MESSAGE))
