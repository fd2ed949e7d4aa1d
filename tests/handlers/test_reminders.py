"""A client answers their exercise reminder: Done / Partly / Skip (+ why) / Snooze."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import texts
from bot.app import build_application
from bot.config import Settings
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import Delivery, ExerciseLog, ExerciseOutcome
from tests.conftest import FrozenClock, make_settings
from tests.scheduling import add_client
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication, running_application
from tests.support.telegram_payloads import TgUser

SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 London
CLIENT = TgUser(id=610_001, first_name="Cara")
STRANGER = TgUser(id=610_002, first_name="Sam")


@pytest.fixture
async def running(
    settings: Settings, db: Database, library: ExerciseLibrary, botapi: BotApiDouble
) -> AsyncIterator[RunningApplication]:
    clock = FrozenClock(SLOT)
    app = build_application(settings, db=db, library=library, clock=clock, scheduler_tick_job=False)
    async with running_application(app, botapi) as bot:
        yield bot


async def _reminder(running: RunningApplication, db: Database) -> RecordedCall:
    """The client's 09:00 reminder, sent by one scheduler pass."""
    await add_client(
        db,
        now=SLOT - timedelta(hours=1),
        telegram_id=CLIENT.id,
        exercises=[("glute-bridge", 1), ("clamshell", 1)],
    )
    running.double.add_user(CLIENT)
    scheduler = running.application.bot_data.scheduler
    await scheduler.run_pass(SLOT)
    await scheduler.dispatcher.drain()
    return await running.double.wait_for("sendMessage", chat_id=CLIENT.id)


async def _logs(db: Database) -> list[tuple[ExerciseOutcome, str | None]]:
    async with db.sessions() as session:
        rows = await session.execute(select(ExerciseLog.outcome, ExerciseLog.skip_reason))
        return [(row.outcome, row.skip_reason) for row in rows]


async def _delivery_id(db: Database) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(Delivery.id))).scalar_one()


async def test_the_reminder_lists_exercises_with_dosage_and_the_five_buttons(
    running: RunningApplication, db: Database
) -> None:
    call = await _reminder(running, db)

    assert call.text is not None
    assert "Glute bridge — 3 × 10 reps" in call.text
    labels = [label for label, _ in BotApiDouble.buttons(call)]
    assert labels[:4] == ["✅ Done", "🌓 Partly", "⏭ Skip", "⏰ Snooze 30 min"]
    assert any(label.startswith("How to:") for label in labels)
    delivery_id = await _delivery_id(db)
    async with db.sessions() as session:
        delivery = await session.get_one(Delivery, delivery_id)
    assert delivery.telegram_message_id == call.message_id


async def test_done_is_recorded_once_even_when_tapped_twice(
    running: RunningApplication, db: Database
) -> None:
    call = await _reminder(running, db)

    running.double.press_button(CLIENT, call, "Done")
    await running.settle()
    running.double.press_button(CLIENT, call, "Done")
    await running.settle()

    assert await _logs(db) == [(ExerciseOutcome.DONE, None)]
    assert "well done" in running.double.last_text(CLIENT.id)
    assert running.double.unanswered_callback_ids() == set()


async def test_a_quick_double_tap_on_done_says_saved_twice_and_never_something_went_wrong(
    running: RunningApplication, db: Database
) -> None:
    call = await _reminder(running, db)

    # Both presses leave the phone before the first edit arrives, so both carry the original
    # message: the second edit is identical, which Telegram refuses as "not modified".
    first = running.double.press_button(CLIENT, call, "Done")
    second = running.double.press_button(CLIENT, call, "Done")
    await running.settle()

    assert await _logs(db) == [(ExerciseOutcome.DONE, None)]
    assert [running.double.callback_answer(q)["text"] for q in (first, second)] == ["Saved"] * 2
    assert "well done" in running.double.last_text(CLIENT.id)
    assert "went wrong" not in running.double.last_text(CLIENT.id)


async def test_a_second_answer_changes_the_outcome_instead_of_adding_one(
    running: RunningApplication, db: Database
) -> None:
    call = await _reminder(running, db)

    running.double.press_button(CLIENT, call, "Done")
    await running.settle()
    running.double.press_button(CLIENT, call, "Partly")
    await running.settle()

    assert await _logs(db) == [(ExerciseOutcome.PARTLY, None)]
    assert "Partly done" in running.double.last_text(CLIENT.id)


async def test_skip_asks_why_and_records_the_reason(
    running: RunningApplication, db: Database
) -> None:
    call = await _reminder(running, db)

    running.double.press_button(CLIENT, call, "Skip")
    await running.settle()
    assert "Why did you skip" in running.double.last_text(CLIENT.id)
    running.double.press_button(CLIENT, call, "No time")
    await running.settle()

    assert await _logs(db) == [(ExerciseOutcome.SKIPPED, "time")]
    assert "Skipped (no time)" in running.double.last_text(CLIENT.id)


async def test_snooze_is_confirmed_on_the_message(
    running: RunningApplication, db: Database
) -> None:
    call = await _reminder(running, db)

    running.double.press_button(CLIENT, call, "Snooze")
    await running.settle()

    async with db.sessions() as session:
        snoozed = (await session.execute(select(Delivery.snoozed_until))).scalar_one()
    assert snoozed == SLOT + timedelta(minutes=30)
    assert "remind you again in 30 minutes" in running.double.last_text(CLIENT.id)


async def test_a_forged_reminder_id_gets_a_clear_answer_and_changes_nothing(
    running: RunningApplication, db: Database
) -> None:
    call = await _reminder(running, db)
    assert call.message_id is not None

    query_id = running.double.forge_press(CLIENT, "rem:done:987654", call.message_id)
    await running.settle()

    assert await _logs(db) == []
    assert running.double.callback_answer(query_id)["text"] == texts.STALE_BUTTON


async def test_someone_elses_reminder_button_is_refused(
    running: RunningApplication, db: Database
) -> None:
    call = await _reminder(running, db)
    delivery_id = await _delivery_id(db)
    assert call.message_id is not None

    query_id = running.double.forge_press(STRANGER, f"rem:done:{delivery_id}", call.message_id)
    await running.settle()

    assert await _logs(db) == []
    assert running.double.callback_answer(query_id)["text"] == "That button isn't for you."


async def test_the_running_application_sends_a_due_reminder_by_its_own_tick(
    db: Database, library: ExerciseLibrary, botapi: BotApiDouble, database_url: str
) -> None:
    # No pass is run by hand: the application's own metronome (TICK_SECONDS) claims the slot.
    settings = make_settings(botapi, database_url, tick_seconds=0.05)
    app = build_application(settings, db=db, library=library, clock=FrozenClock(SLOT))
    await add_client(db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT.id)
    botapi.add_user(CLIENT)

    async with running_application(app, botapi):
        reminder = await botapi.wait_for("sendMessage", chat_id=CLIENT.id)

    assert reminder.params["reply_markup"]  # the reminder with its Done / Partly / Skip
