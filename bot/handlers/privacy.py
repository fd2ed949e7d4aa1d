"""/privacy, /export and /delete: the client's rights over their data."""

from __future__ import annotations

import logging
from datetime import time

from telegram import InputFile, Update
from telegram.ext import CommandHandler

from bot.buttons.safety import DELETE, DeleteButton, KeepData
from bot.domain.periodic import latest_daily_slot
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    edit_query_message,
    services_of,
)
from bot.handlers.menus import clear_client_menu
from bot.services import privacy
from bot.services.identity import Role, identify
from bot.services.periodic import claim_periodic_run
from bot.telegram_markup import to_markup
from bot.texts import privacy as t

log = logging.getLogger(__name__)
PURGE_JOB = "purge"


async def privacy_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = services_of(context)
    who = await identify(services.db, telegram_id=user.id, therapist_ids=frozenset())
    if who.role is Role.CLIENT:
        await message.reply_text(
            t.privacy_text(
                services.settings.practice_name,
                duty_therapist=bool(services.settings.red_flag_also_notify),
            )
        )
    else:
        await message.reply_text(t.PRIVACY_NOT_CLIENT)


async def export_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = services_of(context)
    data = await privacy.export_client_data(services.db, telegram_id=user.id, now=services.now())
    if data is None:
        await message.reply_text(t.NOTHING_STORED)
        return
    await message.reply_text(t.EXPORT_INTRO)
    # One document per spreadsheet, not a zip: a phone opens each with one tap (Telegram's
    # preview, Files, Sheets), where a zip would first need unpacking.
    for sheet in data.sheets:
        await message.reply_document(
            InputFile(sheet.content, filename=sheet.filename),
            caption=t.EXPORT_SHEET_CAPTIONS.get(sheet.filename, ""),
        )
    await message.reply_document(
        InputFile(data.json_bytes, filename=t.EXPORT_JSON_NAME), caption=t.EXPORT_JSON_CAPTION
    )


async def delete_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = services_of(context)
    who = await identify(services.db, telegram_id=user.id, therapist_ids=frozenset())
    if who.client_id is None:
        await message.reply_text(t.NOTHING_STORED)
        return
    await message.reply_text(
        t.DELETE_CONFIRM, reply_markup=to_markup(t.delete_keyboard(who.client_id))
    )


async def delete_button(press: Press[DeleteButton], context: BotContext) -> None:
    """Yes erases (the press guard checked the client id is the presser's own); No cancels."""
    query, button = press.query, press.button
    if isinstance(button, KeepData):
        await query.answer()
        await edit_query_message(query, t.DELETE_CANCELLED)
        return
    services = services_of(context)
    erased = await privacy.erase_client(
        services.db,
        telegram_id=query.from_user.id,
        client_id=button.client_id,
        now=services.now(),
        pseudonym_key=services.settings.audit_pseudonym_key(),
    )
    if erased is None:
        await query.answer(t.DELETE_STALE, show_alert=True)
        return
    await query.answer()
    await edit_query_message(query, t.DELETED)
    await clear_client_menu(context.bot, query.from_user.id)


async def purge_job(context: BotContext) -> None:
    """Daily: unused invites and pending inputs past their expiry are deleted (they name
    people and serve no one any more). Counts only in the log.

    Every instance's job fires; the day's slot (the job's time, in `job.data`) is claimed in
    the ledger, so one of them purges.
    """
    services = services_of(context)
    now = services.now()
    at = context.job.data if context.job is not None else None
    if isinstance(at, time) and not await claim_periodic_run(
        services.db, job=PURGE_JOB, slot=latest_daily_slot(now, at), now=now
    ):
        return
    purged = await privacy.purge_expired(services.db, now=services.now())
    log.info(
        "expired rows purged",
        extra={"invites": purged.invites, "pending_inputs": purged.pending_inputs},
    )


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("privacy", privacy_command, filters=private))
    app.add_handler(CommandHandler("export", export_command, filters=private))
    app.add_handler(CommandHandler("delete", delete_command, filters=private))
    app.add_handler(ButtonHandler(DELETE, Audience.CLIENT, delete_button))
