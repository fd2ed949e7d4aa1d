"""Typed text has one way in (bot.handlers.text): the red-flag screen comes before whatever the
bot was waiting for, and a red flag never ends up relayed, taken for a place, or unanswered."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot import texts
from bot.config import DEFAULT_EMERGENCY_ADVICE
from bot.db.engine import Database
from bot.db.models import Client
from tests.handlers.client_seed import add_client
from tests.handlers.journey import onboard, press, say
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=657_001, first_name="Alice")
RED_FLAG = "I've gone numb between my legs since last night"
MakeUser = Callable[..., TgUser]


def _texts(botapi: BotApiDouble, chat_id: int, after: int) -> list[str]:
    return [c.text or "" for c in botapi.calls("sendMessage", chat_id=chat_id, after=after)]


async def test_a_red_flag_typed_while_a_relay_reply_is_open_is_urgent_not_relayed(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    mark = botapi.mark()
    botapi.send_text(therapist, "How is the bridge going?")
    await botapi.wait_for("sendMessage", chat_id=ALICE.id, after=mark)
    await bot.settle()

    mark = botapi.mark()
    botapi.send_text(ALICE, RED_FLAG)
    await bot.settle()
    assert _texts(botapi, ALICE.id, mark)[0] == DEFAULT_EMERGENCY_ADVICE
    to_therapist = _texts(botapi, therapist.id, mark)
    assert not any("Alice Example replied" in text for text in to_therapist)
    assert not any(RED_FLAG in text for text in to_therapist)

    # The relay is still open: her next everyday message reaches the therapist as a reply.
    mark = botapi.mark()
    botapi.send_text(ALICE, "See you on Tuesday")
    await botapi.wait_for(
        "sendMessage",
        chat_id=therapist.id,
        after=mark,
        predicate=lambda c: "See you on Tuesday" in (c.text or ""),
    )
    assert "Alice Example replied" in botapi.last_text(therapist.id)


async def test_a_red_flag_typed_while_a_place_is_awaited_is_urgent_and_the_place_still_awaited(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    make_user: MakeUser,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    botapi.send_command(user, "settings")
    await bot.settle()
    await press(bot, botapi, user, "Time zone")

    replies = await say(bot, botapi, user, RED_FLAG)
    assert replies.splitlines()[0] == DEFAULT_EMERGENCY_ADVICE
    assert "Time zone set" not in replies and "not sure" not in replies

    assert "America/Los_Angeles" in await say(bot, botapi, user, "Los Angeles")
    async with db.sessions() as session:
        zone = await session.scalar(select(Client.timezone).where(Client.telegram_id == user.id))
    assert zone == "America/Los_Angeles"


async def test_plain_text_with_nothing_awaited_gets_the_one_fallback_answer(
    bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await add_client(db, ALICE)
    mark = botapi.mark()
    botapi.send_text(ALICE, "hello")
    await bot.settle()
    assert _texts(botapi, ALICE.id, mark) == [texts.UNEXPECTED_TEXT]
