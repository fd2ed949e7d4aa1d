"""First door for every update: one already taken (Telegram redelivers what the bot did not
confirm before a crash) stops here, so every handler acts on an update at most once."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.handlers.common import BotApplication, BotContext, services_of
from bot.services.updates import first_delivery

log = logging.getLogger(__name__)

# Before every other group (relays -4, pending text -3, notes -1, default 0) except the
# red-flag guard (-200), whose emergency advice must not wait for the database.
REDELIVERY_GROUP = -100


async def skip_redelivered(update: Update, context: BotContext) -> None:
    services = services_of(context)
    claims = services.update_claims
    first = (
        await claims.first_delivery(update_id=update.update_id, now=services.now())
        if claims is not None
        else await first_delivery(services.db, update_id=update.update_id, now=services.now())
    )
    if not first:
        log.info("redelivered update skipped", extra={"update_id": update.update_id})
        raise ApplicationHandlerStop


def register(app: BotApplication) -> None:
    app.add_handler(TypeHandler(Update, skip_redelivered), group=REDELIVERY_GROUP)
