"""/start and /help: greet by role; strangers are told to ask their therapist."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    command_sender,
    services_of,
)
from bot.handlers.menus import set_therapist_menu
from bot.handlers.onboarding import resume_or_welcome
from bot.services.clients import register_therapist
from bot.services.identity import Role


async def start_command(update: Update, context: BotContext) -> None:
    sender = await command_sender(update, context)
    if sender is None:
        return
    message, user, who = sender
    services = services_of(context)
    if who.role is Role.THERAPIST:
        # Also creates their Monday summary schedule (bot.services.schedules).
        await register_therapist(
            services.db,
            telegram_id=user.id,
            display_name=user.full_name,
            timezone=services.settings.therapist_zone,
            now=services.now(),
        )
        await set_therapist_menu(context.bot, user.id)
        await message.reply_text(texts.THERAPIST_WELCOME)
    elif who.role is Role.CLIENT:
        # An unfinished onboarding picks up where it stopped.
        await resume_or_welcome(message, context, user.id, done_text=texts.CLIENT_WELCOME_BACK)
    else:
        await message.reply_text(texts.STRANGER)


async def help_command(update: Update, context: BotContext) -> None:
    sender = await command_sender(update, context)
    if sender is None:
        return
    message, _, who = sender
    if who.role is Role.THERAPIST:
        await message.reply_text(texts.THERAPIST_HELP)
    elif who.role is Role.CLIENT:
        await message.reply_text(texts.CLIENT_HELP)
    else:
        await message.reply_text(texts.STRANGER)


def register(app: BotApplication) -> None:
    # Edited messages are not commands a second time.
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("start", start_command, filters=private))
    app.add_handler(CommandHandler("help", help_command, filters=private))
