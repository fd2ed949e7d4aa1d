"""A client changes their settings, pauses and resumes: every change reaches the schedule rows
at once and is confirmed in plain words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Client, ClientStatus, Schedule, ScheduleKind
from tests.conftest import FrozenClock
from tests.handlers.journey import latest_with_buttons, onboard, press, replies_since, say
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

MakeUser = Callable[..., TgUser]


async def the_client(db: Database, user: TgUser) -> Client:
    async with db.sessions() as session:
        return (
            await session.execute(select(Client).where(Client.telegram_id == user.id))
        ).scalar_one()


async def schedules_of(db: Database, client_id: int) -> list[Schedule]:
    async with db.sessions() as session:
        rows = await session.execute(select(Schedule).where(Schedule.client_id == client_id))
        return list(rows.scalars())


def of_kind(rows: list[Schedule], kind: ScheduleKind) -> list[Schedule]:
    return sorted((r for r in rows if r.kind is kind and r.active), key=lambda r: r.local_times)


async def open_settings(
    bot: RunningApplication, botapi: BotApiDouble, user: TgUser, button: str
) -> None:
    botapi.send_command(user, "settings")
    await bot.settle()
    await press(bot, botapi, user, button)


async def test_settings_shows_the_current_values_and_what_can_be_changed(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, make_user: MakeUser
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)

    botapi.send_command(user, "settings")
    await bot.settle()

    text = botapi.last_text(user.id)
    assert "Europe/London" in text and "08:00 and 19:00" in text and "20:00" in text
    assert "Quiet hours: off" in text and "Reminders: on" in text
    labels = [label for label, _ in botapi.callback_buttons(latest_with_buttons(botapi, user.id))]
    assert labels == [
        "Time zone",
        "Reminder times",
        "Check-in time",
        "Quiet hours",
        "Pause reminders",
    ]


async def test_changing_the_time_zone_moves_every_schedule_at_once(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    client = await the_client(db, user)
    before = {r.id: r.next_fire_at for r in await schedules_of(db, client.id)}

    await open_settings(bot, botapi, user, "Time zone")
    await press(bot, botapi, user, "Sydney")

    assert "Time zone set: Australia/Sydney" in botapi.last_text(user.id)
    rows = await schedules_of(db, client.id)
    assert {r.timezone for r in rows} == {"Australia/Sydney"}
    checkin = of_kind(rows, ScheduleKind.CHECKIN)[0]
    assert checkin.next_fire_at != before[checkin.id]


async def test_a_typed_zone_in_settings_is_applied(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    await open_settings(bot, botapi, user, "Time zone")

    assert "America/Los_Angeles" in await say(bot, botapi, user, "Los Angeles")
    assert (await the_client(db, user)).timezone == "America/Los_Angeles"


async def test_changing_reminder_times_replaces_the_reminder_rows(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)

    await open_settings(bot, botapi, user, "Reminder times")
    await press(bot, botapi, user, "12:30")
    await press(bot, botapi, user, "08:00")
    await press(bot, botapi, user, "Done")

    assert "Reminders set for 12:30 and 19:00" in botapi.last_text(user.id)
    rows = of_kind(
        await schedules_of(db, (await the_client(db, user)).id), ScheduleKind.EXERCISE_REMINDER
    )
    assert [r.local_times for r in rows] == ["12:30", "19:00"]


async def test_done_with_no_time_ticked_is_refused_and_changes_nothing(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    await open_settings(bot, botapi, user, "Reminder times")
    await press(bot, botapi, user, "08:00")
    await press(bot, botapi, user, "19:00")

    query_id = await press(bot, botapi, user, "Done")

    assert "at least one" in botapi.callback_answer(query_id).get("text", "")
    rows = of_kind(
        await schedules_of(db, (await the_client(db, user)).id), ScheduleKind.EXERCISE_REMINDER
    )
    assert [r.local_times for r in rows] == ["08:00", "19:00"]


async def test_the_check_in_time_moves_the_daily_and_weekly_questions(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)

    await open_settings(bot, botapi, user, "Check-in time")
    await press(bot, botapi, user, "21:00")

    assert "at 21:00 each day" in botapi.last_text(user.id)
    rows = await schedules_of(db, (await the_client(db, user)).id)
    assert of_kind(rows, ScheduleKind.CHECKIN)[0].local_times == "21:00"
    assert of_kind(rows, ScheduleKind.WEEKLY_SBI)[0].local_times == "21:00"

    await open_settings(bot, botapi, user, "Check-in time")
    await press(bot, botapi, user, "Other time")
    assert "at 19:15 each day" in await say(bot, botapi, user, "7:15pm")
    rows = await schedules_of(db, (await the_client(db, user)).id)
    assert of_kind(rows, ScheduleKind.CHECKIN)[0].local_times == "19:15"


async def test_quiet_hours_are_set_from_two_taps_and_can_be_turned_off(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)

    await open_settings(bot, botapi, user, "Quiet hours")
    await press(bot, botapi, user, "22:00")
    await press(bot, botapi, user, "07:00")

    assert "quiet hours are 22:00 to 07:00" in botapi.last_text(user.id)
    client = await the_client(db, user)
    assert (client.quiet_start, client.quiet_end) == (time(22, 0), time(7, 0))

    await open_settings(bot, botapi, user, "Quiet hours")
    await press(bot, botapi, user, "No quiet hours")
    assert "quiet hours are off" in botapi.last_text(user.id)
    client = await the_client(db, user)
    assert (client.quiet_start, client.quiet_end) == (None, None)


async def test_pausing_for_a_week_stops_every_schedule_until_that_date(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
    clock: FrozenClock,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)

    botapi.send_command(user, "pause")
    await bot.settle()
    labels = [label for label, _ in botapi.callback_buttons(latest_with_buttons(botapi, user.id))]
    assert labels == ["1 week", "2 weeks", "Until I resume"]
    await press(bot, botapi, user, "1 week")

    assert clock().date() == date(2026, 6, 1)
    assert "until Monday 8 June" in botapi.last_text(user.id)
    client = await the_client(db, user)
    assert client.status is ClientStatus.PAUSED and client.paused_until == date(2026, 6, 8)
    assert all(r.next_fire_at is None for r in await schedules_of(db, client.id))


async def test_pause_until_resumed_then_resume_starts_from_the_next_slot(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    botapi.send_command(user, "pause")
    await bot.settle()
    await press(bot, botapi, user, "Until I resume")
    assert "until you send /resume" in botapi.last_text(user.id)
    assert (await the_client(db, user)).paused_until is None

    mark = botapi.mark()
    botapi.send_command(user, "resume")
    await bot.settle()

    assert "reminders are on again" in replies_since(botapi, user, mark)
    client = await the_client(db, user)
    assert client.status is ClientStatus.ACTIVE
    checkin = of_kind(await schedules_of(db, client.id), ScheduleKind.CHECKIN)[0]
    assert checkin.next_fire_at is not None


async def test_resume_when_not_paused_says_so(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, make_user: MakeUser
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    botapi.send_command(user, "resume")
    await bot.settle()
    assert "already on" in botapi.last_text(user.id)


async def test_the_settings_menu_offers_resume_while_paused(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    botapi.send_command(user, "pause")
    await bot.settle()
    await press(bot, botapi, user, "2 weeks")

    await open_settings(bot, botapi, user, "Resume reminders")

    assert "reminders are on again" in botapi.last_text(user.id)
    assert (await the_client(db, user)).status is ClientStatus.ACTIVE


async def test_strangers_and_the_therapist_have_no_client_settings(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, make_user: MakeUser
) -> None:
    stranger = make_user("Sam")
    for command in ("settings", "pause", "resume"):
        botapi.send_command(stranger, command)
        botapi.send_command(therapist, command)
    await bot.settle()
    assert all(
        "invite link" in (c.text or "") for c in botapi.calls("sendMessage", chat_id=stranger.id)
    )
    to_therapist = [c.text or "" for c in botapi.calls("sendMessage", chat_id=therapist.id)]
    assert len(to_therapist) == 3 and not any("Your settings" in text for text in to_therapist)
