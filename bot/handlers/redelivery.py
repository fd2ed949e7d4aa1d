"""First door for every update: one already taken (Telegram redelivers what the bot did not
confirm before a crash) stops here, so every handler acts on an update at most once."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.handlers.common import BotApplication, BotContext, services_of
from bot.services.updates import first_delivery

log = logging.getLogger(__name__)

# Before every other group except the typed-text router (bot.handlers.text), which screens
# for red flags before anything waits for the database, then asks `redelivered` itself.
REDELIVERY_GROUP = -100


async def redelivered(update: Update, context: BotContext) -> bool:
    """Whether this update was taken before (and, if not, record it as taken now)."""
    services = services_of(context)
    claims = services.update_claims
    first = (
        await claims.first_delivery(update_id=update.update_id, now=services.now())
        if claims is not None
        else await first_delivery(services.db, update_id=update.update_id, now=services.now())
    )
    if first:
        return False
    log.info("redelivered update skipped", extra={"update_id": update.update_id})
    return True


async def skip_redelivered(update: Update, context: BotContext) -> None:
    if await redelivered(update, context):
        raise ApplicationHandlerStop


def register(app: BotApplication) -> None:
    app.add_handler(TypeHandler(Update, skip_redelivered), group=REDELIVERY_GROUP)
