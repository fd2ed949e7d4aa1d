"""The door to every therapist feature: only users in THERAPIST_IDS get through.

A client or a stranger gets the same answer as for any command they cannot use (nothing about
the feature or anyone's data leaks); a button press is always answered. Past the door: which
client a therapist's command or button names (the services re-check that it is theirs).
"""

from __future__ import annotations

from typing import NamedTuple

from telegram import CallbackQuery, Message, Update

from bot.handlers.common import BotContext, identify_user, refusal_for, services_of
from bot.services.clients import find_clients, register_therapist
from bot.services.identity import Role
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
            timezone=services.settings.default_timezone,
            now=services.now(),
        )
        return user.id
    query, message = update.callback_query, update.effective_message
    if query is not None:
        await query.answer(t.THERAPIST_ONLY_BUTTON, show_alert=True)
    elif message is not None:
        await message.reply_text(refusal_for(who))
    return None


def int_arg(data: str | None, index: int) -> int | None:
    """The `index`-th ":"-separated part of callback data as an int; None if malformed."""
    parts = (data or "").split(":")
    if len(parts) <= index or not parts[index].isdigit():
        return None
    return int(parts[index])


class TherapistCommand(NamedTuple):
    message: Message
    therapist: int


class TherapistPress(NamedTuple):
    query: CallbackQuery
    therapist: int
    record_id: int


async def therapist_command(update: Update, context: BotContext) -> TherapistCommand | None:
    """The therapist's command message and id; None after refusing a client or stranger."""
    therapist = await therapist_id_or_refuse(update, context)
    message = update.effective_message
    if therapist is None or message is None:
        return None
    return TherapistCommand(message, therapist)


async def therapist_press(
    update: Update, context: BotContext, *, gone: str
) -> TherapistPress | None:
    """A therapist's press on a button whose data names a record (`area:action:<id>`).

    None once the press is answered: refused for a client or stranger, or `gone` shown when the
    data carries no id (callback data is never trusted; the service checks the record is theirs).
    """
    therapist = await therapist_id_or_refuse(update, context)
    query = update.callback_query
    if therapist is None or query is None:
        return None
    record_id = int_arg(query.data, 2)
    if record_id is None:
        await query.answer(gone, show_alert=True)
        return None
    return TherapistPress(query, therapist, record_id)


async def client_named_by(
    command: TherapistCommand, context: BotContext, *, usage: str, action: str
) -> int | None:
    """The id of the one client the command's argument names; None after replying with how to
    use the command, or with the matching clients as `client:<action>:<id>` buttons."""
    message, therapist = command
    query = " ".join(context.args or []).strip()
    if not query:
        await message.reply_text(usage)
        return None
    services = services_of(context)
    matches = await find_clients(services.db, therapist_telegram_id=therapist, query=query)
    if len(matches) != 1:
        text = t.CLIENT_WHICH if matches else t.CLIENT_NOT_FOUND
        await message.reply_text(
            text.format(query=query), reply_markup=t.choose_client_keyboard(matches, action)
        )
        return None
    return matches[0][0]
