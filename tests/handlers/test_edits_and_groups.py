"""Edited messages never re-run a command or a typed answer (only the red-flag guard reads
them); groups and channels get the one "private chat only" answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler

from bot import texts
from bot.db.engine import Database
from bot.handlers.text import typed_text
from tests.handlers.client_seed import add_client
from tests.handlers.test_bad_input import row_counts
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import AnyApplication, RunningApplication
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=630_001, first_name="Alice")


def _edited(user: TgUser, text: str, app: AnyApplication) -> Update:
    message: dict[str, Any] = {
        "message_id": 7,
        "from": user.to_json(),
        "chat": user.private_chat(),
        "date": int(datetime(2026, 6, 1, tzinfo=UTC).timestamp()),
        "edit_date": int(datetime(2026, 6, 1, 0, 1, tzinfo=UTC).timestamp()),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return Update.de_json({"update_id": 1, "edited_message": message}, app.bot)


async def test_no_registered_command_or_text_reader_takes_an_edited_message(
    bot: RunningApplication, therapist: TgUser
) -> None:
    """Generated from the registered handlers, so a new one cannot forget the filter."""
    application = bot.application
    readers = [
        handler
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler | MessageHandler)
        and handler.callback is not typed_text
    ]
    commands = sorted({c for h in readers if isinstance(h, CommandHandler) for c in h.commands})
    assert len(commands) >= 15
    edits = [_edited(user, f"/{c} Alice", application) for c in commands for user in (therapist,)]
    edits += [_edited(ALICE, text, application) for text in ("London", "08:30", "how do I")]
    taken = [
        (type(h.callback).__name__, getattr(h.callback, "__name__", "?"), u.edited_message.text)
        for h in readers
        for u in edits
        if u.edited_message is not None and h.check_update(u)
    ]
    assert taken == []


async def test_editing_client_alice_into_export_sends_nothing(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await add_client(db, ALICE, name="Alice Example")
    message_id = botapi.send_command(therapist, "client", "Alice")
    await bot.settle()
    before = await row_counts(db)
    mark = botapi.mark()

    botapi.edit_text(therapist, message_id, "/export")
    botapi.edit_text(therapist, message_id, "/client Alice")
    await bot.settle()

    assert [c.method for c in botapi.calls(after=mark)] == []
    assert await row_counts(db) == before


async def test_groups_and_channels_get_the_private_chat_only_answer_to_commands(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await add_client(db, ALICE)
    before = await row_counts(db)
    mark = botapi.mark()
    botapi.send_group_text(ALICE, -100_400, "/pain")
    botapi.send_group_text(therapist, -100_400, "/export")
    botapi.send_group_text(ALICE, -100_400, "my leg hurts today")
    botapi.inject(
        {
            "channel_post": {
                "message_id": 5,
                "chat": {"id": -100_500, "type": "channel", "title": "Clinic news"},
                "date": 1_780_000_000,
                "text": "/clients",
                "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
            }
        }
    )
    await bot.settle()

    # Different people's updates are handled concurrently: compare without order.
    sent = botapi.calls(after=mark)
    assert sorted((c.method, c.chat_id, c.text) for c in sent) == [
        ("sendMessage", -100_500, texts.GROUP_CHAT),
        ("sendMessage", -100_400, texts.GROUP_CHAT),
        ("sendMessage", -100_400, texts.GROUP_CHAT),
    ]
    assert await row_counts(db) == before
