"""Under the client card the therapist sees how each exercise is going — aggravating, too hard,
ready to step up — and applies a suggestion in one tap; the client is told what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import BotApplication
from bot.db.engine import Database
from bot.db.models import (
    ExerciseOutcome,
    LegResponse,
    Prescription,
)
from bot.services.clients import register_therapist
from scheduler.tick import Scheduler
from tests.conftest import THERAPIST_ID
from tests.handlers.exercise_seed import ALICE, add_bridge_sessions
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

BOB = TgUser(id=670_002, first_name="Bob")
OTHER_THERAPIST = 900_777
MONDAY_8_LONDON = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
E, S, W = LegResponse.EASED, LegResponse.SAME, LegResponse.WORSE
DONE = ExerciseOutcome.DONE


async def _open_card(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, name: str = "Alice"
) -> list[RecordedCall]:
    mark = botapi.mark()
    botapi.send_command(therapist, "client", name)
    await bot.settle()
    return botapi.calls("sendMessage", chat_id=therapist.id, after=mark)


def _suggestions(calls: list[RecordedCall]) -> RecordedCall:
    [found] = [c for c in calls if (c.text or "").startswith("How Alice Example's exercises")]
    return found


async def _bridge_dosages(db: Database, client_id: int) -> list[str]:
    async with db.sessions() as session:
        return list(
            (
                await session.execute(
                    select(Prescription.dosage).where(
                        Prescription.client_id == client_id,
                        Prescription.exercise_slug == "glute-bridge",
                        Prescription.active_to.is_(None),
                    )
                )
            ).scalars()
        )


async def test_a_bridge_done_reliably_is_offered_a_step_up_to_the_single_leg_bridge(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_bridge_sessions(db, [(DONE, S)] * 15)

    shown = _suggestions(await _open_card(bot, botapi, therapist))
    assert "Glute bridge: done in 13 of 13 sessions" in (shown.text or "")
    assert "ready to step up" in (shown.text or "")
    mark = botapi.mark()
    query_id = botapi.press_button(therapist, shown, "1. Step up")
    await bot.settle()

    assert await _bridge_dosages(db, client_id) == ["Single-leg bridge, 3 × 8 reps each side"]
    assert "now Single-leg bridge" in botapi.callback_answer(query_id)["text"]
    [notice] = botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)
    assert "Glute bridge — Single-leg bridge, 3 × 8 reps each side" in (notice.text or "")
    assert not BotApiDouble.callback_buttons(botapi.message(therapist.id, shown.message_id or 0))


async def test_an_aggravating_exercise_is_eased_in_one_tap_and_the_client_told(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_bridge_sessions(
        db, [(DONE, S)] * 5 + [(DONE, W), (DONE, S), (DONE, W), (DONE, W)]
    )

    shown = _suggestions(await _open_card(bot, botapi, therapist))
    assert "⚠️ Glute bridge: leg worse after it in 3 of the last 5" in (shown.text or "")
    assert [label for label, _ in BotApiDouble.callback_buttons(shown)] == [
        "1. Ease it",
        "1. Stop it",
    ]
    mark = botapi.mark()
    botapi.press_button(therapist, shown, "1. Ease it")
    await bot.settle()

    assert await _bridge_dosages(db, client_id) == ["2 × 8 reps"]
    [notice] = botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)
    assert "Glute bridge — 2 × 8 reps" in (notice.text or "")


async def test_stop_it_ends_the_exercise_and_tells_the_client(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_bridge_sessions(db, [(DONE, W), (DONE, W), (DONE, W)])

    shown = _suggestions(await _open_card(bot, botapi, therapist))
    mark = botapi.mark()
    botapi.press_button(therapist, shown, "1. Stop it")
    await bot.settle()

    assert await _bridge_dosages(db, client_id) == []
    assert botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)


async def test_not_yet_changes_nothing(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_bridge_sessions(db, [(DONE, S)] * 15)

    shown = _suggestions(await _open_card(bot, botapi, therapist))
    mark = botapi.mark()
    query_id = botapi.press_button(therapist, shown, "1. Not yet")
    await bot.settle()

    assert await _bridge_dosages(db, client_id) == ["3 × 10 reps"]
    assert "Not yet" in botapi.callback_answer(query_id)["text"]
    assert not botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)


async def test_a_client_with_nothing_to_suggest_gets_no_suggestions_message(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await add_bridge_sessions(db, [(DONE, S)] * 5)

    calls = await _open_card(bot, botapi, therapist)

    assert calls
    assert not [c for c in calls if "exercises are going" in (c.text or "")]


async def test_a_forged_step_up_for_another_therapists_client_changes_nothing(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    bob_id = await add_bridge_sessions(
        db,
        [(DONE, S)] * 15,
        user=BOB,
        name="Bob Other",
        therapist_telegram_id=OTHER_THERAPIST,
    )
    botapi.add_user(therapist)

    query_id = botapi.forge_press(therapist, f"sug:{bob_id}:up:glute-bridge", message_id=1)
    await bot.settle()

    assert query_id in botapi.answered_callback_ids()
    assert await _bridge_dosages(db, bob_id) == ["3 × 10 reps"]


# --- in the weekly summary ------------------------------------------------------------------------


async def test_the_weekly_summary_ends_with_every_clients_suggestions_applied_in_one_tap(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    alice = await add_bridge_sessions(db, [(DONE, S)] * 15)
    await add_bridge_sessions(db, [(DONE, W), (DONE, W), (DONE, W)], user=BOB, name="Bob Second")

    mark = botapi.mark()
    botapi.send_command(therapist, "summary")
    await bot.settle()

    [shown] = [
        c
        for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
        if (c.text or "").startswith("🏋️ Exercise suggestions this week")
    ]
    text = shown.text or ""
    # Aggravating first, then ready to step up.
    assert text.index("2. Alice Example — ⬆️ Glute bridge") > text.index(
        "1. Bob Second — ⚠️ Glute bridge"
    )
    botapi.press_button(therapist, shown, "2. Step up")
    await bot.settle()

    assert await _bridge_dosages(db, alice) == ["Single-leg bridge, 3 × 8 reps each side"]
    assert [
        label
        for label, _ in BotApiDouble.callback_buttons(
            botapi.message(therapist.id, shown.message_id or 0)
        )
    ] == ["1. Ease it", "1. Stop it"]


async def test_the_monday_summary_push_carries_the_suggestions_too(
    application: BotApplication, bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await register_therapist(
        db,
        telegram_id=THERAPIST_ID,
        display_name="Terry",
        timezone="Europe/London",
        now=MONDAY_8_LONDON - timedelta(days=40),
    )
    await add_bridge_sessions(db, [(DONE, S)] * 15)
    mark = botapi.mark()

    scheduler: Scheduler = application.bot_data.scheduler
    await scheduler.run_pass(MONDAY_8_LONDON)
    await scheduler.dispatcher.drain()
    await bot.settle()

    pushed = [c.text or "" for c in botapi.calls("sendMessage", chat_id=THERAPIST_ID, after=mark)]
    assert any(
        text.startswith("🏋️ Exercise suggestions this week")
        and "1. Alice Example — ⬆️ Glute bridge" in text
        for text in pushed
    )
