"""The idle tick: between passes the tick only asks whether anything is due, and still misses
nothing — a schedule set up while the bot idles, a snooze pressed between two ticks, a
follow-up that only the clock makes due.

The real scheduler and dispatcher against the Bot API double; the test moves a frozen clock
and calls `tick` as the app's job queue does every second.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import DeliveryStatus
from bot.services.reminders import snooze_reminder
from bot.telegram_sender import TelegramSender
from bot.texts import reminders as texts
from scheduler.claiming import ClaimPolicy
from scheduler.dispatch import Dispatcher
from scheduler.tick import ROUTINE_EVERY, Scheduler
from tests.conftest import FrozenClock
from tests.reliability.conftest import no_wait
from tests.scheduling import add_client, deliveries
from tests.support.botapi_double import BotApiDouble, RecordedCall

SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 London
CLIENT_TG = 620_001
LOOKAHEAD = timedelta(seconds=5)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(SLOT - timedelta(hours=1))


@pytest.fixture
async def scheduler(
    db: Database, library: ExerciseLibrary, telegram_bot: Bot, clock: FrozenClock
) -> AsyncIterator[Scheduler]:
    dispatcher = Dispatcher(
        sender=TelegramSender(telegram_bot),
        db=db,
        clock=clock,
        sleep=no_wait,
        monotonic=itertools.count(0.0, 100.0).__next__,
    )
    scheduler = Scheduler(
        db=db,
        library=library,
        dispatcher=dispatcher,
        policy=ClaimPolicy(),
        tick_lookahead=LOOKAHEAD,
    )
    await dispatcher.start()
    yield scheduler
    await dispatcher.stop(drain_timeout=0.1)


async def _tick_at(scheduler: Scheduler, clock: FrozenClock, at: datetime) -> None:
    """One tick at `at`, then whatever it queued is sent (held messages once due)."""
    clock.set(at)
    await scheduler.tick(at)
    scheduler.dispatcher.release_due()
    await scheduler.dispatcher.drain()


def _reminders(botapi: BotApiDouble) -> list[RecordedCall]:
    return botapi.calls("sendMessage", chat_id=CLIENT_TG)


async def test_a_client_set_up_while_the_bot_idles_gets_their_reminder_at_its_minute(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble, clock: FrozenClock
) -> None:
    idle_since = SLOT - timedelta(seconds=10)
    await _tick_at(scheduler, clock, idle_since)  # nothing exists yet: nothing to do
    assert await deliveries(db) == []

    # The therapist sets the client up between two ticks (seconds before their 09:00).
    await add_client(db, now=idle_since + timedelta(seconds=1), telegram_id=CLIENT_TG)

    # The next ticks come well inside one routine cadence: only the due check can see it.
    assert SLOT - LOOKAHEAD - idle_since < ROUTINE_EVERY
    await _tick_at(scheduler, clock, SLOT - LOOKAHEAD)
    assert _reminders(botapi) == []  # claimed ahead, held to its minute
    await _tick_at(scheduler, clock, SLOT)

    [reminder] = _reminders(botapi)
    assert texts.REMINDER_HEADER in str(reminder.params.get("text"))
    [delivery] = await deliveries(db)
    assert (delivery.slot, delivery.status, delivery.late) == (SLOT, DeliveryStatus.SENT, False)


async def test_a_snooze_pressed_between_ticks_brings_the_reminder_back_thirty_minutes_later(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble, clock: FrozenClock
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    await _tick_at(scheduler, clock, SLOT)
    [delivery] = await deliveries(db)
    pressed = SLOT + timedelta(minutes=1)
    await snooze_reminder(db, telegram_id=CLIENT_TG, delivery_id=delivery.id, now=pressed)

    back = pressed + timedelta(minutes=30)
    await _tick_at(scheduler, clock, back - timedelta(seconds=2))  # a routine pass: not yet
    assert len(_reminders(botapi)) == 1
    await _tick_at(scheduler, clock, back)  # two seconds on: only the due check sees it

    assert len(_reminders(botapi)) == 2
    await _tick_at(scheduler, clock, back + timedelta(seconds=1))
    assert len(_reminders(botapi)) == 2  # once


async def test_the_follow_up_comes_three_hours_after_an_unanswered_reminder(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble, clock: FrozenClock
) -> None:
    # Nothing changes in the database for three hours: only the clock makes it due.
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    await _tick_at(scheduler, clock, SLOT)
    for minutes in range(1, 181):
        await _tick_at(scheduler, clock, SLOT + timedelta(minutes=minutes))

    sent = _reminders(botapi)
    assert len(sent) == 2
    assert texts.FOLLOW_UP_HEADER in str(sent[1].params.get("text"))


async def test_ticks_with_nothing_due_send_nothing_and_record_nothing(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble, clock: FrozenClock
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    start = SLOT - timedelta(minutes=5)
    for seconds in range(0, 240, 3):
        await _tick_at(scheduler, clock, start + timedelta(seconds=seconds))

    assert _reminders(botapi) == []
    assert await deliveries(db) == []
