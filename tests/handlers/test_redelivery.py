"""Telegram redelivers every update a bot did not confirm before it crashed. Replaying a whole
scenario's updates into a restarted bot has the effect of the first time only: nothing is
sent, edited or answered again and the database is unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from tests.conftest import DEFAULT_NOW, FrozenClock
from tests.handlers.client_seed import add_client, add_exercise_slots, pain_rows
from tests.handlers.db_dump import table_dump
from tests.handlers.journey import onboard, press, say
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication, running_application
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=650_001, first_name="Alice")
BEA = TgUser(id=650_002, first_name="Bea")


@asynccontextmanager
async def bot_process(
    settings: Settings, db: Database, library: ExerciseLibrary, clock: FrozenClock,
    botapi: BotApiDouble,
) -> AsyncIterator[RunningApplication]:  # fmt: skip
    """One run of the bot (a process, as far as Telegram can tell) on the shared database."""
    app = build_application(settings, db=db, library=library, clock=clock, scheduler_tick_job=False)
    async with running_application(app, botapi) as running:
        yield running


Scenario = Callable[[RunningApplication, BotApiDouble, Database, TgUser], Awaitable[None]]


async def pain_check_in_with_a_note(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    botapi.send_command(ALICE, "pain")
    await bot.settle()
    await press(bot, botapi, ALICE, "6")
    await press(bot, botapi, ALICE, "3")
    assert "note" in (await say(bot, botapi, ALICE, "Gardening made it worse")).lower()
    assert [row[3] for row in await pain_rows(db, client_id)] == ["Gardening made it worse"]


async def onboarding(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await onboard(bot, botapi, therapist, BEA, name="Bea Jones")


async def a_week_of_client_presses(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    await add_exercise_slots(db, client_id, [(DEFAULT_NOW, None)])
    botapi.forge_press(ALICE, "rem:skip:1", 1)
    botapi.forge_press(ALICE, "rem:why:1:pain", 1)
    await bot.settle()
    botapi.send_command(ALICE, "weekly")
    await bot.settle()
    for score in ("2", "3", "1", "4"):
        await press(bot, botapi, ALICE, score)
    await say(bot, botapi, ALICE, "how do I do the clamshell?")
    botapi.send_command(ALICE, "pause")
    await bot.settle()
    await press(bot, botapi, ALICE, "1 week")


async def the_therapist_messages_a_client(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    botapi.forge_press(therapist, f"client:msg:{client_id}", 1)
    await bot.settle()
    await say(bot, botapi, therapist, "Remember the bridge holds")
    assert any(
        "bridge holds" in (c.text or "") for c in botapi.calls("sendMessage", chat_id=ALICE.id)
    )
    await say(bot, botapi, ALICE, "Will do, thanks")


async def erasure(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await add_client(db, ALICE, name="Alice Example")
    botapi.send_command(ALICE, "delete")
    await bot.settle()
    await press(bot, botapi, ALICE, "Yes, erase everything")


@pytest.mark.parametrize(
    "scenario",
    [
        pain_check_in_with_a_note,
        onboarding,
        a_week_of_client_presses,
        the_therapist_messages_a_client,
        erasure,
    ],
)
async def test_replaying_a_scenarios_updates_after_a_restart_does_nothing_again(
    settings: Settings,
    db: Database,
    library: ExerciseLibrary,
    clock: FrozenClock,
    botapi: BotApiDouble,
    therapist: TgUser,
    scenario: Scenario,
) -> None:
    async with bot_process(settings, db, library, clock, botapi) as first:
        await scenario(first, botapi, db, therapist)
        await first.settle()
    taken = botapi.update_ids()
    assert len(taken) >= 2
    before = await table_dump(db)
    mark = botapi.mark()

    async with bot_process(settings, db, library, clock, botapi) as restarted:
        for update_id in taken:
            botapi.redeliver(update_id)
        await restarted.settle()

    acted = [c for c in botapi.calls(after=mark) if c.method not in ("getMe", "setMyCommands")]
    assert [(c.method, c.chat_id) for c in acted if c.method != "deleteWebhook"] == []
    assert await table_dump(db) == before
