"""Typed "done", "thanks" and "ok": answered for what they obviously mean, never "I'm not sure".

The text router (bot.handlers.text) asks here after the red-flag screen, relays and pending
answers (a city, a time, a note), and before the exercise-question reader and the fallback.
Only whole short replies (`bot.domain.short_replies`) come here: any other text passes on.
"""

from __future__ import annotations

from telegram import Update

from bot.domain.short_replies import ShortReply
from bot.handlers import fallback
from bot.handlers.common import BotContext, services_of
from bot.services.reminders import record_typed_done
from bot.texts import reminders as t


async def short_reply_text(update: Update, context: BotContext, meaning: ShortReply) -> None:
    """The text router calls this for a whole "done", "thanks" or "ok" nobody else took."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    if meaning is ShortReply.THANKS:
        await message.reply_text(t.THANKS_REPLY)
        return
    if meaning is ShortReply.OK:
        await message.reply_text(t.OK_REPLY)
        return
    services = services_of(context)
    done = await record_typed_done(services.db, telegram_id=user.id, now=services.now())
    if not done.is_client:
        await fallback.unknown_message(update, context)
    elif done.recorded_at_slot is None:
        await message.reply_text(t.TYPED_DONE_NOTHING_OPEN)
    else:
        at = done.recorded_at_slot
        await message.reply_text(t.TYPED_DONE.format(time=f"{at.hour:02d}:{at.minute:02d}"))
