"""Prescribing with buttons: pick, dosage, how often, confirm — schedules at once, client told."""

from __future__ import annotations

from sqlalchemy import select

from bot.buttons.therapist import StopPrescription
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import Prescription, Schedule, ScheduleKind
from bot.texts import therapist as therapist_texts
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=640_001, first_name="Alice")


async def _open_flow(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser
) -> RecordedCall:
    mark = botapi.mark()
    botapi.send_command(therapist, "prescribe", "Alice")
    return await botapi.wait_for("sendMessage", chat_id=therapist.id, after=mark)


async def _press(
    bot: RunningApplication, botapi: BotApiDouble, user: TgUser, flow: RecordedCall, label: str
) -> str:
    query_id = botapi.press_button(user, flow, label)
    await bot.settle()
    assert query_id in botapi.answered_callback_ids()
    return query_id


def _current_text(botapi: BotApiDouble, chat_id: int, flow: RecordedCall) -> str:
    assert flow.message_id is not None
    return str(botapi.message(chat_id, flow.message_id).get("text", ""))


async def _active(db: Database, client_id: int) -> list[Prescription]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(Prescription)
            .where(Prescription.client_id == client_id, Prescription.active_to.is_(None))
            .order_by(Prescription.exercise_slug)
        )
        return list(rows.scalars())


async def test_prescribing_three_exercises_writes_rows_schedules_and_tells_the_client(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    library: ExerciseLibrary,
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    chosen = library.all()[:3]
    flow = await _open_flow(bot, botapi, therapist)
    assert chosen[0].targets[0].replace("_", " ") in (flow.text or "")
    for exercise in chosen:
        await _press(bot, botapi, therapist, flow, exercise.title)
    await _press(bot, botapi, therapist, flow, "Next")
    assert chosen[0].dosage.describe().rsplit(", ", 1)[0] in _current_text(
        botapi, therapist.id, flow
    )
    await _press(bot, botapi, therapist, flow, "1. easier")
    await _press(bot, botapi, therapist, flow, "Next")
    await _press(bot, botapi, therapist, flow, "2× a day")
    await _press(bot, botapi, therapist, flow, "Weekdays")
    await _press(bot, botapi, therapist, flow, "Next")
    assert "Confirm" in _current_text(botapi, therapist.id, flow)
    mark = botapi.mark()
    await _press(bot, botapi, therapist, flow, "Confirm")

    rows = await _active(db, client_id)
    assert sorted(r.exercise_slug for r in rows) == sorted(e.slug for e in chosen)
    assert {r.times_per_day for r in rows} == {2}
    assert {r.days_mask for r in rows} == {0b001_1111}
    async with db.sessions() as session:
        reminders = (
            (
                await session.execute(
                    select(Schedule).where(
                        Schedule.client_id == client_id,
                        Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
                        Schedule.active.is_(True),
                    )
                )
            )
            .scalars()
            .all()
        )
    assert len(reminders) == 2
    assert all(r.next_fire_at is not None and r.days_mask == 0b001_1111 for r in reminders)
    await botapi.wait_for("sendMessage", chat_id=ALICE.id, after=mark)  # through the outbox
    await bot.settle()
    told = [c.text or "" for c in botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)]
    assert len(told) == 1
    assert all(e.title in told[0] for e in chosen)
    assert "weekdays" in told[0]
    assert "updated" in _current_text(botapi, therapist.id, flow)


# A phone shows about 12 characters of each of three buttons sharing a row.
BUTTON_FITS = 12


async def test_dosage_buttons_fit_a_phone_and_the_client_is_told_at_what_times(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    library: ExerciseLibrary,
) -> None:
    await add_client(db, ALICE, name="Alice Example")
    chosen = [e for e in library.all() if len(e.title) > 14][:2]
    assert chosen, "the library has exercises with long titles"
    flow = await _open_flow(bot, botapi, therapist)
    for exercise in chosen:
        await _press(bot, botapi, therapist, flow, exercise.title)
    await _press(bot, botapi, therapist, flow, "Next")

    dosage = botapi.calls("editMessageText", chat_id=therapist.id)[-1]
    labels = [label for label, _ in botapi.callback_buttons(dosage)]
    variant_labels = [label for label in labels if label not in ("⬅️ Back", "Next ➡️")]
    assert variant_labels and all(len(label) <= BUTTON_FITS for label in variant_labels)
    text = _current_text(botapi, therapist.id, flow)
    assert f"1. {chosen[0].title}" in text and f"2. {chosen[1].title}" in text

    await _press(bot, botapi, therapist, flow, "2. harder")
    assert "(harder)" in _current_text(botapi, therapist.id, flow).split("2. ", 1)[1]
    await _press(bot, botapi, therapist, flow, "Next")
    await _press(bot, botapi, therapist, flow, "2× a day")
    await _press(bot, botapi, therapist, flow, "Next")
    mark = botapi.mark()
    await _press(bot, botapi, therapist, flow, "Confirm")
    # Told through the outbox: the dispatcher sends it after the therapist's press is answered.
    await botapi.wait_for("sendMessage", chat_id=ALICE.id, after=mark)
    await bot.settle()

    [told] = [c.text or "" for c in botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)]
    assert "Reminders: 2× a day (08:00 and 19:00, your time), every day." in told
    assert "/settings" in told


