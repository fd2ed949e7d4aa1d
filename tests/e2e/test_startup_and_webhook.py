"""`python -m bot run` as a process: start-up refusals name the problem and never the token,
and webhook mode needs a secret that every request must carry."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from bot.db.models import Client, ClientStatus
from tests.e2e.test_real_process import TOKEN, bot_environment
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=640_001, first_name="Alice")
MALLORY = TgUser(id=640_666, first_name="Mallory")
SECRET = "webhook-secret-Abc_123"


async def run_bot(env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode is not None
    return child.returncode, out.decode(), err.decode()


@pytest.fixture
async def botapi_process() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as double:
        yield double


@pytest.mark.parametrize(
    ("status", "line"),
    [
        (401, "Telegram rejected TELEGRAM_BOT_TOKEN: create a new one with @BotFather"),
        (404, "TELEGRAM_API_BASE_URL does not look like a Bot API server"),
    ],
)
async def test_a_rejected_token_or_a_wrong_api_url_is_one_line_without_the_token(
    botapi_process: BotApiDouble, sqlite_url: str, tmp_path: Path, status: int, line: str
) -> None:
    await upgrade_async(sqlite_url)
    botapi_process.fail_next("getMe", error_code=status, count=5)
    code, out, err = await run_bot(bot_environment(botapi_process, sqlite_url), tmp_path)

    assert code == 2
    assert err.strip() == line
    assert out == ""
    assert "Traceback" not in err
    assert TOKEN not in out + err and TOKEN.split(":")[1] not in out + err


async def test_webhook_mode_without_a_secret_stops_with_one_line(
    botapi_process: BotApiDouble, sqlite_url: str, tmp_path: Path
) -> None:
    env = bot_environment(botapi_process, sqlite_url)
    env.update(WEBHOOK_URL="https://bot.example.org/telegram", WEBHOOK_PORT=str(_free_port()))
    env.pop("WEBHOOK_SECRET", None)
    code, _, err = await run_bot(env, tmp_path)

    assert code == 2
    assert err.strip().startswith("WEBHOOK_SECRET is not set")
    assert len(err.strip().splitlines()) == 1
    assert botapi_process.calls() == []  # refused before talking to Telegram at all


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _forged_erase(user: TgUser, client_id: int, update_id: int) -> dict[str, object]:
    """What anyone who can reach the port could post: a client's own 'Yes, erase'."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"forged-{update_id}",
            "from": user.to_json(),
            "chat_instance": "1",
            "data": f"del:yes:{client_id}",
            "message": {
                "message_id": 1,
                "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
                "chat": user.private_chat(),
                "date": 1_780_000_000,
                "text": "Erase everything?",
            },
        },
    }


async def test_the_webhook_refuses_requests_without_the_secret_and_changes_nothing(
    botapi_process: BotApiDouble, database_url: str, tmp_path: Path
) -> None:
    await upgrade_async(database_url)
    db = Database.connect(database_url)
    client_id = await add_client(db, ALICE)
    botapi_process.stub("setWebhook", True)
    port = _free_port()
    env = bot_environment(botapi_process, database_url)
    env.update(
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await botapi_process.wait_for("setWebhook", timeout=60)
        url = f"http://127.0.0.1:{port}/"
        async with httpx.AsyncClient(timeout=10) as http:
            statuses = []
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                for attempt in range(50):  # the server listens just after setWebhook
                    try:
                        response = await http.post(
                            url, json=_forged_erase(ALICE, client_id, 10 + attempt), headers=headers
                        )
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
                statuses.append(response.status_code)
            mark = botapi_process.mark()
            ok = await http.post(
                url,
                json={
                    "update_id": 99,
                    "message": {
                        "message_id": 3,
                        "from": MALLORY.to_json(),
                        "chat": MALLORY.private_chat(),
                        "date": 1_780_000_000,
                        "text": "/start",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                    },
                },
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            await botapi_process.wait_for("sendMessage", chat_id=MALLORY.id, after=mark)

        assert statuses == [403, 403]
        assert ok.status_code == 200
        assert botapi_process.calls("answerCallbackQuery") == []
        async with db.sessions() as session:
            status = (
                await session.execute(select(Client.status).where(Client.id == client_id))
            ).scalar_one()
        assert status is ClientStatus.ACTIVE
    finally:
        child.terminate()
        out, err = await asyncio.wait_for(child.communicate(), 20)
        await db.dispose()
    assert SECRET not in (out + err).decode()
    assert TOKEN not in (out + err).decode()
