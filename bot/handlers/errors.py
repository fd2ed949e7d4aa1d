"""The one error handler: log the cause without personal data, tell the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import texts
from bot.handlers.common import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # Type and update id only: the exception text may quote the user's message.
    log.error(
        "handler failed",
        extra={"error_type": type(error).__name__, "update_id": update_id},
    )
    if not isinstance(update, Update):
        return
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(texts.SOMETHING_WENT_WRONG, show_alert=True)
            return
        except TelegramError:
            # Already answered before the failure (or too old): say it in the chat instead.
            pass
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    try:
        await context.bot.send_message(chat.id, texts.SOMETHING_WENT_WRONG)
    except TelegramError as exc:
        log.warning(
            "could not tell the user about an error", extra={"error_type": type(exc).__name__}
        )