async def test_more_than_six_exercises_warns_the_therapist(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    library: ExerciseLibrary,
) -> None:
    await add_client(db, ALICE, name="Alice Example")
    flow = await _open_flow(bot, botapi, therapist)
    for exercise in library.all()[:7]:
        await _press(bot, botapi, therapist, flow, exercise.title)
    assert "7 exercises selected" in _current_text(botapi, therapist.id, flow)
    assert "2–4" in _current_text(botapi, therapist.id, flow)


async def test_editing_changes_only_what_changed_and_stopping_ends_everything(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    library: ExerciseLibrary,
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    first, second, third = library.all()[:3]
    flow = await _open_flow(bot, botapi, therapist)
    for exercise in (first, second):
        await _press(bot, botapi, therapist, flow, exercise.title)
    for step in ("Next", "Next", "Next", "Confirm"):
        await _press(bot, botapi, therapist, flow, step)
    kept_id = next(r.id for r in await _active(db, client_id) if r.exercise_slug == first.slug)

    # Edit: the flow opens with the current prescription ticked; swap the second for a third.
    flow = await _open_flow(bot, botapi, therapist)
    assert f"✅ {first.title}" in (flow.text or "")
    await _press(bot, botapi, therapist, flow, f"✅ {second.title}")
    await _press(bot, botapi, therapist, flow, third.title)
    mark = botapi.mark()
    for step in ("Next", "Next", "Next", "Confirm"):
        await _press(bot, botapi, therapist, flow, step)
    rows = await _active(db, client_id)
    assert sorted(r.exercise_slug for r in rows) == sorted([first.slug, third.slug])
    assert next(r.id for r in rows if r.exercise_slug == first.slug) == kept_id
    # The notice leaves through the dispatcher: at most one message a second to a chat.
    await botapi.wait_for(
        "sendMessage", chat_id=ALICE.id, after=mark, predicate=lambda c: "Stopped" in (c.text or "")
    )
    notice = botapi.last_text(ALICE.id)
    assert f"New: {third.title}" in notice and f"Stopped: {second.title}" in notice
    assert botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)

    flow = await _open_flow(bot, botapi, therapist)
    await _press(bot, botapi, therapist, flow, "Stop prescription")
    mark = botapi.mark()
    await _press(bot, botapi, therapist, flow, "Yes, stop")
    assert await _active(db, client_id) == []
    await botapi.wait_for(
        "sendMessage",
        chat_id=ALICE.id,
        after=mark,
        predicate=lambda c: "no more exercise reminders" in (c.text or ""),
    )
    assert "no more exercise reminders" in botapi.last_text(ALICE.id)
    async with db.sessions() as session:
        fires = (
            await session.execute(
                select(Schedule.next_fire_at).where(
                    Schedule.client_id == client_id,
                    Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
                )
            )
        ).scalars()
        assert all(fire is None for fire in fires)


async def test_a_button_from_an_old_draft_for_another_client_changes_nothing(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    library: ExerciseLibrary,
) -> None:
    alice = await add_client(db, ALICE, name="Alice Example")
    await add_client(db, TgUser(id=640_002, first_name="Bob"), name="Bob Other")
    old = await _open_flow(bot, botapi, therapist)
    mark = botapi.mark()
    botapi.send_command(therapist, "prescribe", "Bob")
    await botapi.wait_for("sendMessage", chat_id=therapist.id, after=mark)
    await bot.settle()
    query_id = botapi.press_button(therapist, old, library.all()[0].title)
    await bot.settle()
    assert "expired" in str(botapi.callback_answer(query_id).get("text"))
    assert await _active(db, alice) == []


async def test_stop_pressed_after_the_draft_was_cancelled_says_the_draft_is_gone(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await add_client(db, ALICE, name="Alice Example")
    flow = await _open_flow(bot, botapi, therapist)
    await bot.settle()
    botapi.send_command(therapist, "cancel")
    await bot.settle()
    stop = next(d for _, d in botapi.callback_buttons(flow) if StopPrescription.parse(d))
    mark = botapi.mark()

    query_id = botapi.press(therapist, flow, stop)
    await bot.settle()

    # Before, the question lost the name it had only in the draft: "Stop all of 's exercises?"
    assert botapi.callback_answer(query_id).get("text") == therapist_texts.DRAFT_GONE
    assert botapi.calls("editMessageText", chat_id=therapist.id, after=mark) == []
