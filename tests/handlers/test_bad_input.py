"""Bad input gets a sensible answer or is ignored, and nothing is stored wrongly: tampered or
malformed buttons, someone else's button, groups, edits, very long and emoji-only text, and
strangers (who leave no row at all)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import Base, Client, ClientStatus, Schedule
from tests.handlers.db_dump import BOOKKEEPING_TABLES
from tests.handlers.journey import agree, invite_token, latest_with_buttons, onboard, say
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


async def snapshot(db: Database, user: TgUser) -> tuple[object, ...]:
    """Everything a settings button could change for this client."""
    async with db.sessions() as session:
        client = (
            await session.execute(select(Client).where(Client.telegram_id == user.id))
        ).scalar_one()
        rows = (
            await session.execute(
                select(Schedule.local_times, Schedule.timezone, Schedule.next_fire_at)
                .where(Schedule.client_id == client.id)
                .order_by(Schedule.id)
            )
        ).all()
    return (
        client.timezone,
        client.status,
        client.paused_until,
        client.quiet_start,
        client.quiet_end,
        tuple(rows),
    )


MALFORMED = [
    "tz:Not/AZone",
    "tz:",
    "tz:../../etc/passwd",
    "rt:t:9999",
    "rt:t:ab",
    "rt:x",
    "ci:2561",
    "ci:",
    "qh:s:2400",
    "qh:e:2200",
    "qh:e:2200:2200",
    "pz:7",
    "pz:-1",
    "st:nope",
    "del:yes:abc",
    "del:yes:",
    "ob:maybe",
    "ob:yes:",
    "ob:yes:" + "A" * 57,
]


@pytest.mark.parametrize("data", MALFORMED)
async def test_malformed_or_out_of_range_button_data_is_answered_and_changes_nothing(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
    data: str,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    before, counts = await snapshot(db, user), await row_counts(db)
    message = botapi.sent_messages(user.id)[-1]

    query_id = botapi.forge_press(user, data, message["message_id"])
    await bot.settle()

    assert query_id in botapi.answered_callback_ids()
    assert await snapshot(db, user) == before
    assert await row_counts(db) == counts


async def test_a_button_pressed_by_someone_else_is_refused(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    alex, bea = make_user("Alex"), make_user("Bea")
    await onboard(bot, botapi, therapist, alex, name="Alex Smith")
    await onboard(bot, botapi, therapist, bea, name="Bea Jones")
    botapi.send_command(alex, "pause")
    await bot.settle()
    pause_message = latest_with_buttons(botapi, alex.id)
    before_alex, before_bea = await snapshot(db, alex), await snapshot(db, bea)

    data = botapi.button_data(pause_message, "Until I resume")
    query_id = botapi.forge_press(bea, data, pause_message["message_id"], chat_id=alex.id)
    await bot.settle()

    assert botapi.callback_answer(query_id).get("text") == "That button isn't for you."
    assert await snapshot(db, alex) == before_alex
    assert await snapshot(db, bea) == before_bea


async def test_a_strangers_consent_press_on_someone_elses_invite_is_refused(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    alex, mallory = make_user("Alex"), make_user("Mallory")
    token = await invite_token(bot, botapi, therapist)
    botapi.send_command(alex, "start", token)
    await bot.settle()
    consent = latest_with_buttons(botapi, alex.id)
    counts = await row_counts(db)

    data = botapi.button_data(consent, "I agree")
    query_id = botapi.forge_press(mallory, data, consent["message_id"], chat_id=alex.id)
    await bot.settle()

    assert query_id in botapi.answered_callback_ids()
    assert await row_counts(db) == counts


async def test_commands_and_links_in_a_group_are_not_acted_on(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    token = await invite_token(bot, botapi, therapist)
    counts = await row_counts(db)

    botapi.send_group_text(user, -100_300, f"/start {token}")
    botapi.send_group_text(therapist, -100_300, "/invite Someone")
    botapi.send_group_text(user, -100_300, "London")
    await bot.settle()

    texts = [c.text or "" for c in botapi.calls("sendMessage", chat_id=-100_300)]
    assert texts and all("private chat" in text for text in texts)
    assert len(texts) == 2  # the two commands; plain chatter is ignored
    assert await row_counts(db) == counts


async def test_edited_messages_are_ignored(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user, stranger = make_user("Alex"), make_user("Sam")
    await agree(bot, botapi, therapist, user, "Alex Smith")
    token = await invite_token(bot, botapi, therapist, "Sam Jones")
    message_id = botapi.send_text(user, "Atlantis under the sea")  # no such place
    stranger_message = botapi.send_text(stranger, "hello")
    await bot.settle()
    counts, mark = await row_counts(db), botapi.mark()

    botapi.edit_text(user, message_id, "Sydney")
    botapi.edit_text(stranger, stranger_message, f"/start {token}")
    await bot.settle()

    assert botapi.calls(after=mark) == []
    assert await row_counts(db) == counts
    async with db.sessions() as session:
        zone = await session.scalar(select(Client.timezone).where(Client.telegram_id == user.id))
    assert zone == "Europe/London"


async def test_very_long_text_is_answered_and_not_taken_for_a_setting(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await agree(bot, botapi, therapist, user, "Alex Smith")
    counts = await row_counts(db)

    reply = await say(bot, botapi, user, "London " * 700)  # 4,900 characters

    assert "couldn't find that place" in reply
    assert await row_counts(db) == counts
    async with db.sessions() as session:
        zone = await session.scalar(select(Client.timezone).where(Client.telegram_id == user.id))
    assert zone == "Europe/London"


async def test_emoji_only_text_gets_a_helpful_answer(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    newcomer, client = make_user("Alex"), make_user("Bea")
    await agree(bot, botapi, therapist, newcomer, "Alex Smith")
    await onboard(bot, botapi, therapist, client, name="Bea Jones")
    counts = await row_counts(db)

    assert "couldn't find that place" in await say(bot, botapi, newcomer, "🙂🙂🙂")
    assert await say(bot, botapi, client, "👍🔥💪")  # something helpful, not silence
    assert await row_counts(db) == counts


async def test_a_custom_reminder_time_that_is_not_a_time_asks_again(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await agree(bot, botapi, therapist, user, "Alex Smith")
    botapi.press_button(user, latest_with_buttons(botapi, user.id), "London")
    await bot.settle()
    botapi.press_button(user, latest_with_buttons(botapi, user.id), "Other time")
    await bot.settle()

    for nonsense in ("25:00", "7:75", "soon", "13pm"):
        assert "didn't understand that time" in await say(bot, botapi, user, nonsense)


async def test_nothing_a_stranger_does_stores_a_row(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    await invite_token(bot, botapi, therapist)  # a real invite exists, for someone else
    stranger = make_user("Sam")
    counts = await row_counts(db)

    botapi.send_text(stranger, "hi there")
    botapi.send_text(stranger, "London")
    botapi.send_text(stranger, "08:00")
    botapi.send_text(stranger, "x" * 5000)
    for command in ("start", "settings", "pause", "resume", "privacy", "export", "delete", "help"):
        botapi.send_command(stranger, command)
    botapi.send_command(stranger, "start", "not-a-real-token-0123456789abcdef")
    await bot.settle()
    stale = botapi.sent_messages(stranger.id)[-1]["message_id"]
    presses = [
        botapi.forge_press(stranger, data, stale)
        for data in ("tz:Europe/London", "rt:t:0800", "rt:d", "ci:2000", "pz:0", "del:yes:1")
    ]
    await bot.settle()

    assert await row_counts(db) == counts
    assert set(presses) <= botapi.answered_callback_ids()
    assert all(
        "invite link" in (c.text or "") or "nothing stored" in (c.text or "")
        or "new link" in (c.text or "")
        for c in botapi.calls("sendMessage", chat_id=stranger.id)
    )  # fmt: skip


async def test_a_paused_client_pressing_pause_again_stays_paused_once(
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
    message = latest_with_buttons(botapi, user.id)
    data = botapi.button_data(message, "Until I resume")

    first = botapi.press(user, message, data)
    second = botapi.forge_press(user, data, message["message_id"])
    await bot.settle()

    assert {first, second} <= botapi.answered_callback_ids()
    async with db.sessions() as session:
        status = await session.scalar(select(Client.status).where(Client.telegram_id == user.id))
    assert status is ClientStatus.PAUSED
