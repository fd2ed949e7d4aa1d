"""Look-ahead claiming: the tick claims a few seconds early, nothing is sent before its slot.

The dispatcher's clock is a frozen clock the test moves; `release_due()` is what the
dispatcher's release task runs when the clock reaches a held message's slot.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.app import build_scheduler
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import DeliveryStatus, Schedule
from bot.telegram_sender import TelegramSender
from scheduler.claiming import ClaimPolicy
from scheduler.dispatch import Dispatcher
from scheduler.tick import Scheduler
from tests.conftest import FrozenClock, make_settings
from tests.reliability.conftest import no_wait
from tests.scheduling import add_client, deliveries
from tests.support.botapi_double import BotApiDouble

SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 London
CLIENT_TG = 610_001
LOOKAHEAD = timedelta(seconds=5)
LEASE = ClaimPolicy().lease


def _scheduler(db: Database, library: ExerciseLibrary, bot: Bot, clock: FrozenClock) -> Scheduler:
    dispatcher = Dispatcher(
        sender=TelegramSender(bot),
        db=db,
        clock=clock,
        sleep=no_wait,
        monotonic=itertools.count(0.0, 100.0).__next__,
    )
    return Scheduler(
        db=db,
        library=library,
        dispatcher=dispatcher,
        policy=ClaimPolicy(),
        tick_lookahead=LOOKAHEAD,
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(SLOT - timedelta(seconds=3))


@pytest.fixture
async def scheduler(
    db: Database, library: ExerciseLibrary, telegram_bot: Bot, clock: FrozenClock
) -> AsyncIterator[Scheduler]:
    scheduler = _scheduler(db, library, telegram_bot, clock)
    await scheduler.dispatcher.start()
    yield scheduler
    await scheduler.dispatcher.stop(drain_timeout=0.1)


async def test_a_reminder_claimed_three_seconds_ahead_reaches_the_client_only_at_its_slot(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble, clock: FrozenClock
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)

    await scheduler.tick(clock())
    await scheduler.dispatcher.drain()

    [delivery] = await deliveries(db)
    assert (delivery.slot, delivery.status, delivery.late) == (SLOT, DeliveryStatus.CLAIMED, False)
    assert botapi.calls("sendMessage", chat_id=CLIENT_TG) == []
    assert scheduler.dispatcher.held == 1

    clock.set(SLOT - timedelta(seconds=1))
    scheduler.dispatcher.release_due()
    await scheduler.dispatcher.drain()
    assert botapi.calls("sendMessage", chat_id=CLIENT_TG) == []

    clock.set(SLOT)
    scheduler.dispatcher.release_due()
    await scheduler.dispatcher.drain()
    assert len(botapi.calls("sendMessage", chat_id=CLIENT_TG)) == 1
    [delivery] = await deliveries(db)
    assert delivery.status is DeliveryStatus.SENT
    assert scheduler.dispatcher.held == 0

    await scheduler.tick(SLOT + timedelta(seconds=1))  # the next tick: nothing claimed twice
    await scheduler.dispatcher.drain()
    assert len(botapi.calls("sendMessage", chat_id=CLIENT_TG)) == 1
    assert len(await deliveries(db)) == 1


async def test_a_slot_further_ahead_than_the_lookahead_is_left_for_a_later_tick(
    db: Database, scheduler: Scheduler, clock: FrozenClock
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    clock.set(SLOT - LOOKAHEAD - timedelta(seconds=1))

    report = await scheduler.tick(clock())

    assert report.claims == ()
    assert await deliveries(db) == []
    async with db.sessions() as session:
        fires = (await session.execute(select(Schedule.next_fire_at))).scalars().all()
    assert SLOT in [f.replace(tzinfo=UTC) for f in fires if f is not None]


async def test_a_pass_run_directly_claims_only_what_is_due_at_its_instant(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)

    report = await scheduler.run_pass(SLOT - timedelta(seconds=3))

    assert report.claims == ()
    assert await deliveries(db) == []


async def test_a_crash_after_an_early_claim_sends_the_reminder_once_after_restart(
    db: Database, library: ExerciseLibrary, telegram_bot: Bot, botapi: BotApiDouble
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    clock = FrozenClock(SLOT - timedelta(seconds=3))
    crashed = _scheduler(db, library, telegram_bot, clock)
    # Claimed and held; the process dies before the slot (its dispatcher never sends).
    await crashed.tick(clock())
    assert crashed.dispatcher.held == 1

    # The lease runs from the early claim: just before it expires nothing is re-sent ...
    clock = FrozenClock(SLOT - timedelta(seconds=3) + LEASE - timedelta(seconds=1))
    restarted = _scheduler(db, library, telegram_bot, clock)
    await restarted.dispatcher.start()
    try:
        await restarted.tick(clock())
        await restarted.dispatcher.drain()
        assert botapi.calls("sendMessage", chat_id=CLIENT_TG) == []

        # ... once it has, the claimed-but-unsent reminder goes out once, marked late.
        for later in (timedelta(seconds=2), timedelta(seconds=3)):
            clock.set(SLOT - timedelta(seconds=3) + LEASE + later)
            await restarted.tick(clock())
            await restarted.dispatcher.drain()
    finally:
        await restarted.dispatcher.stop()

    assert len(botapi.calls("sendMessage", chat_id=CLIENT_TG)) == 1
    [delivery] = await deliveries(db)
    assert (delivery.status, delivery.late, delivery.attempts) == (DeliveryStatus.SENT, True, 2)


async def test_stopping_before_the_slot_leaves_the_held_reminder_claimed_for_the_next_start(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble, clock: FrozenClock
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    await scheduler.tick(clock())

    await scheduler.dispatcher.stop(drain_timeout=0.05)

    assert botapi.calls("sendMessage", chat_id=CLIENT_TG) == []
    [delivery] = await deliveries(db)
    assert delivery.status is DeliveryStatus.CLAIMED


@pytest.mark.parametrize(("seconds", "claimed"), [(5.0, 1), (0.0, 0)])
async def test_the_apps_tick_claims_as_far_ahead_as_claim_lookahead_seconds_says(
    db: Database,
    library: ExerciseLibrary,
    telegram_bot: Bot,
    botapi: BotApiDouble,
    database_url: str,
    seconds: float,
    claimed: int,
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    settings = make_settings(botapi, database_url, claim_lookahead_seconds=seconds)
    engine = build_scheduler(settings, db=db, library=library, bot=telegram_bot, clock=lambda: SLOT)

    report = await engine.tick(SLOT - timedelta(seconds=3))

    assert len(report.claims) == claimed
    assert botapi.calls("sendMessage", chat_id=CLIENT_TG) == []
