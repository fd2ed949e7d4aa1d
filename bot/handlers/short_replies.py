"""Typed "done", "thanks" and "ok": answered for what they obviously mean, never "I'm not sure".

Registered in the default group just before the exercise-question reader and the fallback, so
the red-flag guard, pending answers (a city, a time, a note) and relays still come first. The
filter matches only whole short replies (`bot.domain.short_replies`): any other text passes on.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot.domain.short_replies import ShortReply, short_reply
from bot.handlers import fallback
from bot.handlers.common import PRIVATE_MESSAGE, BotApplication, BotContext, services_of
from bot.services.reminders import record_typed_done
from bot.texts import reminders as t


class _ShortReplyFilter(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return message.text is not None and short_reply(message.text) is not None


SHORT_REPLY = _ShortReplyFilter(name="short_reply")


async def short_reply_text(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return
    meaning = short_reply(message.text)
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


def register(app: BotApplication) -> None:
    app.add_handler(
        MessageHandler(
            PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND & SHORT_REPLY, short_reply_text
        )
    )
