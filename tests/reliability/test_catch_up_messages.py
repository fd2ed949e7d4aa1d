"""What a client sees after the bot was down (issue 6, point 5), at the Bot API double.

A slot missed by less than the catch-up window (2 h) is sent marked late; older ones are
recorded `missed` and never sent; whatever piled up, a client gets at most one catch-up
message — also when a crash left a reminder claimed but unsent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from telegram import Bot

from bot.app import build_scheduler
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import DeliveryStatus
from bot.services.schedules import set_checkin_time
from bot.texts.checkin import LEG_PAIN_QUESTION
from bot.texts.reminders import LATE_MARKER, REMINDER_HEADER
from scheduler.claiming import claim_due_slots
from scheduler.tick import Scheduler
from tests.conftest import TEST_TOKEN, make_settings
from tests.scheduling import add_client, deliveries
from tests.support.botapi_double import BotApiDouble

# Monday 1 June 2026, London on BST (UTC+1): 09:00 local is 08:00 UTC.
NINE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
SETUP = NINE - timedelta(hours=1)
CLIENT_TG = 640_001


@pytest.fixture
async def scheduler(
    database_url: str, db: Database, library: ExerciseLibrary, botapi: BotApiDouble
) -> AsyncIterator[Scheduler]:
    async with Bot(TEST_TOKEN, base_url=botapi.base_url) as bot:
        engine = build_scheduler(
            make_settings(botapi, database_url), db=db, library=library, bot=bot
        )
        await engine.dispatcher.start()
        yield engine
        await engine.dispatcher.stop()


async def _back_up_at(scheduler: Scheduler, now: datetime) -> None:
    await scheduler.run_pass(now)
    await scheduler.dispatcher.drain()


def _texts(botapi: BotApiDouble) -> list[str]:
    return [c.text or "" for c in botapi.calls("sendMessage", chat_id=CLIENT_TG) if c.ok]


async def _client_with_morning(db: Database) -> None:
    """Exercise reminders at 09:00 and 10:00 and the pain check-in at 09:30, London."""
    client_id = await add_client(
        db,
        now=SETUP,
        telegram_id=CLIENT_TG,
        reminders=[time(9, 0), time(10, 0)],
        exercises=[("glute-bridge", 2)],
    )
    async with db.sessions.begin() as session:
        await set_checkin_time(session, client_id=client_id, at=time(9, 30), now=SETUP)


async def test_after_downtime_the_client_gets_one_late_message_for_their_latest_slot(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble
) -> None:
    await _client_with_morning(db)

    await _back_up_at(scheduler, NINE + timedelta(minutes=100))  # 10:40 local
    await _back_up_at(scheduler, NINE + timedelta(minutes=101))

    [message] = _texts(botapi)
    assert message.startswith(REMINDER_HEADER)
    assert LATE_MARKER in message
    ledger = sorted((d.slot, d.status) for d in await deliveries(db))
    assert ledger == [
        (NINE, DeliveryStatus.MISSED),
        (NINE + timedelta(minutes=30), DeliveryStatus.MISSED),
        (NINE + timedelta(hours=1), DeliveryStatus.SENT),
    ]


async def test_after_a_long_outage_nothing_is_sent_and_the_slots_are_recorded_missed(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble
) -> None:
    await _client_with_morning(db)

    await _back_up_at(scheduler, NINE + timedelta(hours=3, minutes=30))  # 12:30 local

    assert _texts(botapi) == []
    assert {d.status for d in await deliveries(db)} == {DeliveryStatus.MISSED}


async def test_a_reminder_left_unsent_by_a_crash_and_a_missed_slot_make_one_message(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble
) -> None:
    await _client_with_morning(db)
    # 09:00: the reminder is claimed, then the process dies before sending it.
    await claim_due_slots(db, now=NINE, policy=scheduler.policy)

    await _back_up_at(scheduler, NINE + timedelta(minutes=100))

    [message] = _texts(botapi)
    assert message.startswith(REMINDER_HEADER)
    assert LATE_MARKER in message
    statuses = sorted(d.status for d in await deliveries(db))
    assert statuses == sorted([DeliveryStatus.SENT, DeliveryStatus.MISSED, DeliveryStatus.MISSED])


async def test_a_late_check_in_says_it_is_late(
    db: Database, scheduler: Scheduler, botapi: BotApiDouble
) -> None:
    await _client_with_morning(db)

    await _back_up_at(scheduler, NINE + timedelta(minutes=40))  # 09:40: check-in 10 min late

    texts = _texts(botapi)
    assert len(texts) == 1
    assert texts[0].startswith(LATE_MARKER)
    assert LEG_PAIN_QUESTION in texts[0]
