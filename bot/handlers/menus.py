"""Per-chat command menus: a client's own menu once they are set up, removed when they leave.

The default menu (everyone) and the therapist's are set at start-up in `bot.app`; the
therapist's again on their /start, for a therapist who had not opened the chat by then.
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


async def set_therapist_menu(bot: Bot, chat_id: int) -> None:
    """On the therapist's /start: at start-up Telegram refuses a chat-scoped menu for a chat
    that was never opened ("chat not found"), so the first /start is when it can be set."""
    commands = [BotCommand(name, description) for name, description in texts.THERAPIST_COMMANDS]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("therapist menu not set", extra={"error_type": type(exc).__name__})


async def clear_client_menu(bot: Bot, chat_id: int) -> None:
    """Back to the default menu (e.g. after erasure)."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("client menu not cleared", extra={"error_type": type(exc).__name__})
