"""Shared by handlers: the typed context and how to reach the services."""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ExtBot

from bot.services.container import ServiceContainer

BotContext = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
SERVICES_KEY = "services"


def services_of(context: BotContext) -> ServiceContainer:
    container = context.bot_data[SERVICES_KEY]
    if not isinstance(container, ServiceContainer):
        raise TypeError("bot_data has no ServiceContainer; build the app with bot.app")
    return container


async def edit_query_message(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the message a button was on; a repeat of the same edit (a double tap) is fine.

    Telegram answers an identical edit with "message is not modified", and an edit of a message
    too old or gone with "message to edit not found": neither is a failure for the user.
    """
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as exc:
        reason = str(exc).lower()
        if "not modified" not in reason and "not found" not in reason:
            raise


async def edit_query_markup(query: CallbackQuery, reply_markup: InlineKeyboardMarkup) -> None:
    """Replace the buttons of the message a button was on; a repeat (double tap) is fine."""
    try:
        await query.edit_message_reply_markup(reply_markup)
    except BadRequest as exc:
        reason = str(exc).lower()
        if "not modified" not in reason and "not found" not in reason:
            raise
