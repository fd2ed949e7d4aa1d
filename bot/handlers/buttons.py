"""The one door for button presses: parse the data with the area's codec, then the press guard.

Every button handler is registered as a `ButtonHandler(area, audience, callback)`. Before the
callback runs, the press must be

1. data that parses as one of the area's buttons (anything else: "this button has expired");
2. on a message in the presser's own private chat (a forged or shared press is "not yours");
3. from someone whose role still holds: a live (not erased) client for client buttons, an id
   still in THERAPIST_IDS for therapist buttons;
4. about the presser's own records: every record id in the data (bot.buttons.RecordId) is
   about the presser (a client) or about one of their live clients (a therapist).

A refused press is answered and changes nothing. The callback gets a `Press` with the typed
button and who pressed it; the services still look records up by the presser's id.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic

from telegram import CallbackQuery, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.buttons import Area, B, record_fields
from bot.handlers.common import BotContext, identify_user, services_of
from bot.services.identity import Identity, Role
from bot.services.ownership import owns_records
from bot.texts import therapist as therapist_texts


class Audience(enum.Enum):
    CLIENT = "client"  # a live client (not erased), whatever their status
    THERAPIST = "therapist"  # a Telegram id in THERAPIST_IDS
    MEMBER = "member"  # a client or a therapist (the exercise library)
    INVITEE = "invitee"  # someone holding an invite: a stranger or a client, not a therapist
    # Anyone in their own chat: a "yes" on the red-flag screen always gets the emergency advice,
    # even from someone whose client record is gone.
    ANYONE = "anyone"


@dataclass(frozen=True)
class Press(Generic[B]):
    """A guarded press: the query (to answer and edit), the typed button, who pressed it."""

    query: CallbackQuery
    button: B
    who: Identity

    @property
    def user_id(self) -> int:
        return self.who.telegram_id


PressCallback = Callable[[Press[B], BotContext], Awaitable[None]]


def in_own_private_chat(query: CallbackQuery) -> bool:
    """Buttons only ever live in the presser's private chat; anything else is not theirs."""
    message = query.message
    return (
        message is not None
        and message.chat.type == ChatType.PRIVATE
        and message.chat.id == query.from_user.id
    )


def _role_allowed(audience: Audience, who: Identity) -> bool:
    if audience is Audience.THERAPIST:
        return who.role is Role.THERAPIST
    if audience is Audience.CLIENT:
        return who.role is Role.CLIENT
    if audience is Audience.MEMBER:
        return who.role is not Role.STRANGER
    if audience is Audience.ANYONE:
        return True
    return who.role is not Role.THERAPIST


def _role_refusal(audience: Audience) -> str:
    if audience is Audience.THERAPIST:
        return therapist_texts.THERAPIST_ONLY_BUTTON
    return texts.NOT_YOURS


async def guarded_press(
    update: Update, context: BotContext, area: Area[B], audience: Audience
) -> Press[B] | str | None:
    """The press if the guard lets it through; otherwise the refusal to answer with."""
    query = update.callback_query
    if query is None:
        return None
    button = area.parse(query.data)
    if button is None:
        return texts.STALE_BUTTON
    if not in_own_private_chat(query):
        return texts.NOT_YOURS
    who = await identify_user(context, query.from_user.id)
    if not _role_allowed(audience, who):
        return _role_refusal(audience)
    records = record_fields(button)
    if records and not await owns_records(services_of(context).db, who=who, records=records):
        return texts.STALE_BUTTON
    return Press(query, button, who)


class ButtonHandler(CallbackQueryHandler[BotContext, None], Generic[B]):
    """A `CallbackQueryHandler` for one area's buttons, behind the press guard.

    `follows` marks a second handler for presses another handler already answered (in an
    earlier group): it is refused silently instead of answering a second time.
    """

    def __init__(
        self,
        area: Area[B],
        audience: Audience,
        callback: PressCallback[B],
        *,
        follows: bool = False,
    ) -> None:
        self.area = area
        self.audience = audience
        self.follows = follows
        self.press_callback = callback

        async def guarded(update: Update, context: BotContext) -> None:
            press = await guarded_press(update, context, area, audience)
            if isinstance(press, Press):
                await callback(press, context)
            elif press is not None and not follows and update.callback_query is not None:
                await update.callback_query.answer(press, show_alert=press != texts.STALE_BUTTON)

        super().__init__(guarded, pattern=area.pattern)
