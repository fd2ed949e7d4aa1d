"""/progress shows each prescribed exercise over the last 2 weeks — how often it was done and
how the leg responded — and a short encouraging line when a streak is building."""

from __future__ import annotations

from bot.db.engine import Database
from bot.db.models import ExerciseOutcome, LegResponse
from tests.handlers.exercise_seed import ALICE, add_bridge_sessions
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication

DONE, PARTLY, SKIPPED = ExerciseOutcome.DONE, ExerciseOutcome.PARTLY, ExerciseOutcome.SKIPPED
E, S = LegResponse.EASED, LegResponse.SAME


async def _progress_texts(bot: RunningApplication, botapi: BotApiDouble) -> list[str]:
    mark = botapi.mark()
    botapi.send_command(ALICE, "progress")
    await bot.settle()
    return [c.text or "" for c in botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)]


async def test_progress_lists_each_exercise_with_the_legs_response_and_a_building_streak(
    bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await add_bridge_sessions(db, [(SKIPPED, None)] * 9 + [(PARTLY, S)] + [(DONE, E)] * 4)
    botapi.add_user(ALICE)

    texts = await _progress_texts(bot, botapi)

    [lines] = [t for t in texts if t.startswith("Your exercises over the last 2 weeks")]
    assert "• Glute bridge: done 4 of 13 times (+1 partly) · leg afterwards: eased 4, same 1" in (
        lines
    )
    assert "🔥 Glute bridge: 5 days in a row" in lines


async def test_no_streak_line_before_three_days_in_a_row(
    bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await add_bridge_sessions(db, [(DONE, None)] * 5 + [(SKIPPED, None), (DONE, None)])
    botapi.add_user(ALICE)

    texts = await _progress_texts(bot, botapi)

    [lines] = [t for t in texts if t.startswith("Your exercises")]
    assert "done 6 of 7 times" in lines
    assert "in a row" not in lines
