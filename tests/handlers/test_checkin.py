"""The daily pain check-in as a client lives it: /pain, two taps, an optional note."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import texts
from bot.db.engine import Database
from tests.conftest import FrozenClock
from tests.handlers.client_seed import add_client, add_pain_entries, pain_rows
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=610_001, first_name="Alice")
STRANGER = TgUser(id=610_099, first_name="Sam")
TODAY = date(2026, 6, 1)  # DEFAULT_NOW (09:00 UTC) is 10:00 in London, same day.


@pytest.fixture
async def client_id(db: Database) -> int:
    return await add_client(db, CLIENT)


async def start_checkin(bot: RunningApplication, botapi: BotApiDouble) -> RecordedCall:
    mark = botapi.mark()
    botapi.send_command(CLIENT, "pain")
    return await botapi.wait_for("sendMessage", chat_id=CLIENT.id, after=mark)


async def tap(
    bot: RunningApplication, botapi: BotApiDouble, prompt: RecordedCall, label: str
) -> str:
    query_id = botapi.press_button(CLIENT, prompt, label)
    await bot.settle()
    return query_id


async def check_in(
    bot: RunningApplication, botapi: BotApiDouble, leg: int, back: int
) -> RecordedCall:
    prompt = await start_checkin(bot, botapi)
    await tap(bot, botapi, prompt, str(leg))
    await tap(bot, botapi, prompt, str(back))
    return prompt


def answer_text(botapi: BotApiDouble, query_id: str) -> str:
    return str(botapi.callback_answer(query_id).get("text") or "")


async def test_two_taps_store_todays_leg_and_back_pain_once(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    prompt = await start_checkin(bot, botapi)
    assert "leg" in (prompt.text or "").lower()
    assert [label for label, _ in botapi.callback_buttons(prompt)] == [str(n) for n in range(11)]

    await tap(bot, botapi, prompt, "6")
    assert "back" in botapi.last_text(CLIENT.id).lower()
    await tap(bot, botapi, prompt, "3")

    assert await pain_rows(db, client_id) == [(TODAY, 6, 3, None)]
    assert "leg 6/10, back 3/10" in botapi.last_text(CLIENT.id)
    assert not botapi.unanswered_callback_ids()


async def test_skipping_the_note_keeps_the_entry_and_later_text_is_not_a_note(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    prompt = await check_in(bot, botapi, 5, 2)
    await tap(bot, botapi, prompt, "Skip")
    assert "no note" in botapi.last_text(CLIENT.id).lower()

    botapi.send_text(CLIENT, "what time is it")
    await bot.settle()
    assert await pain_rows(db, client_id) == [(TODAY, 5, 2, None)]
    assert not botapi.unanswered_callback_ids()


async def test_a_double_tap_on_skip_says_no_note_once(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    prompt = await check_in(bot, botapi, 5, 2)
    mark = botapi.mark()
    botapi.press_button(CLIENT, prompt, "Skip")
    botapi.press_button(CLIENT, prompt, "Skip")
    await bot.settle()

    said = [call.text for call in botapi.calls("sendMessage", chat_id=CLIENT.id, after=mark)]
    assert said == ["No note today. See you tomorrow."]
    assert await pain_rows(db, client_id) == [(TODAY, 5, 2, None)]
    assert not botapi.unanswered_callback_ids()


async def test_a_sentence_typed_after_a_checkin_becomes_its_note(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    await check_in(bot, botapi, 5, 2)
    botapi.send_text(CLIENT, "Walked the dog, felt looser afterwards")
    await bot.settle()

    assert await pain_rows(db, client_id) == [
        (TODAY, 5, 2, "Walked the dog, felt looser afterwards")
    ]
    assert "added your note" in botapi.last_text(CLIENT.id)


async def test_second_checkin_on_the_same_day_updates_after_asking(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    await check_in(bot, botapi, 6, 3)
    second = await check_in(bot, botapi, 4, 2)

    assert "already checked in today" in botapi.last_text(CLIENT.id)
    assert await pain_rows(db, client_id) == [(TODAY, 6, 3, None)]

    await tap(bot, botapi, second, "Yes, update it")
    assert await pain_rows(db, client_id) == [(TODAY, 4, 2, None)]
    assert "updated" in botapi.last_text(CLIENT.id)
    assert not botapi.unanswered_callback_ids()


async def test_keeping_the_earlier_entry_changes_nothing(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    await check_in(bot, botapi, 6, 3)
    second = await check_in(bot, botapi, 4, 2)
    await tap(bot, botapi, second, "keep")

    assert await pain_rows(db, client_id) == [(TODAY, 6, 3, None)]
    assert "kept" in botapi.last_text(CLIENT.id)


async def test_a_double_tap_stores_one_entry_and_both_taps_are_answered(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    prompt = await start_checkin(bot, botapi)
    await tap(bot, botapi, prompt, "7")
    data = botapi.button_data(botapi.message(CLIENT.id, prompt.message_id or 0), "4")
    first = botapi.press(CLIENT, prompt, data)
    # The second tap of the same button arrives after the first edited the message away.
    second = botapi.forge_press(CLIENT, data, prompt.message_id or 0)
    await bot.settle()

    assert await pain_rows(db, client_id) == [(TODAY, 7, 4, None)]
    assert {first, second} <= botapi.answered_callback_ids()
    assert "already" in answer_text(botapi, second).lower()
    assert "already checked in today" not in botapi.last_text(CLIENT.id)


async def test_a_press_on_a_prompt_two_days_old_stores_nothing_and_says_so(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    client_id: int,
    clock: FrozenClock,
) -> None:
    prompt = await start_checkin(bot, botapi)
    clock.advance(timedelta(days=2))

    query_id = await tap(bot, botapi, prompt, "5")
    assert "more than a day old" in answer_text(botapi, query_id)
    # Even the back button of that prompt (kept by a client, or forged) stores nothing.
    forged = botapi.forge_press(CLIENT, f"pain:back:5:2:{TODAY:%Y%m%d}", prompt.message_id or 0)
    await bot.settle()
    assert "more than a day old" in answer_text(botapi, forged)
    assert await pain_rows(db, client_id) == []


@pytest.mark.parametrize(
    "data",
    [
        "pain:leg:11",
        "pain:back:5:11",
        "pain:back:-1:3",
        "pain:back:5:x",
        "pain:back:99:99",
        "pain:upd:5:5",
        "pain:back:5:5:20261399",
        "pain:",
    ],
)
async def test_forged_or_out_of_range_scores_get_a_clear_answer_and_store_nothing(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int, data: str
) -> None:
    prompt = await start_checkin(bot, botapi)
    query_id = botapi.forge_press(CLIENT, data, prompt.message_id or 0)
    await bot.settle()
    assert answer_text(botapi, query_id) == texts.STALE_BUTTON
    assert await pain_rows(db, client_id) == []


async def test_someone_who_is_not_a_client_cannot_check_in(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    botapi.send_command(STRANGER, "pain")
    await bot.settle()
    assert "for clients" in botapi.last_text(STRANGER.id)

    query_id = botapi.forge_press(STRANGER, "pain:back:5:5", 1)
    await bot.settle()
    assert answer_text(botapi, query_id) == texts.NOT_YOURS
    assert await pain_rows(db, client_id) == []


async def test_the_thank_you_compares_this_week_with_last_week_in_plain_words(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    await add_pain_entries(
        db,
        client_id,
        [(TODAY - timedelta(days=n), 7, 4) for n in (8, 9, 10)]
        + [(TODAY - timedelta(days=n), 4, 3) for n in (1, 2)],
    )
    await check_in(bot, botapi, 4, 3)
    text = botapi.last_text(CLIENT.id)
    assert "leg pain this week is lower than last week" in text
