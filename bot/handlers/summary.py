"""/summary: the weekly summary on demand, its overview chart, and a chart per client."""

from __future__ import annotations

import asyncio

from telegram import Bot, InputFile, Update
from telegram.ext import CommandHandler

from bot.buttons.therapist import SUMMARY, ClientChart
from bot.charts import summary_overview_png
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.clients import pressed_client_card, send_pain_chart
from bot.handlers.common import PRIVATE_MESSAGE, BotApplication, BotContext, services_of
from bot.handlers.exercise_suggestions import send_summary_suggestions
from bot.handlers.therapist_access import therapist_command
from bot.services.summary import WeeklySummary, build_weekly_summary
from bot.telegram_markup import to_markup
from bot.texts import summary as t


async def send_weekly_summary(bot: Bot, chat_id: int, summary: WeeklySummary) -> None:
    """The summary text (split to Telegram's size), the overview PNG, per-client chart buttons."""
    for text in t.summary_texts(summary):
        await bot.send_message(chat_id, text)
    if summary.rows:
        png = await asyncio.to_thread(summary_overview_png, summary)
        await bot.send_photo(
            chat_id,
            InputFile(png, filename="summary.png"),
            caption=t.summary_chart_caption(summary),
            reply_markup=to_markup(t.summary_chart_keyboard(summary)),
        )


async def summary_command(update: Update, context: BotContext) -> None:
    command = await therapist_command(update, context)
    if command is None:
        return
    message, therapist = command
    services = services_of(context)
    summary = await build_weekly_summary(
        services.db,
        therapist_telegram_id=therapist,
        now=services.now(),
        default_timezone=services.settings.therapist_zone,
        sensitivity=services.settings.alert_sensitivity,
    )
    await send_weekly_summary(context.bot, message.chat_id, summary)
    await send_summary_suggestions(context, message.chat_id, therapist)


async def client_chart_button(press: Press[ClientChart], context: BotContext) -> None:
    card = await pressed_client_card(press, context)
    if card is not None:
        await send_pain_chart(context.bot, press.user_id, card)


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("summary", summary_command, filters=private))
    app.add_handler(ButtonHandler(SUMMARY, Audience.THERAPIST, client_chart_button))
