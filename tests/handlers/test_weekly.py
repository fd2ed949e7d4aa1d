"""The weekly Sciatica Bothersomeness Index, then the weekly red-flag screen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot import texts
from bot.db.engine import Database
from bot.db.models import OutcomeMeasure
from tests.conftest import DEFAULT_NOW
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=630_001, first_name="Alice")
MONDAY = date(2026, 6, 1)


@pytest.fixture
async def client_id(db: Database) -> int:
    return await add_client(db, CLIENT)


async def sbi_rows(db: Database, client_id: int) -> list[tuple[date, int, dict[str, int]]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(OutcomeMeasure.period_start, OutcomeMeasure.total, OutcomeMeasure.items)
            .where(OutcomeMeasure.client_id == client_id, OutcomeMeasure.instrument == "SBI")
            .order_by(OutcomeMeasure.period_start)
        )
        return [(row.period_start, row.total, dict(row.items)) for row in rows]


async def answer_sbi(
    bot: RunningApplication, botapi: BotApiDouble, scores: tuple[int, ...]
) -> RecordedCall:
    mark = botapi.mark()
    botapi.send_command(CLIENT, "weekly")
    prompt = await botapi.wait_for("sendMessage", chat_id=CLIENT.id, after=mark)
    for score in scores:
        botapi.press_button(CLIENT, prompt, str(score))
        await bot.settle()
    return prompt


async def test_four_answers_store_the_weeks_total_and_start_the_safety_check(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    prompt = await answer_sbi(bot, botapi, (4, 3, 2, 5))

    assert await sbi_rows(db, client_id) == [
        (
            MONDAY,
            14,
            {"leg_pain": 4, "numbness_tingling": 3, "weakness": 2, "sitting_pain": 5},
        )
    ]
    assert "14 out of 24" in botapi.message(CLIENT.id, prompt.message_id or 0)["text"]
    screen = botapi.sent_messages(CLIENT.id)[-1]
    assert "safety check" in screen["text"]
    assert [label for label, _ in botapi.callback_buttons(screen)] == ["Yes", "No"]
    assert not botapi.unanswered_callback_ids()


async def test_redoing_the_same_week_updates_it_and_says_how_it_compares(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    client_id: int,
) -> None:
    async with db.sessions.begin() as session:
        session.add(
            OutcomeMeasure(
                client_id=client_id,
                instrument="SBI",
                period_start=MONDAY - timedelta(days=7),
                items={"leg_pain": 6, "numbness_tingling": 6, "weakness": 6, "sitting_pain": 2},
                total=20,
                recorded_at=DEFAULT_NOW - timedelta(days=7),
            )
        )
    first = await answer_sbi(bot, botapi, (4, 3, 2, 5))
    assert "6 lower than last week" in botapi.message(CLIENT.id, first.message_id or 0)["text"]

    second = await answer_sbi(bot, botapi, (1, 1, 1, 1))
    assert "updated" in botapi.message(CLIENT.id, second.message_id or 0)["text"]
    assert [(start, total) for start, total, _ in await sbi_rows(db, client_id)] == [
        (MONDAY - timedelta(days=7), 20),
        (MONDAY, 4),
    ]


@pytest.mark.parametrize("data", ["sbi:7", "sbi:12345", "sbi:", "sbi:1a", "sbi:-1"])
async def test_forged_answers_store_nothing(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int, data: str
) -> None:
    prompt = await answer_sbi(bot, botapi, ())
    query_id = botapi.forge_press(CLIENT, data, prompt.message_id or 0)
    await bot.settle()
    assert botapi.callback_answer(query_id).get("text") == texts.STALE_BUTTON
    assert await sbi_rows(db, client_id) == []


async def test_a_double_tap_on_the_last_answer_stores_once_and_asks_the_screen_once(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    prompt = await answer_sbi(bot, botapi, (1, 1, 1))
    data = botapi.button_data(botapi.message(CLIENT.id, prompt.message_id or 0), "2")
    botapi.press(CLIENT, prompt, data)
    botapi.forge_press(CLIENT, data, prompt.message_id or 0)
    await bot.settle()

    assert [total for _, total, _ in await sbi_rows(db, client_id)] == [5]
    screens = [m for m in botapi.sent_messages(CLIENT.id) if "safety check" in m["text"]]
    assert len(screens) == 1
    assert not botapi.unanswered_callback_ids()
