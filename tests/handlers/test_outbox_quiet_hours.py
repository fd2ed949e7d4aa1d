"""Messages the bot sends a client on its own wait for the end of the client's quiet hours.

The therapist in London writes at 14:00 their time; Alice is in Auckland, where it is 01:00
and her quiet hours (22:00-08:00) run. Her message is held in the ledger, never dropped and
never sent twice, and reaches her at 08:00 Auckland time; Bob in London, without quiet
hours, gets his at once. Messages to the therapist and urgent ones never wait.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select, update

from bot.app import BotApplication
from bot.db.engine import Database
from bot.db.models import Client, OutboxMessage, OutboxStatus
from bot.services.kinds import RELAY_TO_CLIENT
from scheduler.tick import Scheduler
from tests.conftest import FrozenClock
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=655_001, first_name="Alice")  # Auckland, quiet 22:00-08:00
BOB = TgUser(id=655_002, first_name="Bob")  # London, no quiet hours
# 13:00 UTC on 1 June: 14:00 in London (BST), 01:00 on 2 June in Auckland (NZST, UTC+12).
WRITTEN = datetime(2026, 6, 1, 13, 0, tzinfo=UTC)
AUCKLAND_0800 = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)


async def _clients(db: Database) -> tuple[int, int]:
    alice = await add_client(db, ALICE, name="Alice Faraway", timezone="Pacific/Auckland")
    bob = await add_client(db, BOB, name="Bob Nearby")
    async with db.sessions.begin() as session:
        await session.execute(
            update(Client)
            .where(Client.id == alice)
            .values(quiet_start=time(22, 0), quiet_end=time(8, 0))
        )
    return alice, bob


async def _message(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, client_id: int, text: str
) -> None:
    botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    botapi.send_text(therapist, text)
    await bot.settle()


async def _pass_at(application: BotApplication, bot: RunningApplication, now: datetime) -> None:
    scheduler: Scheduler = application.bot_data.scheduler
    await scheduler.run_pass(now)
    await scheduler.dispatcher.drain()
    await bot.settle()


def _received(botapi: BotApiDouble, user: TgUser, words: str) -> int:
    return sum(
        1 for c in botapi.calls("sendMessage", chat_id=user.id) if c.ok and words in (c.text or "")
    )


async def _relays(db: Database, client_id: int) -> list[tuple[OutboxStatus, datetime | None]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.status, OutboxMessage.not_before).where(
                OutboxMessage.client_id == client_id, OutboxMessage.kind == RELAY_TO_CLIENT
            )
        )
        return [(row.status, row.not_before) for row in rows]


async def test_a_message_to_a_client_in_their_quiet_hours_waits_for_their_morning(
    application: BotApplication,
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    clock: FrozenClock,
    therapist: TgUser,
) -> None:
    alice, bob = await _clients(db)
    clock.set(WRITTEN)

    await _message(bot, botapi, therapist, alice, "Try the bridge before breakfast")
    await _message(bot, botapi, therapist, bob, "See you Thursday")

    # Bob's arrives at once; Alice's is held (queued, not claimed) until 08:00 Auckland.
    assert _received(botapi, BOB, "See you Thursday") == 1
    assert _received(botapi, ALICE, "bridge before breakfast") == 0
    assert await _relays(db, alice) == [(OutboxStatus.QUEUED, AUCKLAND_0800)]
    # The therapist is told when it will arrive; Bob's went at once.
    replies = "\n".join(c.text or "" for c in botapi.calls("sendMessage", chat_id=therapist.id))
    assert (
        "Queued for Alice Faraway: it is their quiet hours, so it reaches them at 08:00 their time"
        in replies
    )
    assert "Sent to Bob Nearby" in replies

    # Scheduler passes through her night send nothing to her...
    for now in (WRITTEN + timedelta(hours=3), AUCKLAND_0800 - timedelta(minutes=1)):
        clock.set(now)
        await _pass_at(application, bot, now)
    assert _received(botapi, ALICE, "bridge before breakfast") == 0

    # ...the first pass at her 08:00 sends it, once; later passes do not send it again.
    for now in (
        AUCKLAND_0800,
        AUCKLAND_0800 + timedelta(seconds=1),
        AUCKLAND_0800 + timedelta(hours=1),
    ):
        clock.set(now)
        await _pass_at(application, bot, now)
    assert _received(botapi, ALICE, "bridge before breakfast") == 1
    assert [status for status, _ in await _relays(db, alice)] == [OutboxStatus.SENT]


async def test_a_held_message_survives_a_restart_and_goes_out_in_the_morning(
    application: BotApplication,
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    clock: FrozenClock,
    therapist: TgUser,
) -> None:
    alice, _ = await _clients(db)
    clock.set(WRITTEN)
    await _message(bot, botapi, therapist, alice, "Try the bridge before breakfast")
    scheduler: Scheduler = application.bot_data.scheduler

    # Stopping the sender in the night leaves the held row queued, not released or failed.
    assert await scheduler.stop(drain_timeout=1.0) == 0
    assert await _relays(db, alice) == [(OutboxStatus.QUEUED, AUCKLAND_0800)]
    await scheduler.start()

    clock.set(AUCKLAND_0800)
    await _pass_at(application, bot, AUCKLAND_0800)
    assert _received(botapi, ALICE, "bridge before breakfast") == 1
