"""Telegram's errors during dispatch: 429 waits, 5xx retries then fails, 403 stops the client."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import Client, ClientStatus, DeliveryStatus, Schedule
from bot.services.schedules import set_checkin_time
from bot.telegram_sender import TelegramSender
from scheduler.claiming import ClaimPolicy
from scheduler.dispatch import MAX_ATTEMPTS, Dispatcher
from scheduler.messages import OutgoingMessage
from scheduler.outbox import Outbox
from scheduler.tick import Scheduler
from tests.conftest import THERAPIST_ID
from tests.scheduling import add_client, deliveries
from tests.support.botapi_double import BotApiDouble

SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 London
CLIENT_TG = 600_001


class RecordedSleeps(list[float]):
    """Stands in for asyncio.sleep: remembers each wait instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(round(seconds, 3))


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
async def scheduler(
    db: Database, library: ExerciseLibrary, telegram_bot: Bot, sleeps: RecordedSleeps
) -> AsyncIterator[Scheduler]:
    dispatcher = Dispatcher(
        sender=TelegramSender(telegram_bot),
        db=db,
        clock=lambda: SLOT,
        sleep=sleeps,
        # Seconds pass freely between sends, so the only waits are Telegram's and backoff.
        monotonic=itertools.count(0.0, 100.0).__next__,
    )
    await dispatcher.start()
    outbox = Outbox(db=db, dispatcher=dispatcher, clock=lambda: SLOT, therapist_ids={THERAPIST_ID})
    yield Scheduler(
        db=db, library=library, dispatcher=dispatcher, policy=ClaimPolicy(), outbox=outbox
    )
    await dispatcher.stop()


async def _tick(scheduler: Scheduler) -> None:
    await scheduler.run_pass(SLOT)
    await scheduler.dispatcher.drain()


async def test_flood_control_waits_the_time_telegram_asks_then_sends(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble, sleeps: RecordedSleeps
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    botapi.fail_next("sendMessage", error_code=429, retry_after=7)

    await _tick(scheduler)

    assert 7.0 in sleeps
    assert [c.ok for c in botapi.calls("sendMessage", chat_id=CLIENT_TG)] == [False, True]
    [delivery] = await deliveries(db)
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.telegram_message_id is not None


async def test_server_errors_are_retried_with_backoff_then_the_delivery_fails(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble, sleeps: RecordedSleeps
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    botapi.fail_next("sendMessage", error_code=500, count=10)

    await _tick(scheduler)

    assert len(botapi.calls("sendMessage", chat_id=CLIENT_TG)) == MAX_ATTEMPTS == 3
    assert sleeps == [1.0, 2.0]
    [delivery] = await deliveries(db)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "NetworkError")


async def test_a_client_who_blocked_the_bot_is_stopped_and_the_therapist_told_once(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble
) -> None:
    # Two messages due at once (reminder and check-in at 09:00), both refused with 403.
    client_id = await add_client(
        db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG, reminders=[time(9, 0)]
    )
    async with db.sessions.begin() as session:
        await set_checkin_time(
            session, client_id=client_id, at=time(9, 0), now=SLOT - timedelta(hours=1)
        )
    botapi.block_chat(CLIENT_TG)

    await _tick(scheduler)
    await scheduler.dispatcher.drain()
    # The "client blocked" notice is an outbox row, written when the 403 was recorded.
    assert await scheduler.outbox.pump(SLOT) == 1
    await scheduler.dispatcher.drain()

    async with db.sessions() as session:
        status = await session.scalar(select(Client.status).where(Client.id == client_id))
        next_fires = set(
            (
                await session.execute(
                    select(Schedule.next_fire_at).where(Schedule.client_id == client_id)
                )
            ).scalars()
        )
    assert status is ClientStatus.BLOCKED
    assert next_fires == {None}
    assert {d.status for d in await deliveries(db)} == {DeliveryStatus.FAILED}
    notices = [c.text for c in botapi.calls("sendMessage", chat_id=THERAPIST_ID) if c.ok]
    assert len(notices) == 1
    assert notices[0] is not None and "blocked" in notices[0]


async def test_sends_to_one_chat_are_spaced_a_second_apart(
    db: Database, library: ExerciseLibrary, telegram_bot: Bot, botapi: BotApiDouble
) -> None:
    client_id = await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT_TG)
    async with db.sessions.begin() as session:
        await set_checkin_time(
            session, client_id=client_id, at=time(9, 0), now=SLOT - timedelta(hours=1)
        )
    sleeps = RecordedSleeps()
    dispatcher = Dispatcher(
        sender=TelegramSender(telegram_bot),
        db=db,
        clock=lambda: SLOT,
        sleep=sleeps,
        monotonic=lambda: 0.0,
    )
    await dispatcher.start()
    scheduler = Scheduler(db=db, library=library, dispatcher=dispatcher, policy=ClaimPolicy())

    await _tick(scheduler)
    await dispatcher.stop()

    assert len(botapi.calls("sendMessage", chat_id=CLIENT_TG)) == 2
    assert sleeps == [1.0]  # the second message to that chat waits its turn


async def test_an_urgent_message_overtakes_a_queued_fan_out(
    db: Database, telegram_bot: Bot, botapi: BotApiDouble, sleeps: RecordedSleeps
) -> None:
    """A red-flag alert queued behind a burst of reminders is sent next, not after them."""
    dispatcher = Dispatcher(
        sender=TelegramSender(telegram_bot),
        db=db,
        clock=lambda: SLOT,
        sleep=sleeps,
        monotonic=itertools.count(0.0, 100.0).__next__,
        workers=1,  # one sender: the order of sends is the queue's order
    )
    burst = [OutgoingMessage.fixed(700_000 + n, "Time for your exercises") for n in range(30)]
    urgent = replace(OutgoingMessage.fixed(THERAPIST_ID, "URGENT red flag"), urgent=True)
    dispatcher.submit(burst)
    dispatcher.submit([urgent])
    await dispatcher.start()
    await dispatcher.drain()
    await dispatcher.stop()

    order = [call.chat_id for call in botapi.calls("sendMessage") if call.ok]
    assert len(order) == 31
    assert order[0] == THERAPIST_ID
