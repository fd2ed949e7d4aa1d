"""Red flags through the outbox: recorded with the event, sent to permitted people only,
and never lost when the database cannot take the report (SQLite's write lock held by another
writer; PostgreSQL answering reads but refusing writes)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

import bot.db.engine
from bot.app import BotApplication, build_application
from bot.config import DEFAULT_EMERGENCY_ADVICE
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from bot.db.models import Alert, Audit, OutboxMessage, OutboxStatus, RedFlagEvent
from tests.conftest import THERAPIST_ID, FrozenClock, make_settings
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication, running_application
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=621_001, first_name="Alice")
FORMER_THERAPIST_ID = 900_050  # the client's therapist, no longer in THERAPIST_IDS


def _is_urgent(call: object) -> bool:
    return "URGENT" in (getattr(call, "text", None) or "")


async def _ledger(db: Database) -> list[tuple[str, int | None, str]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.chat_id, OutboxMessage.status).order_by(
                OutboxMessage.id
            )
        )
        return [(kind, chat, str(status)) for kind, chat, status in rows]


async def _count(db: Database, model: type) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_red_flag_alert_is_a_ledger_row_sent_and_its_disclosure_audited(
    bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    client_id = await add_client(db, CLIENT)
    botapi.send_text(CLIENT, "I can't pee properly today")
    alert = await botapi.wait_for("sendMessage", chat_id=THERAPIST_ID, predicate=_is_urgent)
    await bot.settle()

    assert botapi.calls("sendMessage", chat_id=CLIENT.id)[0].text == DEFAULT_EMERGENCY_ADVICE
    assert await _ledger(db) == [
        ("emergency_advice", CLIENT.id, "sent"),
        ("red_flag_alert", THERAPIST_ID, "sent"),
    ]
    async with db.sessions() as session:
        sent = (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.kind == "red_flag_alert")
            )
        ).scalar_one()
        audit = (
            await session.execute(select(Audit).where(Audit.action == "disclosed"))
        ).scalar_one()
    assert sent.telegram_message_id == alert.message_id
    assert sent.payload == {}  # delivered content does not linger in the ledger
    assert (audit.actor_telegram_id, audit.subject_client_id, audit.detail) == (
        THERAPIST_ID,
        client_id,
        "red_flag_alert",
    )


async def test_a_therapist_removed_from_therapist_ids_is_not_sent_their_former_clients_red_flag(
    bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await add_client(db, CLIENT, therapist_telegram_id=FORMER_THERAPIST_ID)
    botapi.send_text(CLIENT, "I can't pee properly today")
    await botapi.wait_for("sendMessage", chat_id=CLIENT.id)
    await bot.settle()

    assert botapi.calls("sendMessage", chat_id=FORMER_THERAPIST_ID) == []
    assert botapi.calls("sendMessage", chat_id=THERAPIST_ID) == []
    assert await _count(db, Alert) == 1  # still recorded for whoever takes the client on


# --- the database cannot take the report (SQLite's write lock held by another writer) ----


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writers give up after 0.3 s instead of 10 s, so a held lock fails quickly."""
    monkeypatch.setattr(bot.db.engine, "SQLITE_BUSY_TIMEOUT_MS", 300)


@pytest.fixture
async def locked_app(
    botapi: BotApiDouble,
    sqlite_url: str,
    library: ExerciseLibrary,
    clock: FrozenClock,
    short_busy_timeout: None,
) -> AsyncIterator[tuple[BotApplication, Database, str]]:
    await upgrade_async(sqlite_url)
    database = Database.connect(sqlite_url)
    settings = make_settings(botapi, sqlite_url)
    app = build_application(
        settings, db=database, library=library, clock=clock, scheduler_tick_job=False
    )
    try:
        yield app, database, sqlite_url
    finally:
        await database.dispose()


@pytest.fixture
def write_lock() -> Iterator[list[sqlite3.Connection]]:
    held: list[sqlite3.Connection] = []
    yield held
    for connection in held:
        connection.rollback()
        connection.close()


