"""The press guard: a press acts only in the presser's own private chat, on their own records,
while their role still holds; malformed data gets "this button has expired" and never raises."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import texts
from bot.buttons.therapist import CancelRelay
from bot.db.engine import Database
from bot.texts import therapist as therapist_texts
from tests.conftest import DEFAULT_NOW, make_settings
from tests.handlers.client_seed import add_client, add_pain_entries, pain_rows
from tests.handlers.test_bad_input import row_counts
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication, running_application
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=620_001, first_name="Alice")
BOB = TgUser(id=620_002, first_name="Bob")


def answer(botapi: BotApiDouble, query_id: str) -> str:
    return str(botapi.callback_answer(query_id).get("text") or "")


async def test_a_client_pressing_on_another_clients_pain_keyboard_changes_nothing(
    bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await add_client(db, ALICE, name="Alice Example")
    bob_id = await add_client(db, BOB, name="Bob Example")
    botapi.send_command(BOB, "pain")
    prompt = await botapi.wait_for("sendMessage", chat_id=BOB.id)
    await bot.settle()
    assert prompt.message_id is not None
    mark = botapi.mark()

    # Alice's forged press names Bob's message in Bob's chat, with a score Bob could press.
    query_id = botapi.forge_press(ALICE, "pain:leg:9", prompt.message_id, chat_id=BOB.id)
    query_id_2 = botapi.forge_press(ALICE, "pain:back:9:9", prompt.message_id, chat_id=BOB.id)
    await bot.settle()

    assert answer(botapi, query_id) == texts.NOT_YOURS
    assert answer(botapi, query_id_2) == texts.NOT_YOURS
    assert botapi.calls("editMessageText", after=mark) == []
    assert botapi.calls("sendMessage", after=mark) == []
    assert "How bad is the pain in your leg" in botapi.last_text(BOB.id)
    assert await pain_rows(db, bob_id) == []


@pytest.mark.parametrize(
    "data",
    [
        "rem:done:123456789012345678",
        "rem:snooze:99999999999999999999",
        "client:open:123456789012345678",
        "alert:ack:²",
        "rx:n:1:²",
        "rx:t:1:" + "x" * 60,
        "pain:leg:²",
        "summary:chart:-1",
        "rem:done:5\u200b",
        "🙂",
        "client:",
    ],
)
async def test_malformed_button_data_is_answered_as_expired_and_never_raises(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser, data: str
) -> None:
    await add_client(db, ALICE)
    before = await row_counts(db)
    for presser in (ALICE, therapist):
        query_id = botapi.forge_press(presser, data, 1)
        await bot.settle()
        assert answer(botapi, query_id) == texts.STALE_BUTTON
    assert await row_counts(db) == before
    # The harness fails the test on any handler exception when the bot stops.


async def test_a_therapist_removed_from_therapist_ids_is_refused_on_their_old_buttons(
    botapi: BotApiDouble, db: Database, database_url: str, therapist: TgUser
) -> None:
    from bot.app import build_application
    from bot.content import load_library
    from tests.conftest import CONTENT_DIR

    client_id = await add_client(db, ALICE)
    settings = make_settings(botapi, database_url, therapist_ids=frozenset({1}))
    app = build_application(
        settings, db=db, library=load_library(CONTENT_DIR), scheduler_tick_job=False
    )
    async with running_application(app, botapi) as running:
        mark = botapi.mark()
        query_id = botapi.forge_press(therapist, f"client:open:{client_id}", 1)
        await running.settle()
    assert answer(botapi, query_id) == therapist_texts.THERAPIST_ONLY_BUTTON
    assert botapi.calls("sendMessage", after=mark) == []
    assert botapi.calls("sendPhoto", after=mark) == []


async def test_a_text_button_pressed_on_a_photo_answers_in_a_new_message(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    """Telegram cannot put text into a photo ("There is no text in the message to edit"): a
    press whose answer is text, made on the card's pain chart, is answered in a new message."""
    alice_id = await add_client(db, ALICE, name="Alice Example")
    today = DEFAULT_NOW.date()
    await add_pain_entries(db, alice_id, [(today - timedelta(days=d), 4, 2) for d in range(5)])
    botapi.send_command(therapist, "client", "Alice")
    chart = await botapi.wait_for("sendPhoto", chat_id=therapist.id)
    await bot.settle()
    assert chart.message_id is not None
    mark = botapi.mark()

    query_id = botapi.forge_press(therapist, CancelRelay().pack(), chart.message_id)
    await bot.settle()

    assert botapi.callback_answer(query_id) is not None
    reply = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    assert len(reply) == 1
    assert botapi.calls("editMessageText", after=mark) == []
    # The harness fails the test on any handler exception when the bot stops.
