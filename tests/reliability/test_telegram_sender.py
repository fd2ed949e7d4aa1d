"""The engine's Telegram sender: python-telegram-bot's real HTTP stack against the Bot API
double, each of Telegram's answers turned into the engine's own error (scheduler.sending),
and the dispatcher acting on those as it always has."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import DeliveryStatus
from bot.keyboards import Button, Keyboard
from bot.telegram_sender import TelegramSender
from scheduler.claiming import ClaimPolicy
from scheduler.dispatch import Dispatcher
from scheduler.sending import (
    ChatBlockedError,
    RequestRejectedError,
    RetryLaterError,
    SendError,
    UnreachableError,
)
from scheduler.tick import Scheduler
from tests.scheduling import add_client, deliveries
from tests.support.botapi_double import BotApiDouble

CHAT = 620_001
SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 London
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KEYBOARD = Keyboard(
    [
        [Button("✅ Done", callback_data="r:d:1"), Button("⏭ Skip", callback_data="r:s:1")],
        [Button("How to", callback_data="ex:show:glute-bridge")],
    ]
)


def _buttons(markup: object) -> list[list[tuple[str, str]]]:
    assert isinstance(markup, dict)
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


async def test_a_text_goes_with_its_keyboard_and_telegrams_message_id_comes_back(
    telegram_bot: Bot, botapi: BotApiDouble
) -> None:
    message_id = await TelegramSender(telegram_bot).send_text(
        CHAT, "Time for your exercises", KEYBOARD
    )

    [call] = botapi.calls("sendMessage", chat_id=CHAT)
    assert call.text == "Time for your exercises"
    assert _buttons(call.params["reply_markup"]) == [
        [("✅ Done", "r:d:1"), ("⏭ Skip", "r:s:1")],
        [("How to", "ex:show:glute-bridge")],
    ]
    assert message_id == call.message_id


async def test_a_text_without_a_keyboard_has_no_buttons(
    telegram_bot: Bot, botapi: BotApiDouble
) -> None:
    await TelegramSender(telegram_bot).send_text(CHAT, "Your therapist paused your reminders")

    [call] = botapi.calls("sendMessage", chat_id=CHAT)
    assert "reply_markup" not in call.params


async def test_a_chart_goes_as_a_photo_with_its_caption_and_buttons(
    telegram_bot: Bot, botapi: BotApiDouble
) -> None:
    message_id = await TelegramSender(telegram_bot).send_photo(
        CHAT, PNG, "Your clients this week", KEYBOARD
    )

    [call] = botapi.calls("sendPhoto", chat_id=CHAT)
    assert call.text == "Your clients this week"
    assert call.files["photo"] == PNG
    assert _buttons(call.params["reply_markup"])[1] == [("How to", "ex:show:glute-bridge")]
    assert message_id == call.message_id


@pytest.mark.parametrize("as_timedelta", [False, True], ids=["seconds", "timedelta"])
async def test_flood_control_asks_to_retry_after_telegrams_seconds(
    telegram_bot: Bot,
    botapi: BotApiDouble,
    monkeypatch: pytest.MonkeyPatch,
    as_timedelta: bool,
) -> None:
    # python-telegram-bot gives the wait as a timedelta when PTB_TIMEDELTA is set.
    monkeypatch.setenv("PTB_TIMEDELTA", "true" if as_timedelta else "false")
    botapi.fail_next("sendMessage", error_code=429, retry_after=7)

    with pytest.raises(RetryLaterError) as raised:
        await TelegramSender(telegram_bot).send_text(CHAT, "Time for your exercises")

    assert raised.value.seconds == 7.0
    assert raised.value.reason == "RetryAfter"


async def test_a_chat_that_blocked_the_bot_is_reported_blocked(
    telegram_bot: Bot, botapi: BotApiDouble
) -> None:
    botapi.block_chat(CHAT)

    with pytest.raises(ChatBlockedError) as raised:
        await TelegramSender(telegram_bot).send_text(CHAT, "Time for your exercises")

    assert raised.value.reason == "Forbidden"


async def test_a_bad_request_is_rejected_and_not_taken_for_a_network_error(
    telegram_bot: Bot, botapi: BotApiDouble
) -> None:
    botapi.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")

    with pytest.raises(RequestRejectedError) as raised:
        await TelegramSender(telegram_bot).send_text(CHAT, "Time for your exercises")

    assert not isinstance(raised.value, UnreachableError)
    assert raised.value.reason == "BadRequest"


@pytest.mark.parametrize("status", [500, 502])
async def test_a_server_error_is_unreachable(
    telegram_bot: Bot, botapi: BotApiDouble, status: int
) -> None:
    botapi.fail_next("sendMessage", error_code=status)

    with pytest.raises(UnreachableError) as raised:
        await TelegramSender(telegram_bot).send_text(CHAT, "Time for your exercises")

    assert raised.value.reason == "NetworkError"


async def test_a_dropped_connection_is_unreachable(telegram_bot: Bot, botapi: BotApiDouble) -> None:
    botapi.disconnect_next("sendMessage")

    with pytest.raises(UnreachableError):
        await TelegramSender(telegram_bot).send_text(CHAT, "Time for your exercises")


async def test_any_other_telegram_refusal_is_a_send_error_named_after_it(
    telegram_bot: Bot, botapi: BotApiDouble
) -> None:
    # 409: python-telegram-bot's Conflict, neither a network error nor a bad request.
    botapi.fail_next("sendMessage", error_code=409, description="Conflict: terminated")

    with pytest.raises(SendError) as raised:
        await TelegramSender(telegram_bot).send_text(CHAT, "Time for your exercises")

    assert type(raised.value) is SendError
    assert raised.value.reason == "Conflict"


async def test_a_reminder_telegram_rejects_is_failed_at_once_and_not_sent_again(
    db: Database, library: ExerciseLibrary, telegram_bot: Bot, botapi: BotApiDouble
) -> None:
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CHAT)
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    dispatcher = Dispatcher(
        sender=TelegramSender(telegram_bot),
        db=db,
        clock=lambda: SLOT,
        sleep=no_sleep,
        monotonic=itertools.count(0.0, 100.0).__next__,
    )
    await dispatcher.start()
    scheduler = Scheduler(db=db, library=library, dispatcher=dispatcher, policy=ClaimPolicy())
    botapi.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")

    await scheduler.run_pass(SLOT)
    await dispatcher.drain()
    await dispatcher.stop()

    assert len(botapi.calls("sendMessage", chat_id=CHAT)) == 1
    assert sleeps == []
    [delivery] = await deliveries(db)
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.FAILED, "bad_request")