async def test_a_red_flag_the_database_cannot_take_still_alerts_and_is_recorded_later(
    botapi: BotApiDouble,
    locked_app: tuple[BotApplication, Database, str],
    write_lock: list[sqlite3.Connection],
) -> None:
    app, db, url = locked_app
    await add_client(db, CLIENT)
    async with running_application(app, botapi, raise_handler_errors=False) as running:
        path = make_url(url).database
        assert path is not None
        blocker = sqlite3.connect(
            Path(path), isolation_level=None, timeout=10, check_same_thread=False
        )
        # Another writer takes the lock (in a thread: the bot may be mid-transaction).
        await asyncio.to_thread(blocker.execute, "BEGIN IMMEDIATE")
        write_lock.append(blocker)

        botapi.send_text(CLIENT, "I can't pee properly today")
        alert = await botapi.wait_for("sendMessage", chat_id=THERAPIST_ID, predicate=_is_urgent)
        await running.settle()

        assert botapi.calls("sendMessage", chat_id=CLIENT.id)[0].text == DEFAULT_EMERGENCY_ADVICE
        assert "Alice" in (alert.text or "")
        blocker.rollback()  # the other writer is done: the database is back
        unrecorded = app.bot_data.scheduler.unrecorded_red_flags
        assert await unrecorded.record_waiting() == 0

    assert await _count(db, RedFlagEvent) == 1
    assert await _count(db, Alert) == 1
    assert await _ledger(db) == [
        ("emergency_advice", CLIENT.id, "sent"),
        ("red_flag_alert", THERAPIST_ID, "sent"),
    ]
    async with db.sessions() as session:
        sent_id = (
            await session.execute(
                select(OutboxMessage.telegram_message_id).where(
                    OutboxMessage.kind == "red_flag_alert",
                    OutboxMessage.status == OutboxStatus.SENT,
                )
            )
        ).scalar_one()
        disclosed_to = (
            await session.execute(
                select(Audit.actor_telegram_id).where(Audit.action == "disclosed")
            )
        ).scalar_one()
    assert sent_id == alert.message_id
    assert disclosed_to == THERAPIST_ID  # the direct send is audited like any other disclosure
    # Sent once: recording it later did not send it again.
    assert len([c for c in botapi.calls("sendMessage", chat_id=THERAPIST_ID) if _is_urgent(c)]) == 1


# --- PostgreSQL: the database answers reads but refuses writes ---------------------------


async def _set_read_only(url: str, read_only: bool) -> None:
    """New sessions of this database start read-only (or not): reads answer, writes fail."""
    target = make_url(url)
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(
                text(
                    f'ALTER DATABASE "{target.database}" SET default_transaction_read_only = '
                    + ("on" if read_only else "off")
                )
            )
    finally:
        await admin.dispose()


@pytest.mark.postgres
async def test_a_red_flag_postgresql_will_not_write_still_alerts_and_is_recorded_later(
    botapi: BotApiDouble, postgres_url: str, library: ExerciseLibrary, clock: FrozenClock
) -> None:
    await upgrade_async(postgres_url)
    db = Database.connect(postgres_url)
    app = build_application(
        make_settings(botapi, postgres_url),
        db=db,
        library=library,
        clock=clock,
        scheduler_tick_job=False,
    )
    await add_client(db, CLIENT)
    try:
        async with running_application(app, botapi, raise_handler_errors=False) as running:
            await _set_read_only(postgres_url, True)
            await db.engine.dispose()  # the pool's next connections are read-only
            try:
                botapi.send_text(CLIENT, "I can't pee properly today")
                alert = await botapi.wait_for(
                    "sendMessage", chat_id=THERAPIST_ID, predicate=_is_urgent
                )
                await running.settle()
                unrecorded = app.bot_data.scheduler.unrecorded_red_flags
                assert unrecorded.waiting == 1
            finally:
                await _set_read_only(postgres_url, False)
                await db.engine.dispose()
            assert await unrecorded.record_waiting() == 0

        first = botapi.calls("sendMessage", chat_id=CLIENT.id)[0]
        assert first.text == DEFAULT_EMERGENCY_ADVICE
        assert "Alice" in (alert.text or "")
        assert await _count(db, RedFlagEvent) == 1
        assert await _count(db, Alert) == 1
        assert await _ledger(db) == [
            ("emergency_advice", CLIENT.id, "sent"),
            ("red_flag_alert", THERAPIST_ID, "sent"),
        ]
        urgent = [c for c in botapi.calls("sendMessage", chat_id=THERAPIST_ID) if _is_urgent(c)]
        assert len(urgent) == 1
    finally:
        await db.dispose()
