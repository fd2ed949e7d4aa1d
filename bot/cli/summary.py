"""`python -m bot summary --at <ISO> [--therapist <id>]`: the weekly summary for operators.

Prints each therapist's summary text as of `--at`; when TELEGRAM_BOT_TOKEN is set it also
sends it (text, overview chart, chart buttons) exactly as the Monday push does.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from bot.cli.usage import aware_datetime
from bot.config import Settings, load_settings

if TYPE_CHECKING:
    from bot.cli.usage import Subcommands

__all__ = ["add_to", "run_summary"]


def add_to(commands: Subcommands) -> None:
    summary = commands.add_parser(
        "summary", help="print (and send, with a token) the therapists' weekly summary"
    )
    summary.add_argument(
        "--at", required=True, type=aware_datetime, help="ISO instant, e.g. 2026-06-01T08:00+01:00"
    )
    summary.add_argument("--therapist", type=int, default=None, help="one therapist's Telegram id")
    summary.set_defaults(command_main=main)


def main(args: argparse.Namespace) -> int:
    import asyncio

    for text in asyncio.run(run_summary(load_settings(), args.at, args.therapist)):
        print(text)
        print()
    return 0


async def run_summary(settings: Settings, at: datetime, therapist: int | None) -> list[str]:
    """The rendered summaries, one per therapist (all of THERAPIST_IDS unless one is given)."""
    from telegram import Bot

    from bot.db.engine import Database
    from bot.handlers.summary import send_weekly_summary
    from bot.services.summary import build_weekly_summary
    from bot.texts.summary import render_weekly_summary

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
