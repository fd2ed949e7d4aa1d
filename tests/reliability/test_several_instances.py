"""Several bot instances share one database and never send a slot twice (issue 6, point 7).

Two complete schedulers — each with its own engine, sessions, dispatcher and PTB `Bot` —
run a pass at the same instant over thousands of due reminders, sending to the same Bot API
double. On PostgreSQL their claims skip each other's locked rows (`FOR UPDATE SKIP LOCKED`);
on SQLite (two engines on one file) the claim transactions take turns. Either way every
client must get their reminder exactly once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import func, select
from telegram import Bot

from bot.app import build_scheduler
from bot.config import Settings
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import Delivery, DeliveryStatus
from scheduler.tick import Scheduler
from tests.conftest import TEST_TOKEN, make_settings
from tests.scheduling import add_due_clients
from tests.support.botapi_double import BotApiDouble

SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 in London
DUE = 2_000
FIRST_CHAT = 810_001


def unpaced(settings: Settings) -> Settings:
    """Telegram's 30 msg/s would make 2,000 sends take a minute; the double has no such limit.

    `model_copy` skips validation on purpose: production settings cap the rate at 30/s.
    """
    return settings.model_copy(
        update={"send_rate_per_second": 20_000.0, "per_chat_rate_per_second": 20_000.0}
    )


@asynccontextmanager
async def bot_instance(
    settings: Settings, library: ExerciseLibrary, botapi: BotApiDouble
) -> AsyncIterator[Scheduler]:
    """One bot process's scheduling engine: its own database engine, Bot and dispatcher."""
    db = Database.connect(settings.database_url)
    try:
        async with Bot(TEST_TOKEN, base_url=botapi.base_url) as bot:
            scheduler = build_scheduler(
                settings, db=db, library=library, bot=bot, clock=lambda: SLOT, keep_outcomes=True
            )
            await scheduler.dispatcher.start()
            try:
                yield scheduler
            finally:
                await scheduler.dispatcher.stop()
    finally:
        await db.dispose()


async def tick_and_send(scheduler: Scheduler) -> None:
    await scheduler.run_pass(SLOT)
    await scheduler.dispatcher.drain()


async def test_two_instances_due_at_the_same_moment_send_every_reminder_exactly_once(
    database_url: str, db: Database, library: ExerciseLibrary, botapi: BotApiDouble
) -> None:
    chats = await add_due_clients(db, count=DUE, slot=SLOT, first_telegram_id=FIRST_CHAT)
    settings = unpaced(make_settings(botapi, database_url))

    async with (
        bot_instance(settings, library, botapi) as first,
        bot_instance(settings, library, botapi) as second,
    ):
        await asyncio.gather(tick_and_send(first), tick_and_send(second))

    sends = Counter(call.chat_id for call in botapi.calls("sendMessage") if call.ok)
    assert sorted(sends) == chats
    assert max(sends.values()) == 1
    assert len(botapi.calls("sendMessage")) == DUE  # no failed attempt either
    async with db.sessions() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        ledger = dict(rows.all())
    assert ledger == {DeliveryStatus.SENT: DUE}
    shares = [len(first.dispatcher.outcomes), len(second.dispatcher.outcomes)]
    assert sum(shares) == DUE
    if db.dialect == "postgresql":
        # SKIP LOCKED: each instance claims the batches the other has not locked, so both
        # share the load. (SQLite has one writer: whoever holds the lock claims on.)
        assert min(shares) > 0
