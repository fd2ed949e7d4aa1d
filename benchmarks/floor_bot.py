"""The interaction benchmark's floor: python-telegram-bot doing only what a check-in press needs.

`python -m benchmarks.floor_bot` is built with the bot's own Telegram-facing settings
(`bot.app.application_builder`: Defaults, AIORateLimiter, the per-user update processor, the
connection pool), runs on the bot's event loop (`bot.app.new_event_loop`) and polls with the
same `allowed_updates`. It answers /pain with the same prompt, and each check-in press by
answering the callback query and editing the message into the same next screen — no
database, no press guard, no redelivery record, no alert rules. What a press costs here is the
framework's (and the HTTP stack's) share; what our bot spends above it is ours. Reads the same
environment as `python -m bot run` (token, API base URL, CONCURRENT_UPDATES).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot.app import application_builder, new_event_loop
from bot.buttons.checkin import PAIN, BackPain, LegPain
from bot.cli.run import ALLOWED_UPDATES
from bot.config import load_settings
from bot.telegram_markup import to_markup
from bot.texts import checkin as t
from bot.update_processing import PerUserUpdateProcessor


async def _pain(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        text, keyboard = t.leg_pain_prompt(datetime.now(UTC).date())
        await update.effective_message.reply_text(text, reply_markup=to_markup(keyboard))


async def _press(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    button = PAIN.parse(query.data)
    if isinstance(button, LegPain):
        await query.answer()
        text, keyboard = t.back_pain_prompt(button.leg, button.day)
        await query.edit_message_text(text, reply_markup=to_markup(keyboard))
    elif isinstance(button, BackPain):
        saved = t.SAVED.format(leg=button.leg, back=button.back)
        await query.answer(saved)
        await query.edit_message_text(
            f"{saved}\n\n{t.NOTE_INVITE}", reply_markup=to_markup(t.note_keyboard())
        )
    else:
        await query.answer()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    settings = load_settings()
    app = application_builder(settings, PerUserUpdateProcessor(settings.concurrent_updates)).build()
    app.add_handler(CommandHandler("pain", _pain))
    app.add_handler(CallbackQueryHandler(_press, pattern=PAIN.pattern))
    asyncio.set_event_loop(new_event_loop())  # the bot's own event loop (uvloop)
    app.run_polling(allowed_updates=ALLOWED_UPDATES)


if __name__ == "__main__":
    main()
