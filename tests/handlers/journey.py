"""Steps of a client's journey, played through the Bot API double like a real person would.

Shared by the onboarding, settings, privacy and bad-input tests: each step sends what a user
sends and waits until the bot is quiet again.
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain.red_flags import RED_FLAG_QUESTIONS
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

LINK = re.compile(r"https://t\.me/(?P<bot>\w+)\?start=(?P<token>[A-Za-z0-9_-]+)")


async def invite_token(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, name: str = "Alex Smith"
) -> str:
    """The therapist sends /invite <name>; returns the token from the link they get."""
    mark = botapi.mark()
    botapi.send_command(therapist, "invite", name)
    await bot.settle()
    texts = [
        call.text or "" for call in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    ]
    for text in texts:
        if found := LINK.search(text):
            return found["token"]
    raise AssertionError(f"no invite link in {texts}")


def latest_with_buttons(botapi: BotApiDouble, chat_id: int) -> dict[str, Any]:
    """The newest bot message in the chat that still shows inline buttons."""
    for message in reversed(botapi.sent_messages(chat_id)):
        if botapi.callback_buttons(message):
            return message
    raise AssertionError("no message with buttons.\n" + botapi.report())


async def press(bot: RunningApplication, botapi: BotApiDouble, user: TgUser, label: str) -> str:
    """Press the button labelled `label` on the newest message with buttons; returns the id."""
    query_id = botapi.press_button(user, latest_with_buttons(botapi, user.id), label)
    await bot.settle()
    return query_id


async def say(bot: RunningApplication, botapi: BotApiDouble, user: TgUser, text: str) -> str:
    """The user writes `text`; returns everything the bot wrote back, one message a line."""
    mark = botapi.mark()
    botapi.send_text(user, text)
    await bot.settle()
    return replies_since(botapi, user, mark)


def replies_since(botapi: BotApiDouble, user: TgUser, mark: int) -> str:
    """Texts the bot sent or edited in the user's chat since `mark`, one a line."""
    return "\n".join(
        call.text or ""
        for call in botapi.calls(chat_id=user.id, after=mark)
        if call.method in ("sendMessage", "editMessageText", "sendDocument") and call.ok
    )


async def agree(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, user: TgUser, name: str
) -> None:
    token = await invite_token(bot, botapi, therapist, name)
    botapi.send_command(user, "start", token)
    await bot.settle()
    await press(bot, botapi, user, "I agree")


async def answer_screen_no(bot: RunningApplication, botapi: BotApiDouble, user: TgUser) -> None:
    for _ in RED_FLAG_QUESTIONS:
        await press(bot, botapi, user, "No")


async def onboard(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    user: TgUser,
    *,
    name: str = "Alex Smith",
    zone_button: str = "London",
) -> None:
    """Invite, consent, time zone, the default reminder times, a clear red-flag screen."""
    await agree(bot, botapi, therapist, user, name)
    await press(bot, botapi, user, zone_button)
    await press(bot, botapi, user, "Done")
    mark = botapi.mark()
    await answer_screen_no(bot, botapi, user)
    assert "all set" in botapi.last_text(user.id), botapi.report()
    # The therapist's "finished setting up" leaves through the dispatcher; once it is sent
    # (and its disclosure audited) the client is fully onboarded.
    await botapi.wait_for(
        "sendMessage",
        chat_id=therapist.id,
        after=mark,
        predicate=lambda c: "finished setting up" in (c.text or ""),
    )
    await bot.settle()
