"""Messages between the therapist and a client, carried by the bot.

"Message client" (client:msg:<id>) asks the therapist to type; their next text goes to the
client, labelled as from their therapist. The client's reply (a Telegram reply to it, or their
next text while the relay is open) comes back labelled with their name; the therapist can reply
to that in turn. Typed text reaches `relay_text` through the text router
(bot.handlers.text), after the red-flag screen: a client text that mentions a red flag takes
the urgent path and is never just relayed.
"""

from __future__ import annotations

import logging

from telegram import Message

from bot.buttons.therapist import MESSAGE_CLIENT, RELAY, CancelRelay, MessageClient
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import BotApplication, BotContext, edit_query_message, services_of
from bot.keyboards import rows
from bot.services.pending import PendingKind
from bot.services.relay import (
    Direction,
    RelayTarget,
    cancel_relay,
    open_relay_to_client,
    queue_relayed,
    route_client_reply,
    route_therapist_reply,
    take_relay_to_client,
)
from bot.telegram_markup import to_markup
from bot.texts import therapist as t

log = logging.getLogger(__name__)
CANCEL_BUTTON = "✖️ Cancel"


async def message_client_button(press: Press[MessageClient], context: BotContext) -> None:
    query, therapist = press.query, press.user_id
    services = services_of(context)
    target = await open_relay_to_client(
        services.db,
        therapist_telegram_id=therapist,
        client_id=press.button.client_id,
        now=services.now(),
    )
    if target is None:
        await query.answer(t.RELAY_NOT_POSSIBLE, show_alert=True)
        return
    await query.answer()
    await context.bot.send_message(
        therapist,
        t.RELAY_PROMPT.format(name=target.client_name),
        reply_markup=to_markup(rows([(CANCEL_BUTTON, CancelRelay().pack())])),
    )


async def cancel_button(press: Press[CancelRelay], context: BotContext) -> None:
    await cancel_relay(services_of(context).db, telegram_id=press.user_id)
    await press.query.answer()
    await edit_query_message(press.query, t.RELAY_CANCELLED)


async def _deliver(
    message: Message, context: BotContext, target: RelayTarget, direction: Direction
) -> None:
    """Queue the message for the dispatcher and tell the sender; the recipient is not the
    user who acted, so it is never sent from here."""
    assert message.text is not None
    services = services_of(context)
    quiet_until = await queue_relayed(
        services.db,
        target=target,
        direction=direction,
        parts=(
            t.relay_to_client(message.text)
            if direction is Direction.TO_CLIENT
            else t.relay_to_therapist(target.client_name, message.text)
        ),
        now=services.now(),
    )
    if direction is Direction.TO_CLIENT and quiet_until is not None:
        await message.reply_text(
            t.RELAY_SENT_AFTER_QUIET_HOURS.format(
                name=target.client_name, at=quiet_until.strftime("%H:%M")
            )
        )
    elif direction is Direction.TO_CLIENT:
        await message.reply_text(t.RELAY_SENT.format(name=target.client_name))
    else:
        await message.reply_text(t.RELAY_REPLY_SENT)


async def relay_text(
    message: Message, context: BotContext, *, therapist: bool, awaited: PendingKind | None
) -> bool:
    """A therapist's message to a client, or a client's answer to a relayed message: queued
    (True), or not a relay (False). The text router calls it after the red-flag screen."""
    assert message.from_user is not None and message.text is not None
    user_id, services = message.from_user.id, services_of(context)
    now = services.now()
    replied = message.reply_to_message.message_id if message.reply_to_message else None
    target = None
    if therapist:
        if replied is not None:
            target = await route_therapist_reply(
                services.db, therapist_telegram_id=user_id, reply_to_message_id=replied, now=now
            )
        if target is None and awaited is PendingKind.RELAY_TO_CLIENT:
            target = await take_relay_to_client(services.db, therapist_telegram_id=user_id, now=now)
        direction = Direction.TO_CLIENT
    else:
        if replied is not None or awaited is PendingKind.RELAY_REPLY:
            target = await route_client_reply(
                services.db, client_telegram_id=user_id, reply_to_message_id=replied, now=now
            )
        direction = Direction.TO_THERAPIST
    if target is None:
        return False
    await _deliver(message, context, target, direction)
    return True


def register(app: BotApplication) -> None:
    app.add_handler(ButtonHandler(MESSAGE_CLIENT, Audience.THERAPIST, message_client_button))
    app.add_handler(ButtonHandler(RELAY, Audience.THERAPIST, cancel_button))
