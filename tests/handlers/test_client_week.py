"""A client's ordinary week: no raw templates, no question asked twice, no dead ends.

Each test plays what a client did through the real Application against the Bot API double.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.db.engine import Database
from tests.handlers.client_seed import add_client, pain_rows
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=615_001, first_name="Alice")
TODAY = date(2026, 6, 1)  # DEFAULT_NOW (09:00 UTC) is 10:00 in London, same day.


@pytest.fixture
async def client_id(db: Database) -> int:
    return await add_client(db, CLIENT)


async def command(bot: RunningApplication, botapi: BotApiDouble, name: str) -> RecordedCall:
    mark = botapi.mark()
    botapi.send_command(CLIENT, name)
    sent = await botapi.wait_for("sendMessage", chat_id=CLIENT.id, after=mark)
    await bot.settle()
    return sent


async def tap(
    bot: RunningApplication, botapi: BotApiDouble, message: RecordedCall, label: str
) -> None:
    botapi.press_button(CLIENT, message, label)
    await bot.settle()


async def test_keeping_the_earlier_check_in_says_so_in_plain_words(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    first = await command(bot, botapi, "pain")
    await tap(bot, botapi, first, "5")
    await tap(bot, botapi, first, "2")
    second = await command(bot, botapi, "pain")
    await tap(bot, botapi, second, "7")
    await tap(bot, botapi, second, "4")
    assert "already checked in" in botapi.last_text(CLIENT.id)

    await tap(bot, botapi, second, "No, keep the earlier one")

    text = botapi.last_text(CLIENT.id)
    assert text.startswith("OK, I kept today's earlier entry")
    assert "{" not in text and "}" not in text
    assert await pain_rows(db, client_id) == [(TODAY, 5, 2, None)]


async def test_the_sexual_function_question_is_worded_for_every_client(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    screen = await command(bot, botapi, "symptoms")
    for _ in range(4):
        await tap(bot, botapi, screen, "No")

    question = botapi.last_text(CLIENT.id)
    assert "sexual function or sensation" in question
    assert "erection" not in question.lower()
