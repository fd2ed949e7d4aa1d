"""`python -m bot summary --at <ISO> [--therapist <id>]`: the weekly summary for operators.

Prints each therapist's summary text as of `--at`; when TELEGRAM_BOT_TOKEN is set it also
sends it (text, overview chart, chart buttons) exactly as the Monday push does.
"""

from __future__ import annotations

from datetime import datetime

from telegram import Bot

from bot.config import Settings
from bot.db.engine import Database
from bot.handlers.summary import send_weekly_summary
from bot.services.summary import build_weekly_summary
from bot.texts.summary import render_weekly_summary


async def run_summary(settings: Settings, at: datetime, therapist: int | None) -> list[str]:
    """The rendered summaries, one per therapist (all of THERAPIST_IDS unless one is given)."""
    therapists = [therapist] if therapist is not None else sorted(settings.therapist_ids)
    db = Database.connect(settings.database_url)
    texts: list[str] = []
    try:
        summaries = [
            await build_weekly_summary(
                db,
                therapist_telegram_id=telegram_id,
                now=at,
                default_timezone=settings.therapist_zone,
                sensitivity=settings.alert_sensitivity,
            )
            for telegram_id in therapists
        ]
        texts = [render_weekly_summary(summary) for summary in summaries]
        if settings.telegram_bot_token is not None:
            async with Bot(
                settings.token(),
                base_url=settings.telegram_api_base_url,
                base_file_url=settings.telegram_file_base_url,
            ) as bot:
                for summary in summaries:
                    await send_weekly_summary(bot, summary.therapist_telegram_id, summary)
    finally:
        await db.dispose()
    return texts
