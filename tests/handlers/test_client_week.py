"""A client's ordinary week: no raw templates, no question asked twice, no dead ends.

Each test plays what a client did through the real Application against the Bot API double.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import (
    Client,
    ExerciseLog,
    ExerciseOutcome,
    PainEntry,
    Prescription,
    Schedule,
    ScheduleKind,
)
from bot.domain.pain import entered_late
from bot.services.schedules import sync_client_schedules
from tests.conftest import FrozenClock
from tests.handlers.client_seed import add_client, pain_rows
from tests.handlers.journey import latest_with_buttons, onboard, press, say
from tests.scheduling import add_client as add_scheduled_client
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

MakeUser = Callable[..., TgUser]
CLIENT = TgUser(id=615_001, first_name="Alice")
TODAY = date(2026, 6, 1)  # DEFAULT_NOW (09:00 UTC) is 10:00 in London, same day.


@pytest.fixture
async def client_id(db: Database) -> int:
    return await add_client(db, CLIENT)


async def command(bot: RunningApplication, botapi: BotApiDouble, name: str) -> RecordedCall:
    mark = botapi.mark()
    botapi.send_command(CLIENT, name)
    sent = await botapi.wait_for("sendMessage", chat_id=CLIENT.id, after=mark)
    await bot.settle()
    return sent


async def tap(
    bot: RunningApplication, botapi: BotApiDouble, message: RecordedCall, label: str
) -> None:
    botapi.press_button(CLIENT, message, label)
    await bot.settle()


async def test_keeping_the_earlier_check_in_says_so_in_plain_words(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    first = await command(bot, botapi, "pain")
    await tap(bot, botapi, first, "5")
    await tap(bot, botapi, first, "2")
    second = await command(bot, botapi, "pain")
    await tap(bot, botapi, second, "7")
    await tap(bot, botapi, second, "4")
    assert "already checked in" in botapi.last_text(CLIENT.id)

    await tap(bot, botapi, second, "No, keep the earlier one")

    text = botapi.last_text(CLIENT.id)
    assert text.startswith("OK, I kept today's earlier entry")
    assert "{" not in text and "}" not in text
    assert await pain_rows(db, client_id) == [(TODAY, 5, 2, None)]


async def test_the_sexual_function_question_is_worded_for_every_client(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    screen = await command(bot, botapi, "symptoms")
    for _ in range(4):
        await tap(bot, botapi, screen, "No")

    question = botapi.last_text(CLIENT.id)
    assert "sexual function or sensation" in question
    assert "erection" not in question.lower()


async def prescribe_one_a_day(db: Database, user: TgUser, now: datetime) -> int:
    """The therapist's prescription (one exercise, once a day), as the prescribe flow saves it."""
    async with db.sessions.begin() as session:
        client = (
            await session.execute(select(Client).where(Client.telegram_id == user.id))
        ).scalar_one()
        session.add(
            Prescription(
                client_id=client.id,
                exercise_slug="glute-bridge",
                dosage="3 × 10 reps",
                times_per_day=1,
                active_from=now,
                created_at=now,
            )
        )
        await session.flush()
        await sync_client_schedules(session, client_id=client.id, now=now)
        return client.id


async def scheduler_pass(bot: RunningApplication, at: datetime) -> None:
    scheduler = bot.application.bot_data.scheduler
    await scheduler.run_pass(at)
    await scheduler.dispatcher.drain()
    await bot.settle()


async def test_a_reminder_inside_new_quiet_hours_moves_out_of_them_and_the_client_is_told(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
    clock: FrozenClock,
) -> None:
    user = make_user("Quinn")
    await onboard(bot, botapi, therapist, user)  # reminders 08:00 and 19:00 (the defaults)
    await prescribe_one_a_day(db, user, clock())

    botapi.send_command(user, "settings")
    await bot.settle()
    await press(bot, botapi, user, "Quiet hours")
    await press(bot, botapi, user, "21:00")
    await press(bot, botapi, user, "09:00")

    said = botapi.last_text(user.id)
    assert "quiet hours are 21:00 to 09:00" in said
    assert "Your 08:00 reminder would fall in your quiet hours, so it comes at 09:00" in said

    # Tuesday 2 June, London (UTC+1): nothing at 08:00, the reminder at 09:00.
    mark = botapi.mark()
    await scheduler_pass(bot, datetime(2026, 6, 2, 7, 0, tzinfo=UTC))
    assert botapi.calls("sendMessage", chat_id=user.id, after=mark) == []
    await scheduler_pass(bot, datetime(2026, 6, 2, 8, 0, tzinfo=UTC))
    [reminder] = botapi.calls("sendMessage", chat_id=user.id, after=mark)
    assert "Time for your exercises" in (reminder.text or "")


