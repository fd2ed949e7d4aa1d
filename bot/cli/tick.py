"""`python -m bot tick --at <ISO instant>`: exactly one scheduler pass, for tests and operators.

Sends through the configured Bot API (`TELEGRAM_API_BASE_URL`), waits for every send, and
reports each delivery by kind, schedule id, slot and final status — never names or health data.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from bot.cli.usage import aware_datetime
from bot.config import Settings, load_settings

if TYPE_CHECKING:
    from bot.cli.usage import Subcommands

__all__ = ["add_to", "run_one_pass"]


def add_to(commands: Subcommands) -> None:
    tick = commands.add_parser("tick", help="run exactly one scheduler pass and wait for sends")
    tick.add_argument(
        "--at", required=True, type=aware_datetime, help="ISO instant, e.g. 2026-03-29T08:00Z"
    )
    tick.set_defaults(command_main=main)


def main(args: argparse.Namespace) -> int:
    """One line per delivery (kind, schedule, slot, status), then totals: ids and statuses only,
    no names, no health data."""
    import asyncio

    for line in asyncio.run(run_one_pass(load_settings(), args.at)):
        print(line)
    return 0


async def run_one_pass(settings: Settings, at: datetime) -> list[str]:
    from telegram.ext import AIORateLimiter, ExtBot

    from bot.app import build_scheduler
    from bot.content import load_library
    from bot.db.engine import Database
    from bot.db.reminders import delivery_statuses
    from scheduler.claiming import Purpose

    db = Database.connect(settings.database_url)
    bot: ExtBot[int] = ExtBot(
        token=settings.token(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
        rate_limiter=AIORateLimiter(
            overall_max_rate=settings.send_rate_per_second, overall_time_period=1, max_retries=3
        ),
    )
    try:
        async with bot:
            scheduler = build_scheduler(
                settings,
                db=db,
                library=load_library(settings.content_dir),
                bot=bot,
                clock=lambda: at,
                keep_outcomes=True,
            )
            await scheduler.dispatcher.start()
            try:
                report = await scheduler.run_pass(at)
                await scheduler.dispatcher.drain()
                # Notices written while sending (a client who blocked the bot) go out too.
                while await scheduler.outbox.pump(at):
                    await scheduler.dispatcher.drain()
            finally:
                await scheduler.dispatcher.stop()
            async with db.sessions() as session:
                statuses = await delivery_statuses(session, [c.delivery_id for c in report.claims])
            nudges = {
                (o.message.claim.purpose, o.message.claim.delivery_id): o.status
                for o in scheduler.dispatcher.outcomes
                if o.message.claim is not None
            }
    finally:
        await db.dispose()

    lines: list[str] = []
    totals: Counter[str] = Counter()
    for claim in report.claims:
        if claim.purpose in (Purpose.FOLLOW_UP, Purpose.SNOOZE):
            kind = claim.purpose.value
            status = nudges.get((claim.purpose, claim.delivery_id), "failed")
        else:
            kind = claim.kind.value
            status = statuses[claim.delivery_id].value
        late = " late" if claim.late and status == "sent" else ""
        lines.append(
            f"{kind} schedule={claim.schedule_id} slot={claim.slot.isoformat()} "
            f"status={status}{late}"
        )
        totals[status] += 1
    summary = " ".join(f"{name}={totals[name]}" for name in ("sent", "failed", "missed"))
    lines.append(f"total={len(report.claims)} {summary}")
    return lines
