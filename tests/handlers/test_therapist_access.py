"""Therapist features are for the therapist only: clients and strangers get the normal refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.db.engine import Database
from bot.db.models import Audit
from bot.services import audit
from bot.texts import therapist as t
from tests.conftest import DEFAULT_NOW
from tests.handlers.client_seed import add_client, add_pain_entries
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=620_001, first_name="Alice")
STRANGER = TgUser(id=620_099, first_name="Sam")
THERAPIST_COMMANDS = [
    ("clients", ""),
    ("client", "Alice"),
    ("prescribe", "Alice"),
    ("alerts", ""),
    ("summary", ""),
]


THERAPIST_ACTIONS = (
    audit.VIEW_CLIENT,
    audit.VIEW_CLIENT_LIST,
    audit.VIEW_SUMMARY,
    audit.VIEW_ALERTS,
    audit.EXPORT_ALL,
    audit.EXPORT_CLIENT,
)


async def _audit_rows(db: Database) -> int:
    """Therapist views and exports recorded (a client's own export is audited separately)."""
    async with db.sessions() as session:
        query = select(func.count(Audit.id)).where(Audit.action.in_(THERAPIST_ACTIONS))
        return int((await session.execute(query)).scalar_one())


@pytest.mark.parametrize(("command", "args"), THERAPIST_COMMANDS)
async def test_a_client_using_a_therapist_command_is_told_it_is_unknown(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, command: str, args: str
) -> None:
    client_id = await add_client(db, CLIENT, name="Alice Example")
    await add_pain_entries(db, client_id, [(DEFAULT_NOW.date(), 7, 3)])
    mark = botapi.mark()
    botapi.send_command(CLIENT, command, args)
    await bot.settle()
    replies = [c.text for c in botapi.calls("sendMessage", chat_id=CLIENT.id, after=mark)]
    assert replies == [texts.UNKNOWN_COMMAND]
    assert not botapi.calls("sendPhoto", after=mark)
    assert not botapi.calls("sendDocument", after=mark)
    assert await _audit_rows(db) == 0


@pytest.mark.parametrize(("command", "args"), THERAPIST_COMMANDS)
async def test_a_stranger_using_a_therapist_command_is_told_to_ask_their_therapist(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, command: str, args: str
) -> None:
    await add_client(db, CLIENT, name="Alice Example")
    mark = botapi.mark()
    botapi.send_command(STRANGER, command, args)
    await bot.settle()
    replies = [c.text for c in botapi.calls("sendMessage", chat_id=STRANGER.id, after=mark)]
    assert replies == [texts.STRANGER]
    assert not botapi.calls("sendDocument", after=mark)
    assert await _audit_rows(db) == 0


@pytest.mark.parametrize("user", [CLIENT, STRANGER], ids=["client", "stranger"])
async def test_export_by_anyone_but_the_therapist_sends_no_therapist_csv(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, user: TgUser
) -> None:
    await add_client(db, CLIENT, name="Alice Example")
    mark = botapi.mark()
    botapi.send_command(user, "export")
    await bot.settle()
    # The client's own /export (their data only) or the stranger's refusal — never the list.
    for call in botapi.calls(after=mark):
        assert "client(s)" not in (call.text or "")
        assert call.params.get("caption") is None or "client(s)" not in str(call.params["caption"])
    assert await _audit_rows(db) == 0


@pytest.mark.parametrize(
    "data",
    [
        "client:open:{id}",
        "client:msg:{id}",
        "client:pause:{id}",
        "client:export:{id}",
        "client:rx:{id}",
        "alert:ack:1",
        "rx:ok:{id}",
        "summary:chart:{id}",
    ],
)
async def test_a_client_pressing_a_forged_therapist_button_gets_an_answer_and_no_data(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, data: str
) -> None:
    client_id = await add_client(db, CLIENT, name="Alice Example")
    mark = botapi.mark()
    query_id = botapi.forge_press(CLIENT, data.format(id=client_id), message_id=1)
    await bot.settle()
    assert botapi.callback_answer(query_id)["text"] == t.THERAPIST_ONLY_BUTTON
    assert not botapi.calls("sendMessage", after=mark)
    assert not botapi.calls("sendPhoto", after=mark)
    assert not botapi.calls("sendDocument", after=mark)
    assert await _audit_rows(db) == 0


async def test_the_therapist_menu_lists_the_therapist_commands(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser
) -> None:
    names = [
        c["command"] for c in botapi.my_commands(scope={"type": "chat", "chat_id": therapist.id})
    ]
    for command in (
        "invite",
        "clients",
        "client",
        "prescribe",
        "alerts",
        "summary",
        "export",
        "help",
    ):
        assert command in names
