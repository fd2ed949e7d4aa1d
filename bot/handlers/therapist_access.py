"""The door to every therapist feature: only users in THERAPIST_IDS get through.

A client or a stranger gets the same answer as for any command they cannot use (nothing about
the feature or anyone's data leaks); a button press is always answered.
"""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.handlers.common import BotContext, services_of
from bot.services.clients import register_therapist
from bot.services.identity import Role, identify
from bot.texts import therapist as t


async def therapist_id_or_refuse(update: Update, context: BotContext) -> int | None:
    """The therapist's Telegram id, or None after refusing a client or stranger politely."""
    user = update.effective_user
    if user is None:
        return None
    services = services_of(context)
    who = await identify(
        services.db, telegram_id=user.id, therapist_ids=services.settings.therapist_ids
    )
    if who.role is Role.THERAPIST:
        # First use creates the therapist row and their Monday summary schedule.
        await register_therapist(
            services.db,
            telegram_id=user.id,
            display_name=user.full_name,
            timezone=services.settings.default_timezone,
            now=services.now(),
        )
        return user.id
    query, message = update.callback_query, update.effective_message
    if query is not None:
        await query.answer(t.THERAPIST_ONLY_BUTTON, show_alert=True)
    elif message is not None:
        await message.reply_text(
            texts.STRANGER if who.role is Role.STRANGER else texts.UNKNOWN_COMMAND
        )
    return None


def int_arg(data: str | None, index: int) -> int | None:
    """The `index`-th ":"-separated part of callback data as an int; None if malformed."""
    parts = (data or "").split(":")
    if len(parts) <= index or not parts[index].isdigit():
        return None
    return int(parts[index])
