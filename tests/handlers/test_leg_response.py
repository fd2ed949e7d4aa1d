"""After Done or Partly, the reminder offers "How was your leg afterwards?" — one optional tap —
and every answer lands in the per-exercise response record."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.app import build_application
from bot.config import Settings
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import (
    Alert,
    ExerciseOutcome,
    ExerciseResponse,
    LegResponse,
    Prescription,
)
from tests.conftest import FrozenClock
from tests.scheduling import add_client
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication, running_application
from tests.support.telegram_payloads import TgUser

SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 London
CLIENT = TgUser(id=611_001, first_name="Cara")
STRANGER = TgUser(id=611_002, first_name="Sam")
QUESTION = "How was your leg afterwards?"


@pytest.fixture
async def running(
    settings: Settings, db: Database, library: ExerciseLibrary, botapi: BotApiDouble
) -> AsyncIterator[RunningApplication]:
    clock = FrozenClock(SLOT)
    app = build_application(settings, db=db, library=library, clock=clock, scheduler_tick_job=False)
    async with running_application(app, botapi) as bot:
        yield bot


async def _reminder(
    running: RunningApplication, db: Database, exercises: Sequence[tuple[str, int]]
) -> tuple[int, RecordedCall]:
    client_id = await add_client(
        db, now=SLOT - timedelta(hours=1), telegram_id=CLIENT.id, exercises=exercises
    )
    running.double.add_user(CLIENT)
    scheduler = running.application.bot_data.scheduler
    await scheduler.run_pass(SLOT)
    await scheduler.dispatcher.drain()
    return client_id, await running.double.wait_for("sendMessage", chat_id=CLIENT.id)


def _current(running: RunningApplication, call: RecordedCall) -> dict[str, object]:
    return running.double.message(CLIENT.id, call.message_id or 0)


def _labels(message: dict[str, object]) -> list[str]:
    return [label for label, _ in BotApiDouble.callback_buttons(message)]


async def _press(running: RunningApplication, call: RecordedCall, label: str) -> str:
    query_id = running.double.press_button(CLIENT, _current(running, call), label)
    await running.settle()
    return query_id


async def _record(db: Database) -> dict[str, tuple[object, ...]]:
    async with db.sessions() as session:
        rows = (await session.execute(select(ExerciseResponse))).scalars()
        return {r.exercise_slug: (r.outcome, r.skip_reason, r.leg_response) for r in rows}


async def test_done_offers_the_leg_question_and_one_tap_answers_it(
    running: RunningApplication, db: Database
) -> None:
    _, call = await _reminder(running, db, [("glute-bridge", 1)])

    await _press(running, call, "Done")
    asked = _current(running, call)
    assert QUESTION in str(asked["text"])
    labels = _labels(asked)
    assert {"😌 Eased", "➖ Same", "😣 Worse", "⬇️ Spread further down the leg"} <= set(labels)

    await _press(running, call, "Eased")

    answered = _current(running, call)
    assert "well done" in str(answered["text"])
    assert "Leg eased afterwards" in str(answered["text"])
    assert "😌 Eased" not in _labels(answered)
    assert "✅ Done" in _labels(answered)
    assert await _record(db) == {"glute-bridge": (ExerciseOutcome.DONE, None, LegResponse.EASED)}


async def test_worse_after_a_session_of_several_exercises_asks_which_one(
    running: RunningApplication, db: Database
) -> None:
    _, call = await _reminder(running, db, [("glute-bridge", 1), ("clamshell", 1)])

    await _press(running, call, "Partly")
    await _press(running, call, "Worse")
    which = _current(running, call)
    assert "Which exercise was it?" in str(which["text"])
    assert {"Glute bridge", "Clamshell", "Not sure"} <= set(_labels(which))

    await _press(running, call, "Clamshell")

    assert "Noted: Clamshell." in str(_current(running, call)["text"])
    assert await _record(db) == {
        "glute-bridge": (ExerciseOutcome.PARTLY, None, None),
        "clamshell": (ExerciseOutcome.PARTLY, None, LegResponse.WORSE),
    }


async def test_not_sure_which_keeps_worse_for_the_whole_session(
    running: RunningApplication, db: Database
) -> None:
    _, call = await _reminder(running, db, [("glute-bridge", 1), ("clamshell", 1)])

    await _press(running, call, "Done")
    await _press(running, call, "Spread")
    await _press(running, call, "Not sure")

    assert {r[2] for r in (await _record(db)).values()} == {LegResponse.SPREAD}


async def test_the_leg_question_waits_a_week_once_the_first_fortnight_is_over(
    running: RunningApplication, db: Database
) -> None:
    client_id, call = await _reminder(running, db, [("glute-bridge", 1)])
    async with db.sessions.begin() as session:
        session.add(
            ExerciseResponse(
                client_id=client_id,
                exercise_slug="glute-bridge",
                slot=SLOT - timedelta(days=3),
                outcome=ExerciseOutcome.DONE,
                leg_response=LegResponse.SAME,
                recorded_at=SLOT - timedelta(days=3),
            )
        )

    await _press(running, call, "Done")

    assert "well done" in str(_current(running, call)["text"])
    assert QUESTION not in str(_current(running, call)["text"])


async def test_in_the_first_fortnight_on_a_dose_the_leg_question_comes_every_session(
    running: RunningApplication, db: Database
) -> None:
    client_id, call = await _reminder(running, db, [("glute-bridge", 1)])
    async with db.sessions.begin() as session:
        await session.execute(
            update(Prescription)
            .where(Prescription.client_id == client_id)
            .values(active_from=SLOT - timedelta(days=5))
        )
        session.add(
            ExerciseResponse(
                client_id=client_id,
                exercise_slug="glute-bridge",
                slot=SLOT - timedelta(days=1),
                outcome=ExerciseOutcome.DONE,
                leg_response=LegResponse.SAME,
                recorded_at=SLOT - timedelta(days=1),
            )
        )

    await _press(running, call, "Done")

    assert QUESTION in str(_current(running, call)["text"])


async def test_a_too_painful_skip_is_recorded_per_exercise_without_the_leg_question(
    running: RunningApplication, db: Database
) -> None:
    _, call = await _reminder(running, db, [("glute-bridge", 1), ("clamshell", 1)])

    await _press(running, call, "Skip")
    await _press(running, call, "Too painful")

    assert QUESTION not in str(_current(running, call)["text"])
    assert await _record(db) == {
        "glute-bridge": (ExerciseOutcome.SKIPPED, "pain", None),
        "clamshell": (ExerciseOutcome.SKIPPED, "pain", None),
    }


async def test_someone_elses_leg_answer_is_refused_and_changes_nothing(
    running: RunningApplication, db: Database
) -> None:
    _, call = await _reminder(running, db, [("glute-bridge", 1)])
    await _press(running, call, "Done")
    running.double.add_user(STRANGER)

    data = BotApiDouble.button_data(_current(running, call), "😣 Worse")
    query_id = running.double.forge_press(STRANGER, data, call.message_id or 0)
    await running.settle()

    assert running.double.callback_answer(query_id)["show_alert"]
    assert await _record(db) == {"glute-bridge": (ExerciseOutcome.DONE, None, None)}


# --- the therapist's alert for an aggravating exercise -------------------------------------------


async def _earlier_worse_sessions(db: Database, client_id: int, count: int) -> None:
    """Worse after the bridge on each of the last `count` days, in its first week on this dose
    (so the leg question is asked every session)."""
    async with db.sessions.begin() as session:
        await session.execute(
            update(Prescription)
            .where(Prescription.client_id == client_id)
            .values(active_from=SLOT - timedelta(days=6))
        )
        for days_ago in range(count, 0, -1):
            session.add(
                ExerciseResponse(
                    client_id=client_id,
                    exercise_slug="glute-bridge",
                    slot=SLOT - timedelta(days=days_ago),
                    outcome=ExerciseOutcome.DONE,
                    leg_response=LegResponse.WORSE,
                    recorded_at=SLOT - timedelta(days=days_ago),
                )
            )


async def _aggravating_alerts(db: Database) -> list[Alert]:
    async with db.sessions() as session:
        rows = await session.execute(select(Alert).where(Alert.kind == "aggravating_exercise"))
        return list(rows.scalars())


async def test_a_third_worse_in_five_sessions_raises_one_aggravating_alert_with_its_evidence(
    running: RunningApplication, db: Database
) -> None:
    client_id, call = await _reminder(running, db, [("glute-bridge", 1)])
    await _earlier_worse_sessions(db, client_id, 2)

    await _press(running, call, "Done")
    await _press(running, call, "Spread")

    [alert] = await _aggravating_alerts(db)
    assert alert.client_id == client_id
    assert alert.episode_key == "glute-bridge"
    assert alert.evidence["exercise"] == "Glute bridge"
    assert (alert.evidence["worse_sessions"], alert.evidence["answered_sessions"]) == (3, 3)
    assert alert.evidence["spread"] is True

    # Answering again (Done pressed again, then Worse) is the same episode: no second alert.
    await _press(running, call, "Partly")
    await _press(running, call, "Worse")
    assert len(await _aggravating_alerts(db)) == 1


async def test_two_worse_sessions_raise_no_alert(running: RunningApplication, db: Database) -> None:
    client_id, call = await _reminder(running, db, [("glute-bridge", 1)])
    await _earlier_worse_sessions(db, client_id, 1)

    await _press(running, call, "Done")
    await _press(running, call, "Worse")

    assert await _aggravating_alerts(db) == []


async def test_the_alert_offers_ease_it_which_applies_the_sheets_easier_dosage_and_settles_it(
    running: RunningApplication, db: Database, therapist: TgUser
) -> None:
    client_id, call = await _reminder(running, db, [("glute-bridge", 1)])
    await _earlier_worse_sessions(db, client_id, 2)
    await _press(running, call, "Done")
    await _press(running, call, "Worse")

    double = running.double
    mark = double.mark()
    double.send_command(therapist, "alerts")
    await running.settle()
    [shown] = [
        c
        for c in double.calls("sendMessage", chat_id=therapist.id, after=mark)
        if "seems to aggravate their leg" in (c.text or "")
    ]
    assert "Leg worse afterwards in 3 of the last 3 answered sessions" in (shown.text or "")
    assert _labels(shown.params) == [
        "⬇️ Ease it",
        "⏹ Stop it",
        "👤 Open client",
        "✅ Acknowledge",
    ]

    mark = double.mark()
    double.press_button(therapist, shown, "Ease it")
    # The client's notice is queued with the change and leaves through the dispatcher.
    await double.wait_for(
        "sendMessage",
        chat_id=CLIENT.id,
        after=mark,
        predicate=lambda c: "Glute bridge — 2 × 8 reps" in (c.text or ""),
    )
    await running.settle()

    async with db.sessions() as session:
        dosage = (
            await session.execute(
                select(Prescription.dosage).where(
                    Prescription.client_id == client_id, Prescription.active_to.is_(None)
                )
            )
        ).scalar_one()
    assert dosage == "2 × 8 reps"
    [alert] = await _aggravating_alerts(db)
    assert alert.acknowledged_at is not None
    assert any(
        "Glute bridge — 2 × 8 reps" in (c.text or "")
        for c in double.calls("sendMessage", chat_id=CLIENT.id, after=mark)
    )


async def test_the_aggravating_alert_reaches_the_therapist_through_the_outbox_with_its_buttons(
    running: RunningApplication, db: Database, therapist: TgUser
) -> None:
    client_id, call = await _reminder(running, db, [("glute-bridge", 1)])
    await _earlier_worse_sessions(db, client_id, 2)
    await _press(running, call, "Done")
    double = running.double
    mark = double.mark()
    await _press(running, call, "Spread")

    scheduler = running.application.bot_data.scheduler
    await scheduler.outbox.pump(SLOT)
    await scheduler.dispatcher.drain()
    await running.settle()

    [alert] = [
        c
        for c in double.calls("sendMessage", chat_id=therapist.id, after=mark)
        if "seems to aggravate their leg" in (c.text or "")
    ]
    assert "Glute bridge seems to aggravate their leg" in (alert.text or "")
    assert "3 of the last 3 answered sessions, spreading down the leg" in (alert.text or "")
    assert _labels(alert.params) == [
        "⬇️ Ease it",
        "⏹ Stop it",
        "👤 Open client",
        "✅ Acknowledge",
    ]
