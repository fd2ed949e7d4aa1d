"""Who may receive a client's data: their own therapist while in THERAPIST_IDS, the duty
therapist (RED_FLAG_ALSO_NOTIFY) for red flags only, nobody else — and a departed therapist's
clients are handed on with `python -m bot clients reassign` and told who now sees their data.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import BotApplication
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Audit, Client, Delivery, Therapist
from bot.services.clients import register_therapist
from scheduler.tick import Scheduler
from tests.conftest import CONTENT_DIR, TEST_TOKEN, THERAPIST_ID, make_settings
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

DEPARTED = 900_777  # had clients, no longer in THERAPIST_IDS
DUTY = 900_555  # the clinic's duty therapist (RED_FLAG_ALSO_NOTIFY)
CARA = TgUser(id=670_001, first_name="Cara")
REGISTERED = datetime(2026, 5, 27, 12, 0, tzinfo=UTC)
MONDAY_8_LONDON = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def settings(botapi: BotApiDouble, database_url: str) -> Settings:
    return make_settings(botapi, database_url, red_flag_also_notify=frozenset({DUTY}))


async def _departed_therapists_client(db: Database) -> int:
    await register_therapist(
        db, telegram_id=DEPARTED, display_name="Dee", timezone="Europe/London", now=REGISTERED
    )
    return await add_client(db, CARA, name="Cara Client", therapist_telegram_id=DEPARTED)


async def test_a_therapist_removed_from_therapist_ids_gets_no_weekly_summary(
    application: BotApplication, bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await _departed_therapists_client(db)
    scheduler: Scheduler = application.bot_data.scheduler

    report = await scheduler.run_pass(MONDAY_8_LONDON)
    await scheduler.dispatcher.drain()
    await bot.settle()

    assert botapi.calls("sendMessage", chat_id=DEPARTED) == []
    assert botapi.calls("sendPhoto", chat_id=DEPARTED) == []
    summaries = [c for c in report.claims if c.chat_id == DEPARTED]
    assert len(summaries) == 1
    async with db.sessions() as session:
        row = await session.get(Delivery, summaries[0].delivery_id)
    assert row is not None and (row.status, row.last_error) == ("missed", "recipient_not_allowed")


async def test_a_red_flag_reaches_the_duty_therapist_but_nothing_else_does(
    bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await add_client(db, CARA, name="Cara Client")
    botapi.send_text(CARA, "I can't pee properly today")
    for chat in (THERAPIST_ID, DUTY):
        await botapi.wait_for(
            "sendMessage", chat_id=chat, predicate=lambda c: "URGENT" in (c.text or "")
        )
    # A trend alert (leg pain 9) is the own therapist's only.
    mark = botapi.mark()
    botapi.send_command(CARA, "pain")
    prompt = await botapi.wait_for("sendMessage", chat_id=CARA.id, after=mark)
    botapi.press_button(CARA, prompt, "9")
    await bot.settle()
    botapi.press_button(CARA, prompt, "2")
    await botapi.wait_for(
        "sendMessage",
        chat_id=THERAPIST_ID,
        after=mark,
        predicate=lambda c: "9/10" in (c.text or ""),
    )
    await bot.settle()
    assert botapi.calls("sendMessage", chat_id=DUTY, after=mark) == []


async def test_privacy_names_the_duty_therapist_when_one_is_set(
    bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await add_client(db, CARA, name="Cara Client")
    botapi.send_command(CARA, "privacy")
    await bot.settle()
    assert "duty therapist" in botapi.last_text(CARA.id)


async def _reassign(database_url: str, *args: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "THERAPIST_IDS": str(THERAPIST_ID),
        "CONTENT_DIR": str(CONTENT_DIR),
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "clients",
        "reassign",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode is not None
    return child.returncode, out.decode(), err.decode()


async def test_reassign_hands_the_clients_on_and_tells_them_who_now_sees_their_data(
    application: BotApplication,
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    database_url: str,
) -> None:
    client_id = await _departed_therapists_client(db)
    # Before: Cara's red flag reaches the duty therapist only; her own therapist has left.
    botapi.send_text(CARA, "I can't pee properly today")
    await botapi.wait_for("sendMessage", chat_id=DUTY)
    await bot.settle()
    assert botapi.calls("sendMessage", chat_id=DEPARTED) == []

    refused = await _reassign(database_url, "--from", str(DEPARTED), "--to", "900999")
    assert refused[0] == 2 and "THERAPIST_IDS" in refused[2]
    status, out, err = await _reassign(
        database_url, "--from", str(DEPARTED), "--to", str(THERAPIST_ID)
    )
    assert status == 0, err
    assert f"moved 1 client(s) from {DEPARTED} to {THERAPIST_ID}" in out

    scheduler: Scheduler = application.bot_data.scheduler
    mark = botapi.mark()
    await scheduler.run_pass(datetime.now(tz=UTC))  # the running bot's next tick
    told = await botapi.wait_for(
        "sendMessage", chat_id=CARA.id, after=mark, predicate=lambda c: "changed" in (c.text or "")
    )
    assert "sees your check-ins" in (told.text or "")
    async with db.sessions() as session:
        owner = await session.scalar(
            select(Therapist.telegram_id)
            .join(Client, Client.therapist_id == Therapist.id)
            .where(Client.id == client_id)
        )
        moves = (
            (await session.execute(select(Audit).where(Audit.action == "reassign_client")))
            .scalars()
            .all()
        )
    assert owner == THERAPIST_ID
    assert [(a.actor_telegram_id, a.subject_client_id, a.detail) for a in moves] == [
        (THERAPIST_ID, client_id, f"from:{DEPARTED}")
    ]

    # After: the next red flag reaches the new therapist.
    mark = botapi.mark()
    botapi.send_text(CARA, "now my legs are both numb")
    await botapi.wait_for(
        "sendMessage",
        chat_id=THERAPIST_ID,
        after=mark,
        predicate=lambda c: "URGENT" in (c.text or ""),
    )
