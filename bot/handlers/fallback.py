"""Last in line: anything no other handler took gets a helpful answer, never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.handlers.common import BotApplication, BotContext, command_sender
from bot.services.identity import Role


async def group_message(update: Update, context: BotContext) -> None:
    message = update.effective_message
    # Only answer when addressed by command, so a group is never spammed.
    if message is not None and message.text and message.text.startswith("/"):
        await context.bot.send_message(message.chat_id, texts.GROUP_CHAT)


async def unknown_message(update: Update, context: BotContext) -> None:
    sender = await command_sender(update, context)
    if sender is None:
        return
    message, _, who = sender
    if who.role is Role.STRANGER:
        await message.reply_text(texts.STRANGER)
    elif message.text and message.text.startswith("/"):
        await message.reply_text(texts.UNKNOWN_COMMAND)
    else:
        await message.reply_text(texts.UNEXPECTED_TEXT)


async def unknown_button(update: Update, _context: BotContext) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(texts.STALE_BUTTON, show_alert=False)


def register(app: BotApplication) -> None:
    # Groups and channels (should the bot be added to one) get the one "private chat only"
    # answer, to a command only.
    app.add_handler(
        MessageHandler(
            (filters.ChatType.GROUPS & filters.UpdateType.MESSAGE)
            | (filters.ChatType.CHANNEL & filters.UpdateType.CHANNEL_POST),
            group_message,
        )
    )
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, unknown_message)
    )
    app.add_handler(CallbackQueryHandler(unknown_button))