async def test_a_reminder_time_chosen_inside_quiet_hours_is_placed_outside_them(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Quinn")
    await onboard(bot, botapi, therapist, user)
    botapi.send_command(user, "settings")
    await bot.settle()
    await press(bot, botapi, user, "Quiet hours")
    await press(bot, botapi, user, "23:00")
    await press(bot, botapi, user, "08:00")

    botapi.send_command(user, "settings")
    await bot.settle()
    await press(bot, botapi, user, "Check-in time")
    await press(bot, botapi, user, "Other time…")
    said = await say(bot, botapi, user, "23:15")

    assert "Your 23:15 check-in would fall in your quiet hours, so I'll ask at 22:30" in said
    async with db.sessions() as session:
        checkin = (
            await session.execute(
                select(Schedule.local_times)
                .join(Client, Client.id == Schedule.client_id)
                .where(Client.telegram_id == user.id, Schedule.kind == ScheduleKind.CHECKIN)
            )
        ).scalar_one()
    assert checkin == "22:30"


async def test_a_typed_other_time_replaces_the_default_times_unless_the_client_keeps_them(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
) -> None:
    user = make_user("Olly")
    await onboard(bot, botapi, therapist, user)  # reminders 08:00 and 19:00 (the defaults)
    botapi.send_command(user, "settings")
    await bot.settle()
    await press(bot, botapi, user, "Reminder times")
    await press(bot, botapi, user, "Other time…")
    assert "replaces the times ticked now" in botapi.last_text(user.id)

    said = await say(bot, botapi, user, "7:15")

    assert "Chosen so far: 07:15." in said
    labels = [label for label, _ in botapi.callback_buttons(latest_with_buttons(botapi, user.id))]
    assert "✅ 07:15" in labels and "08:00" in labels and "19:00" in labels
    await press(bot, botapi, user, "19:00")  # keeping one of the earlier times
    await press(bot, botapi, user, "Done")
    assert "Reminders set for 07:15 and 19:00" in botapi.last_text(user.id)


PLANNER = TgUser(id=615_010, first_name="Pat")


async def scheduled_client(db: Database, user: TgUser, now: datetime) -> int:
    """A client with the default check-in (20:00) and Sunday questionnaire schedules."""
    return await add_scheduled_client(db, now=now, telegram_id=user.id)


def sent_to(botapi: BotApiDouble, user: TgUser, mark: int) -> list[str]:
    return [c.text or "" for c in botapi.calls("sendMessage", chat_id=user.id, after=mark)]


async def test_a_check_in_done_early_means_no_evening_prompt_that_day(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, clock: FrozenClock
) -> None:
    botapi.add_user(PLANNER)
    clock.set(datetime(2026, 6, 1, 16, 30, tzinfo=UTC))  # Monday 17:30 in London
    await scheduled_client(db, PLANNER, clock())
    mark = botapi.mark()
    botapi.send_command(PLANNER, "pain")
    prompt = await botapi.wait_for("sendMessage", chat_id=PLANNER.id, after=mark)
    for label in ("6", "3"):
        botapi.press_button(PLANNER, prompt, label)
        await bot.settle()

    mark = botapi.mark()
    await scheduler_pass(bot, datetime(2026, 6, 1, 19, 0, tzinfo=UTC))  # 20:00 London
    assert sent_to(botapi, PLANNER, mark) == []

    await scheduler_pass(bot, datetime(2026, 6, 2, 19, 0, tzinfo=UTC))  # the next evening
    [asked] = sent_to(botapi, PLANNER, mark)
    assert "How bad is the pain in your leg today?" in asked


async def test_the_weekly_questionnaire_done_during_the_week_is_not_asked_again_on_sunday(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, clock: FrozenClock
) -> None:
    botapi.add_user(PLANNER)
    clock.set(datetime(2026, 6, 7, 9, 0, tzinfo=UTC))  # Sunday 10:00 in London
    await scheduled_client(db, PLANNER, clock())
    mark = botapi.mark()
    botapi.send_command(PLANNER, "weekly")
    prompt = await botapi.wait_for("sendMessage", chat_id=PLANNER.id, after=mark)
    for score in ("4", "3", "2", "5"):
        botapi.press_button(PLANNER, prompt, score)
        await bot.settle()

    mark = botapi.mark()
    await scheduler_pass(bot, datetime(2026, 6, 7, 19, 0, tzinfo=UTC))  # Sunday 20:00
    asked = sent_to(botapi, PLANNER, mark)
    assert len(asked) == 1 and "How bad is the pain in your leg today?" in asked[0]

    await scheduler_pass(bot, datetime(2026, 6, 14, 19, 0, tzinfo=UTC))  # next Sunday
    assert any("Your weekly check" in text for text in sent_to(botapi, PLANNER, mark))


DOER = TgUser(id=615_020, first_name="Dee")


async def outcomes(db: Database) -> list[ExerciseOutcome]:
    async with db.sessions() as session:
        return list((await session.execute(select(ExerciseLog.outcome))).scalars())


async def test_typing_done_answers_todays_open_reminder(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, clock: FrozenClock
) -> None:
    botapi.add_user(DOER)
    slot = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 London
    await add_scheduled_client(db, now=slot - timedelta(hours=1), telegram_id=DOER.id)
    await scheduler_pass(bot, slot)
    clock.set(slot + timedelta(minutes=40))

    said = await say(bot, botapi, DOER, "Done!")

    assert "marked your 09:00 exercises as done" in said
    assert "not sure what you mean" not in said
    assert await outcomes(db) == [ExerciseOutcome.DONE]


async def test_done_with_nothing_open_thanks_and_ok_get_a_sensible_answer(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    replies = [await say(bot, botapi, CLIENT, text) for text in ("done", "thanks!", "ok")]

    assert "No exercise reminder is waiting" in replies[0]
    assert replies[1].startswith("You're welcome")
    assert replies[2] == "👍"
    assert all("not sure what you mean" not in reply for reply in replies)
    assert await outcomes(db) == []


async def test_thanks_after_a_check_in_is_not_saved_as_the_days_note(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    prompt = await command(bot, botapi, "pain")
    await tap(bot, botapi, prompt, "4")
    await tap(bot, botapi, prompt, "2")

    assert (await say(bot, botapi, CLIENT, "thank you")).startswith("You're welcome")
    assert "added your note" in await say(bot, botapi, CLIENT, "Walking helped today")
    assert await pain_rows(db, client_id) == [(TODAY, 4, 2, "Walking helped today")]


async def test_yesterdays_missed_check_in_can_be_filled_in_and_is_marked_late(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    client_id: int,
    clock: FrozenClock,
) -> None:
    prompt = await command(bot, botapi, "pain")  # Monday's prompt, left unanswered
    clock.advance(timedelta(days=1))  # Tuesday morning

    await tap(bot, botapi, prompt, "6")
    await tap(bot, botapi, prompt, "3")

    said = botapi.last_text(CLIENT.id)
    assert "your check-in for Monday 1 June is saved, marked as filled in late" in said
    assert "leg 6/10, back 3/10" in said
    assert await pain_rows(db, client_id) == [(TODAY, 6, 3, None)]
    async with db.sessions() as session:
        created = (await session.execute(select(PainEntry.created_at))).scalar_one()
    assert entered_late(TODAY, created.astimezone(ZoneInfo("Europe/London")).date())

    today = await command(bot, botapi, "pain")  # Tuesday's own check-in is still open
    await tap(bot, botapi, today, "5")
    await tap(bot, botapi, today, "2")
    assert [row[:3] for row in await pain_rows(db, client_id)] == [
        (TODAY, 6, 3),
        (TODAY + timedelta(days=1), 5, 2),
    ]


async def test_a_uk_town_that_is_not_a_zone_name_is_found_for_a_uk_practice(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Morgan")
    await onboard(bot, botapi, therapist, user)  # DEFAULT_TIMEZONE: Europe/London
    botapi.send_command(user, "settings")
    await bot.settle()
    await press(bot, botapi, user, "Time zone")
    await say(bot, botapi, user, "Paris")  # away first, so coming home is a real change
    botapi.send_command(user, "settings")
    await bot.settle()
    await press(bot, botapi, user, "Time zone")

    said = await say(bot, botapi, user, "manchester")

    assert "Time zone set: Europe/London" in said
    async with db.sessions() as session:
        zone = (
            await session.execute(select(Client.timezone).where(Client.telegram_id == user.id))
        ).scalar_one()
    assert zone == "Europe/London"
