"""The door to every therapist feature: only users in THERAPIST_IDS get through.

A client or a stranger gets the same answer as for any command they cannot use (nothing about
the feature or anyone's data leaks). Past the door: which client a therapist's command names
(the services re-check that it is theirs). Buttons go through bot.handlers.buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from telegram import Message, Update

from bot.buttons.therapist import ClientButton
from bot.handlers.common import BotContext, identify_user, refusal_for, services_of
from bot.services.clients import find_clients, register_therapist
from bot.services.identity import Role
from bot.telegram_markup import to_markup
from bot.texts import therapist as t


async def therapist_id_or_refuse(update: Update, context: BotContext) -> int | None:
    """The therapist's Telegram id, or None after refusing a client or stranger politely."""
    user = update.effective_user
    if user is None:
        return None
    who = await identify_user(context, user.id)
    if who.role is Role.THERAPIST:
        services = services_of(context)
        # First use creates the therapist row and their Monday summary schedule.
        await register_therapist(
            services.db,
            telegram_id=user.id,
            display_name=user.full_name,
            timezone=services.settings.therapist_zone,
            now=services.now(),
        )
        return user.id
    query, message = update.callback_query, update.effective_message
    if query is not None:
        await query.answer(t.THERAPIST_ONLY_BUTTON, show_alert=True)
    elif message is not None:
        await message.reply_text(refusal_for(who))
    return None


class TherapistCommand(NamedTuple):
    message: Message
    therapist: int


async def therapist_command(update: Update, context: BotContext) -> TherapistCommand | None:
    """The therapist's command message and id; None after refusing a client or stranger."""
    therapist = await therapist_id_or_refuse(update, context)
    message = update.effective_message
    if therapist is None or message is None:
        return None
    return TherapistCommand(message, therapist)


async def client_named_by(
    command: TherapistCommand,
    context: BotContext,
    *,
    usage: str,
    button: Callable[[int], ClientButton],
) -> int | None:
    """The id of the one client the command's argument names; None after replying with how to
    use the command, or with the matching clients as `button` buttons."""
    message, therapist = command
    query = " ".join(context.args or []).strip()
    if not query:
        await message.reply_text(usage)
        return None
    services = services_of(context)
    matches = await find_clients(services.db, therapist_telegram_id=therapist, query=query)
    if len(matches) != 1:
        await message.reply_text(
            t.no_single_client(query, several=bool(matches)),
            reply_markup=to_markup(t.choose_client_keyboard(matches, button)),
        )
        return None
    return matches[0][0]
