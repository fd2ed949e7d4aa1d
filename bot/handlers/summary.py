"""/summary: the weekly summary on demand, its overview chart, and a chart per client."""

from __future__ import annotations

import asyncio

from telegram import Bot, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.charts import pain_chart_png, summary_overview_png
from bot.handlers.common import BotContext, services_of
from bot.handlers.therapist_access import int_arg, therapist_id_or_refuse
from bot.services.clients import client_card
from bot.services.summary import WeeklySummary, build_weekly_summary
from bot.texts import summary as t
from bot.texts import therapist as tt


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
            reply_markup=t.summary_chart_keyboard(summary),
        )


async def summary_command(update: Update, context: BotContext) -> None:
    therapist = await therapist_id_or_refuse(update, context)
    message = update.effective_message
    if therapist is None or message is None:
        return
    services = services_of(context)
    summary = await build_weekly_summary(
        services.db, therapist_telegram_id=therapist, now=services.now()
    )
    await send_weekly_summary(context.bot, message.chat_id, summary)


async def client_chart_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    therapist = await therapist_id_or_refuse(update, context)
    if therapist is None or query is None:
        return
    services = services_of(context)
    client_id = int_arg(query.data, 2)
    card = None
    if client_id is not None:
        card = await client_card(
            services.db, therapist_telegram_id=therapist, client_id=client_id, now=services.now()
        )
    if card is None:
        await query.answer(tt.CLIENT_GONE, show_alert=True)
        return
    await query.answer()
    png = await asyncio.to_thread(
        pain_chart_png,
        [p.day for p in card.pain],
        [p.leg for p in card.pain],
        [p.back for p in card.pain],
        title=tt.PAIN_CHART_TITLE.format(name=card.name),
    )
    await context.bot.send_photo(therapist, InputFile(png, filename="pain.png"))


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("summary", summary_command, filters=private))
    app.add_handler(CallbackQueryHandler(client_chart_button, pattern=r"^summary:chart:"))
