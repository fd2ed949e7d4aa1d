"""Shared by handlers: the typed context and how to reach the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from telegram import CallbackQuery, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue, filters

from bot import texts
from bot.keyboards import Keyboard
from bot.services.container import ServiceContainer
from bot.services.identity import Identity, Role, identify
from bot.telegram_markup import to_markup

if TYPE_CHECKING:
    from scheduler.tick import Scheduler


class BotData:
    """`context.bot_data`: what every handler and job reaches, wired once by `bot/app.py`.

    python-telegram-bot makes it (without arguments) when the application is built;
    `build_application` then sets both attributes before anything runs.
    """

    __slots__ = ("scheduler", "services")

    services: ServiceContainer
    scheduler: Scheduler


# The rate limiter (AIORateLimiter) takes an int of per-call arguments: hence ExtBot[int].
BotContext = CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]
BotApplication = Application[
    ExtBot[int], BotContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[BotContext]
]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)
# A new message in a private chat (an edited one is not a command or an answer a second time).
PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


def services_of(context: BotContext) -> ServiceContainer:
    return context.bot_data.services


class Sender(NamedTuple):
    message: Message
    user: User
    who: Identity


async def identify_user(context: BotContext, telegram_id: int) -> Identity:
    """Therapist (THERAPIST_IDS), client or stranger."""
    services = services_of(context)
    return await identify(
        services.db,
        telegram_id=telegram_id,
        therapist_ids=services.settings.therapist_ids,
        lookups=services.client_lookups,
    )


async def command_sender(update: Update, context: BotContext) -> Sender | None:
    """The message, who sent it and what they are to us; None for an update without either."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return None
    return Sender(message, user, await identify_user(context, user.id))


def refusal_for(who: Identity) -> str:
    """The answer to a command this user cannot use: the same as for a command that isn't one,
    so nothing about the feature leaks; a stranger is told to ask their therapist."""
    return texts.STRANGER if who.role is Role.STRANGER else texts.UNKNOWN_COMMAND


def _harmless_edit_refusal(exc: BadRequest) -> bool:
    reason = str(exc).lower()
    return "not modified" in reason or "not found" in reason


async def edit_query_message(
    query: CallbackQuery, text: str, reply_markup: Keyboard | None = None
) -> None:
    """Edit the message a button was on; a repeat of the same edit (a double tap) is fine.

    Telegram answers an identical edit with "message is not modified", and an edit of a message
    too old or gone with "message to edit not found": neither is a failure for the user.
    """
    message = query.message
    if isinstance(message, Message) and message.text is None:
        # A button under a photo or document (or a forged press naming one): Telegram refuses
        # to edit text there ("There is no text in the message to edit"), so the buttons go
        # and the answer comes as a new message in the same (the presser's own) chat.
        await edit_query_markup(query, None)
        await message.reply_text(text, reply_markup=to_markup(reply_markup))
        return
    try:
        await query.edit_message_text(text, reply_markup=to_markup(reply_markup))
    except BadRequest as exc:
        if not _harmless_edit_refusal(exc):
            raise


async def edit_query_markup(query: CallbackQuery, reply_markup: Keyboard | None) -> None:
    """Replace (None: remove) the buttons of the message a button was on; a repeat is fine."""
    try:
        await query.edit_message_reply_markup(to_markup(reply_markup))
    except BadRequest as exc:
        if not _harmless_edit_refusal(exc):
            raise
