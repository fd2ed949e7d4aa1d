"""`python -m bot run` as a process: start-up refusals name the problem and never the token,
webhook mode needs a secret that every request must carry, and its server answers
`GET /healthz` like `python -m bot health`."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import outbox as ledger
from bot.db.backup import HEARTBEAT_KEY
from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from bot.db.models import Client, ClientStatus, OutboxMessage
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


def _hide_sqlite_file(path: Path) -> None:
    """Move the file aside and leave a directory in its place: SQLite cannot open it."""
    path.rename(path.with_suffix(".away"))
    path.mkdir()


def _restore_sqlite_file(path: Path) -> None:
    path.rmdir()
    path.with_suffix(".away").rename(path)


@asynccontextmanager
async def _unreachable(database_url: str) -> AsyncIterator[None]:
    """The database stops answering new connections, then comes back."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        _hide_sqlite_file(path)
        try:
            yield
        finally:
            _restore_sqlite_file(path)
        return
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = url.database
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        try:
            yield
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    finally:
        await admin.dispose()


async def test_healthz_on_the_webhook_server_answers_like_the_health_command(
    botapi_process: BotApiDouble, database_url: str, tmp_path: Path
) -> None:
    await upgrade_async(database_url)
    botapi_process.stub("setWebhook", True)
    port = _free_port()
    env = bot_environment(botapi_process, database_url)
    env.update(
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        # The first tick is a minute away: the test decides how old the last tick looks.
        TICK_SECONDS="60",
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    db = Database.connect(database_url)
    answers: list[tuple[int, str]] = []
    try:
        await botapi_process.wait_for("setWebhook", timeout=60)
        url = f"http://127.0.0.1:{port}/healthz"
        async with httpx.AsyncClient(timeout=30) as http:

            async def probe() -> None:
                response = await http.get(url)
                answers.append((response.status_code, response.text))

            await probe()  # healthy: migrated, answering, no tick overdue
            async with db.sessions.begin() as session:
                stale = datetime.now(tz=UTC) - timedelta(minutes=5)
                await ledger.record_heartbeat(session, key=HEARTBEAT_KEY, now=stale)
            await probe()  # the scheduler's last tick is 5 minutes old
            async with db.sessions.begin() as session:
                await ledger.clear_heartbeat(session, key=HEARTBEAT_KEY)
            await probe()
            await db.dispose()
            async with _unreachable(database_url):
                await probe()  # the database does not answer
            await probe()  # back
            async with db.sessions.begin() as session:
                fresh = datetime.now(tz=UTC)
                await ledger.record_heartbeat(session, key=HEARTBEAT_KEY, now=fresh)
            await probe()  # a tick a moment ago is healthy
            # The update route is still guarded on the same server.
            refused = await http.post(f"http://127.0.0.1:{port}/", json={"update_id": 1})
    finally:
        child.terminate()
        out, err = await asyncio.wait_for(child.communicate(), 20)
        await db.dispose()

    # SIGTERM is a clean stop in webhook mode too: exit 0, and the scheduler's stop (post_stop)
    # removed the heartbeat, so health no longer expects ticks from a bot that is not running.
    assert child.returncode == 0
    db = Database.connect(database_url)
    try:
        async with db.sessions() as session:
            beat = await session.scalar(
                select(OutboxMessage.id).where(OutboxMessage.dedupe_key == HEARTBEAT_KEY)
            )
    finally:
        await db.dispose()
    assert beat is None
    statuses = [status for status, _ in answers]
    assert statuses == [200, 503, 200, 503, 200, 200]
    assert answers[0][1] == "healthy\n"
    assert "last scheduler tick was 300 s ago" in answers[1][1]
    assert answers[3][1].startswith("database unreachable")
    assert refused.status_code == 403
    everything = "".join(text for _, text in answers) + (out + err).decode()
    assert SECRET not in everything
    assert TOKEN not in everything
