"""/progress: a chart of the last weeks with a plain-English reading, or words when too early."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.db.engine import Database
from bot.db.models import ExerciseOutcome
from bot.services.progress import progress_of
from bot.texts.progress import chart_title
from tests.conftest import DEFAULT_NOW
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


RISING_WEEK = [3, 3, 3, 6, 7, 7, 7]  # leg pain, oldest first, ending today


async def test_a_client_whose_leg_pain_is_rising_is_told_to_contact_their_therapist(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    first = TODAY - timedelta(days=len(RISING_WEEK) - 1)
    await add_pain_entries(
        db, client_id, [(first + timedelta(days=n), leg, 2) for n, leg in enumerate(RISING_WEEK)]
    )
    botapi.send_command(CLIENT, "progress")
    photo = await botapi.wait_for("sendPhoto", chat_id=CLIENT.id)

    caption = photo.text or ""
    assert "Please contact your therapist" in caption
    assert "about 7 over the last few days, against about 3 before" in caption
    assert "/symptoms" in caption


async def test_a_steady_client_gets_no_advice_to_call_and_the_chart_covers_their_real_period(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    first = TODAY - timedelta(days=6)
    await add_pain_entries(
        db, client_id, [(first + timedelta(days=n), 4, 2) for n in (0, 1, 2, 5, 6)]
    )
    progress = await progress_of(db, telegram_id=CLIENT.id, now=DEFAULT_NOW)
    botapi.send_command(CLIENT, "progress")
    photo = await botapi.wait_for("sendPhoto", chat_id=CLIENT.id)

    assert "contact your therapist" not in (photo.text or "")
    assert progress is not None and progress.start == first
    assert chart_title(progress.start, progress.today) == "Your last 7 days (26 May – 1 Jun)"
    assert "(26 May)" in (photo.text or "")  # the caption's date in the chart's style
