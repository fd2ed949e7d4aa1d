"""The therapist's /export (all clients) and the card's Export button (one client): CSV files.

Clients have their own /export (their data only, bot.handlers for privacy); this handler is
registered for the therapist ids only, so a client's /export reaches theirs.
"""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.buttons.therapist import EXPORT_CLIENT, ExportClient
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    services_of,
)
from bot.handlers.therapist_access import therapist_command
from bot.services.therapist_export import export_all_clients, export_one_client
from bot.texts import therapist as t


async def export_command(update: Update, context: BotContext) -> None:
    command = await therapist_command(update, context)
    if command is None:
        return
    message, therapist = command
    services = services_of(context)
    export = await export_all_clients(
        services.db, therapist_telegram_id=therapist, now=services.now()
    )
    await context.bot.send_document(
        message.chat_id,
        InputFile(export.content, filename=export.filename),
        caption=t.EXPORT_CAPTION.format(clients=export.clients),
    )


async def export_client_button(press: Press[ExportClient], context: BotContext) -> None:
    query, therapist, client_id = press.query, press.user_id, press.button.client_id
    services = services_of(context)
    export = await export_one_client(
        services.db, therapist_telegram_id=therapist, client_id=client_id, now=services.now()
    )
    if export is None:
        await query.answer(t.CLIENT_GONE, show_alert=True)
        return
    await query.answer()
    await context.bot.send_document(
        therapist,
        InputFile(export.content, filename=export.filename),
        caption=t.EXPORT_CAPTION.format(clients=1),
    )


def register(app: BotApplication) -> None:
    therapists = filters.User(user_id=app.bot_data.services.settings.therapist_ids)
    app.add_handler(CommandHandler("export", export_command, filters=PRIVATE_MESSAGE & therapists))
    app.add_handler(ButtonHandler(EXPORT_CLIENT, Audience.THERAPIST, export_client_button))
