"""Per-chat command menus: a client's own menu once they are set up, removed when they leave.

The default menu (everyone) and the therapist's are set at start-up in `bot.app`.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot import texts

log = logging.getLogger(__name__)


async def set_client_menu(bot: Bot, chat_id: int) -> None:
    commands = [BotCommand(name, description) for name, description in texts.CLIENT_COMMANDS]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        # A missing menu is an inconvenience, never a reason to fail the client's step.
        log.warning("client menu not set", extra={"error_type": type(exc).__name__})


async def clear_client_menu(bot: Bot, chat_id: int) -> None:
    """Back to the default menu (e.g. after erasure)."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("client menu not cleared", extra={"error_type": type(exc).__name__})
