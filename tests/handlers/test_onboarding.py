"""A new client joins by the therapist's invite link: consent, time zone, reminders, safety
screen, "you're all set" — over real HTTP to the Bot API double, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import Base, Client, Invite, Schedule, ScheduleKind
from tests.conftest import FrozenClock
from tests.handlers.db_dump import BOOKKEEPING_TABLES
from tests.handlers.journey import (
    agree,
    answer_screen_no,
    invite_token,
    latest_with_buttons,
    onboard,
    press,
    say,
)
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

MakeUser = Callable[..., TgUser]


async def row_counts(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        return {
            name: (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for name, table in Base.metadata.tables.items()
            if name not in BOOKKEEPING_TABLES
        }


async def clients(db: Database) -> list[Client]:
    async with db.sessions() as session:
        return list((await session.execute(select(Client))).scalars())


async def reminder_rows(db: Database, client_id: int) -> list[Schedule]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(Schedule).where(
                Schedule.client_id == client_id,
                Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
                Schedule.active.is_(True),
            )
        )
        return sorted(rows.scalars(), key=lambda r: r.local_times)


# ---------------------------------------------------------------- /invite


async def test_the_therapist_gets_a_single_use_link_whose_token_is_stored_only_hashed(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, db: Database
) -> None:
    token = await invite_token(bot, botapi, therapist, "Sam Taylor")

    link_message = botapi.last_text(therapist.id)
    assert f"https://t.me/{botapi.bot_username}?start={token}" in link_message
    assert "Sam Taylor" in link_message and "expires" in link_message
    # ≥ 128 bits, URL-safe, within Telegram's 64-character start parameter.
    assert len(token) >= 22 and len(token) <= 64
    async with db.sessions() as session:
        invite = (await session.execute(select(Invite))).scalar_one()
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {invite.token_hash, invite.client_name}
    assert invite.expires_at - invite.created_at == timedelta(days=7)


async def test_invite_without_a_name_explains_how_to_use_it(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, db: Database
) -> None:
    botapi.send_command(therapist, "invite")
    await bot.settle()
    assert "/invite Sam Taylor" in botapi.last_text(therapist.id)
    assert (await row_counts(db))["invite"] == 0


async def test_strangers_and_clients_cannot_create_invites(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    client, stranger = make_user("Alex"), make_user("Sam")
    await onboard(bot, botapi, therapist, client)
    invites_before = (await row_counts(db))["invite"]

    botapi.send_command(stranger, "invite", "Mallory")
    botapi.send_command(client, "invite", "My friend")
    await bot.settle()

    assert "invite link" in botapi.last_text(stranger.id)  # the usual stranger answer
    assert "don't know that command" in botapi.last_text(client.id)
    assert (await row_counts(db))["invite"] == invites_before


# ---------------------------------------------------------------- consent


async def test_tapping_the_link_asks_consent_and_stores_nothing_yet(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    token = await invite_token(bot, botapi, therapist, "Alex Smith")
    before = await row_counts(db)

    botapi.send_command(user, "start", token)
    await bot.settle()

    text = botapi.last_text(user.id)
    assert "Back in Balance Clinic" in text and "Alex Smith" in text
    assert "What I store" in text and "/delete" in text
    labels = [label for label, _ in botapi.callback_buttons(latest_with_buttons(botapi, user.id))]
    assert labels == ["I agree", "No thanks"]
    assert await row_counts(db) == before


async def test_declining_stores_nothing_and_says_how_to_come_back(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    token = await invite_token(bot, botapi, therapist)
    before = await row_counts(db)
    botapi.send_command(user, "start", token)
    await bot.settle()

    query_id = await press(bot, botapi, user, "No thanks")

    assert query_id in botapi.answered_callback_ids()
    assert "haven't stored anything" in botapi.last_text(user.id)
    assert "tap your therapist's invite link again" in botapi.last_text(user.id)
    assert await row_counts(db) == before

    # ...and the same link still works when they change their mind.
    botapi.send_command(user, "start", token)
    await bot.settle()
    await press(bot, botapi, user, "I agree")
    assert len(await clients(db)) == 1


async def test_agreeing_records_consent_version_and_time_and_uses_the_invite(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
    clock: FrozenClock,
) -> None:
    user = make_user("Alex")
    await agree(bot, botapi, therapist, user, "Alex Smith")

    [client] = await clients(db)
    assert client.telegram_id == user.id and client.display_name == "Alex Smith"
    assert client.consent_version and client.consent_at == clock()
    async with db.sessions() as session:
        invite = (await session.execute(select(Invite))).scalar_one()
    assert invite.used_at == clock() and invite.client_id == client.id
    assert "Which time zone" in botapi.last_text(user.id)


async def test_a_double_tapped_agree_creates_one_client_and_answers_both_presses(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    token = await invite_token(bot, botapi, therapist)
    botapi.send_command(user, "start", token)
    await bot.settle()
    consent = latest_with_buttons(botapi, user.id)
    data = botapi.button_data(consent, "I agree")

    first = botapi.press(user, consent, data)
    second = botapi.forge_press(user, data, consent["message_id"])
    await bot.settle()

    assert {first, second} <= botapi.answered_callback_ids()
    assert len(await clients(db)) == 1
    time_zone_questions = [
        c
        for c in botapi.calls("sendMessage", chat_id=user.id)
        if "Which time zone" in (c.text or "")
    ]
    assert len(time_zone_questions) == 1


# ---------------------------------------------------------------- links that do not work


async def test_a_made_up_token_asks_for_a_new_link(
    bot: RunningApplication, botapi: BotApiDouble, make_user: MakeUser, db: Database
) -> None:
    user = make_user("Alex")
    before = await row_counts(db)
    botapi.send_command(user, "start", "made-up-token-1234567890abcdef")
    await bot.settle()
    assert "ask your therapist to send you a new link" in botapi.last_text(user.id)
    assert await row_counts(db) == before


async def test_a_used_link_asks_for_a_new_link(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, make_user: MakeUser
) -> None:
    first, second = make_user("Alex"), make_user("Bea")
    token = await invite_token(bot, botapi, therapist)
    botapi.send_command(first, "start", token)
    await bot.settle()
    await press(bot, botapi, first, "I agree")

    botapi.send_command(second, "start", token)
    await bot.settle()
    assert "new link" in botapi.last_text(second.id)


async def test_an_expired_link_asks_for_a_new_link_even_with_the_consent_already_shown(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    clock: FrozenClock,
    db: Database,
) -> None:
    user = make_user("Alex")
    token = await invite_token(bot, botapi, therapist)
    botapi.send_command(user, "start", token)
    await bot.settle()
    clock.advance(timedelta(days=7, minutes=1))

    query_id = await press(bot, botapi, user, "I agree")

    assert query_id in botapi.answered_callback_ids()
    assert "new link" in botapi.last_text(user.id)
    assert await clients(db) == []
    botapi.send_command(user, "start", token)
    await bot.settle()
    assert "new link" in botapi.last_text(user.id)


async def test_a_registered_client_tapping_a_link_is_told_they_are_set_up(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    token = await invite_token(bot, botapi, therapist, "Alex again")

    botapi.send_command(user, "start", token)
    await bot.settle()

    assert "already set up" in botapi.last_text(user.id)
    assert len(await clients(db)) == 1
    async with db.sessions() as session:
        unused = await session.scalar(
            select(func.count()).select_from(Invite).where(Invite.used_at.is_(None))
        )
    assert unused == 1  # the second link was not spent


async def test_the_therapist_tapping_their_own_link_is_told_to_send_it(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, db: Database
) -> None:
    token = await invite_token(bot, botapi, therapist)
    botapi.send_command(therapist, "start", token)
    await bot.settle()
    assert "send it to them" in botapi.last_text(therapist.id)
    assert await clients(db) == []


# ---------------------------------------------------------------- the whole way through


async def test_onboarding_end_to_end_sets_zone_and_times_on_the_schedule_and_the_client_menu(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await agree(bot, botapi, therapist, user, "Alex Smith")

    zones = [label for label, _ in botapi.callback_buttons(latest_with_buttons(botapi, user.id))]
    assert zones[0].startswith("London")  # DEFAULT_TIMEZONE first
    assert "Time zone set: Australia/Sydney" in await say(bot, botapi, user, "Sydney")

    await press(bot, botapi, user, "12:30")  # tick
    await press(bot, botapi, user, "19:00")  # untick a default
    await press(bot, botapi, user, "Other time")
    assert "Type the time" in botapi.last_text(user.id)
    assert "06:45" in await say(bot, botapi, user, "6:45am")
    await press(bot, botapi, user, "Done")
    saved = botapi.calls("editMessageText", chat_id=user.id)[-1].text or ""
    assert "Reminders set for 06:45, 08:00 and 12:30" in saved
    await answer_screen_no(bot, botapi, user)

    final = botapi.last_text(user.id)
    assert "all set" in final and "06:45, 08:00 and 12:30" in final and "/symptoms" in final
    [client] = await clients(db)
    assert client.timezone == "Australia/Sydney" and client.onboarding_step is None
    rows = await reminder_rows(db, client.id)
    assert [r.local_times for r in rows] == ["06:45", "08:00", "12:30"]
    assert {r.timezone for r in rows} == {"Australia/Sydney"}
    menu = {c["command"] for c in botapi.my_commands({"type": "chat", "chat_id": user.id})}
    assert {"pain", "weekly", "symptoms", "exercises", "progress", "settings", "pause"} <= menu
    assert {"resume", "privacy", "export", "delete", "help"} <= menu
    assert "Alex Smith has finished setting up" in botapi.last_text(therapist.id)


async def test_a_typed_city_is_matched_to_its_time_zone(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await agree(bot, botapi, therapist, user, "Alex Smith")

    assert "couldn't find" in await say(bot, botapi, user, "Atlantis under the sea")
    assert "America/New_York" in await say(bot, botapi, user, "new york")
    [client] = await clients(db)
    assert client.timezone == "America/New_York"
    assert "When would you like your exercise reminders" in botapi.last_text(user.id)


async def test_a_yes_on_the_onboarding_screen_shows_emergency_advice_and_still_finishes_setup(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await agree(bot, botapi, therapist, user, "Alex Smith")
    await press(bot, botapi, user, "London")
    await press(bot, botapi, user, "Done")

    await press(bot, botapi, user, "Yes")

    texts = [c.text or "" for c in botapi.calls("sendMessage", chat_id=user.id)]
    assert any("A&E" in text for text in texts)
    assert "follow the advice above" in botapi.last_text(user.id)
    [client] = await clients(db)
    assert client.onboarding_step is None


async def test_an_unfinished_onboarding_resumes_where_it_stopped_on_start(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, make_user: MakeUser
) -> None:
    user = make_user("Alex")
    await agree(bot, botapi, therapist, user, "Alex Smith")
    await press(bot, botapi, user, "London")

    botapi.send_command(user, "start")
    await bot.settle()

    assert "When would you like your exercise reminders" in botapi.last_text(user.id)
    await press(bot, botapi, user, "Done")
    assert "safety check" in botapi.last_text(user.id)
