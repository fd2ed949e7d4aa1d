"""/progress: a PNG of up to the last 8 weeks with a one-line reading (issue 5, part 5)."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CommandHandler

from bot.charts import progress_chart_png
from bot.handlers.common import PRIVATE_MESSAGE, BotApplication, BotContext, services_of
from bot.handlers.exercise_suggestions import title_lookup as exercise_titles
from bot.services.exercise_response import exercise_progress_of
from bot.services.progress import MIN_ENTRIES_FOR_CHART, Progress, progress_of
from bot.texts import exercise_response as rt
from bot.texts import progress as t


async def progress_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = services_of(context)
    progress = await progress_of(services.db, telegram_id=user.id, now=services.now())
    if progress is None:
        await message.reply_text(t.CLIENTS_ONLY)
        return
    if not progress.enough_for_chart or progress.first is None or progress.latest is None:
        await message.reply_text(
            t.NOT_ENOUGH_DATA.format(count=len(progress.days), needed=MIN_ENTRIES_FOR_CHART)
        )
    else:
        # Drawing takes tens of milliseconds: off the event loop (STYLE.md).
        png = await asyncio.to_thread(_draw, progress)
        caption = t.caption(progress.comparison, progress.first, progress.latest, progress.rise)
        await message.reply_photo(png, caption=caption)
    lines = await exercise_progress_of(services.db, telegram_id=user.id, now=services.now())
    text = rt.progress_lines(lines, exercise_titles(services.library))
    if text is not None:
        await message.reply_text(text)


def _draw(progress: Progress) -> bytes:
    return progress_chart_png(
        [day.day for day in progress.days],
        [day.leg for day in progress.days],
        [day.back for day in progress.days],
        [week.week_start for week in progress.weeks],
        [week.pct for week in progress.weeks],
        title=t.chart_title(progress.start, progress.today),
        start=progress.start,
        end=progress.today,
        date_label=t.short_date,
    )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("progress", progress_command, filters=PRIVATE_MESSAGE))
