"""/progress: a chart of the last weeks with a plain-English reading, or words when too early."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.db.engine import Database
from bot.db.models import ExerciseOutcome
from tests.handlers.client_seed import add_client, add_exercise_slots, add_pain_entries
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=640_001, first_name="Alice")
TODAY = date(2026, 6, 1)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def client_id(db: Database) -> int:
    return await add_client(db, CLIENT)


async def test_progress_sends_a_chart_with_a_reading_when_there_is_enough_data(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    await add_pain_entries(
        db,
        client_id,
        [(TODAY - timedelta(days=n), 6, 4) for n in range(8, 14)]
        + [(TODAY - timedelta(days=n), 4, 3) for n in range(7)],
    )
    await add_exercise_slots(
        db,
        client_id,
        [(datetime(2026, 5, 25 + n, 7, 0, tzinfo=UTC), ExerciseOutcome.DONE) for n in range(5)]
        + [(datetime(2026, 5, 30, 7, 0, tzinfo=UTC), None)],
    )
    botapi.send_command(CLIENT, "progress")
    photo = await botapi.wait_for("sendPhoto", chat_id=CLIENT.id)

    assert photo.files["photo"][:8] == PNG_SIGNATURE
    assert photo.text == "Your leg pain is down from 6 to 4 over the last two weeks."


async def test_progress_without_enough_checkins_answers_in_words(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    await add_pain_entries(db, client_id, [(TODAY, 5, 3)])
    botapi.send_command(CLIENT, "progress")
    await bot.settle()

    assert botapi.calls("sendPhoto") == []
    assert "enough check-ins" in botapi.last_text(CLIENT.id)


async def test_progress_is_for_clients_only(
    bot: RunningApplication, botapi: BotApiDouble, client_id: int
) -> None:
    stranger = TgUser(id=640_099, first_name="Sam")
    botapi.send_command(stranger, "progress")
    await bot.settle()
    assert botapi.calls("sendPhoto") == []
    assert "for clients" in botapi.last_text(stranger.id)
