"""The one way in for typed text (and captions) in a private chat.

The order is the safety rule, so it is written here once rather than spread over handler
groups:

1. the red-flag screen, before anything waits for the database: any client text that
   mentions a red flag gets the emergency advice first (edited messages too: a client who
   edits a message to say their legs went numb still gets it; one report per message), and
   nothing else answers it — except a pain note the client was typing, which keeps the text;
2. an update Telegram delivered again is dropped (`redelivery`), as every other update is;
3. the input the bot awaits from this user, read once (`PendingKind`), goes to the flow that
   owns it: a relay (or a Telegram reply to a relayed message, whatever was awaited), a typed
   place or time, the day's pain note;
4. a whole "done" / "thanks" / "ok";
5. the exercise-question matcher, whose last resort is the fallback answer.

Edited messages stop after the screen; captions (a photo with words) after step 2 get the
fallback answer.
"""

from __future__ import annotations

from telegram import Message, Update, User
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.domain.short_replies import short_reply
from bot.handlers import checkin, exercises, fallback, onboarding, red_flags, relay, short_replies
from bot.handlers.common import BotApplication, BotContext, services_of
from bot.handlers.redelivery import redelivered
from bot.services.pending import SETTINGS_KINDS, PendingKind, awaited_input

# Before every other group, the redelivery check (-100) included: the emergency advice must not
# wait for the database. The router stops every update it takes, so nothing after it reads text.
TEXT_GROUP = -200
TYPED_TEXT = filters.ChatType.PRIVATE & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND


async def typed_text(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    screen = await red_flags.screen_typed_text(message, user, context)
    if screen is red_flags.Screen.URGENT or await redelivered(update, context):
        raise ApplicationHandlerStop
    if update.message is None:
        raise ApplicationHandlerStop  # an edit is never read as a new answer
    if not message.text:
        await fallback.unknown_message(update, context)
    elif screen is red_flags.Screen.URGENT_WHILE_AWAITED:
        await _after_red_flag(message, user, context)
    else:
        await _route(update, message, user, context)
    raise ApplicationHandlerStop


async def _after_red_flag(message: Message, user: User, context: BotContext) -> None:
    """The advice is given; a pain note being typed still keeps the text, nothing else reads it."""
    awaited = await awaited_input(services_of(context).db, telegram_id=user.id)
    if awaited is PendingKind.PAIN_NOTE:
        await checkin.pain_note_text(message, context)


async def _route(update: Update, message: Message, user: User, context: BotContext) -> None:
    assert message.text is not None
    services = services_of(context)
    awaited = await awaited_input(services.db, telegram_id=user.id)
    therapist = user.id in services.settings.therapist_ids
    if await relay.relay_text(message, context, therapist=therapist, awaited=awaited):
        return
    if awaited in SETTINGS_KINDS and await onboarding.typed_answer_text(message, context):
        return
    if awaited is PendingKind.PAIN_NOTE and await checkin.pain_note_text(message, context):
        return
    meaning = short_reply(message.text)
    if meaning is not None:
        await short_replies.short_reply_text(update, context, meaning)
        return
    await exercises.exercise_question_text(update, context)


def register(app: BotApplication) -> None:
    app.add_handler(MessageHandler(TYPED_TEXT, typed_text), group=TEXT_GROUP)
