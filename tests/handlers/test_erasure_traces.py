"""After /delete, nothing in the database points back to the person; what is stale is purged.

The scan reads every column of every table in the database (not the models: a table added
later is scanned too) for the client's Telegram id, name and note text.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import PURGE_JOB_NAME
from bot.db.engine import Database
from bot.db.models import (
    Audit,
    Client,
    Invite,
    OutboxMessage,
    OutboxStatus,
    PainEntry,
    PendingInput,
    Therapist,
)
from bot.services.privacy import audit_pseudonym, purge_expired
from tests.conftest import FrozenClock
from tests.handlers.journey import invite_token, onboard, press
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

MakeUser = Callable[..., TgUser]
# A realistic 10-digit Telegram id, long enough not to occur by chance in a hash.
TELEGRAM_ID = 7_412_369_805
NAME = "Zelda Quintessa-Marsh"
RELAYED = "How is the calf after the drive to Carlisle?"
NOTES = (
    "Drove to Carlisle and the left calf went numb near junction 44",
    "Gardening with Pip: tingling in the heel all evening",
)


async def _tables(connection: AsyncConnection) -> list[str]:
    return await connection.run_sync(lambda sync: inspect(sync).get_table_names())


async def traces(db: Database, *, telegram_id: int, client_id: int, words: list[str]) -> list[str]:
    """Every cell that still holds the Telegram id or any of `words`, or names the client's
    row id in a client-id column, as 'table.column = value'."""
    found = []
    async with db.engine.connect() as connection:
        for table in await _tables(connection):
            result = await connection.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    shown = json.dumps(value) if isinstance(value, dict | list) else str(value)
                    if (
                        value == telegram_id
                        or str(telegram_id) in shown
                        or any(word.casefold() in shown.casefold() for word in words)
                        or (column.endswith("client_id") and value == client_id)
                    ):
                        found.append(f"{table}.{column} = {shown[:80]}")
    return found


async def _notes(db: Database, client_id: int, clock: FrozenClock) -> None:
    async with db.sessions.begin() as session:
        for days_ago, note in enumerate(NOTES, 1):
            session.add(
                PainEntry(
                    client_id=client_id,
                    day=clock().date() - timedelta(days=days_ago),
                    leg=6,
                    back=3,
                    note=note,
                    created_at=clock(),
                    updated_at=clock(),
                )
            )


async def _client_id(db: Database) -> int:
    async with db.sessions() as session:
        found = await session.scalar(select(Client.id).where(Client.telegram_id == TELEGRAM_ID))
    assert found is not None
    return found


async def test_after_delete_no_table_holds_the_clients_id_name_or_notes(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
    clock: FrozenClock,
) -> None:
    user = make_user("Zelda", id=TELEGRAM_ID)
    # A second link for the same person, never used (the first one got lost in their inbox).
    await invite_token(bot, botapi, therapist, NAME)
    await onboard(bot, botapi, therapist, user, name=NAME)
    client_id = await _client_id(db)
    await _notes(db, client_id, clock)
    # The therapist opens the card, messages them, and leaves a prescription half-done.
    botapi.forge_press(therapist, f"client:open:{client_id}", message_id=1)
    await bot.settle()
    botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    botapi.send_text(therapist, RELAYED)
    await bot.settle()
    botapi.send_command(therapist, "prescribe", NAME)
    await bot.settle()
    # The client takes a copy of their data, then asks for erasure.
    botapi.send_command(user, "export")
    await bot.settle()
    words = [NAME, "Quintessa", *NOTES, RELAYED]
    before = await traces(db, telegram_id=TELEGRAM_ID, client_id=client_id, words=words)
    tables_before = {cell.split(".")[0] for cell in before}
    assert {"client", "invite", "pending_input", "pain_entry", "audit"} <= tables_before

    botapi.send_command(user, "delete")
    await bot.settle()
    await press(bot, botapi, user, "Yes, erase everything")

    assert "has been erased" in botapi.last_text(user.id)
    # The therapist is told by name; that notice waits in the outbox only until it is sent.
    await botapi.wait_for(
        "sendMessage", chat_id=therapist.id, predicate=lambda c: "has left" in (c.text or "")
    )
    await _outbox_delivered(db)
    assert await traces(db, telegram_id=TELEGRAM_ID, client_id=client_id, words=words) == []


async def _outbox_delivered(db: Database, attempts: int = 100) -> None:
    """Wait until the dispatcher has recorded every queued message as sent (a sent row keeps
    no text); fails if it never does."""
    for _ in range(attempts):
        async with db.sessions() as session:
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.CLAIMED]))
            )
        if not waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("queued messages were never sent")


async def test_the_audit_trail_keeps_one_keyed_pseudonym_for_the_erased_client(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Zelda", id=TELEGRAM_ID)
    await onboard(bot, botapi, therapist, user, name=NAME)
    client_id = await _client_id(db)
    botapi.forge_press(therapist, f"client:open:{client_id}", message_id=1)
    await bot.settle()
    botapi.send_command(user, "export")
    await bot.settle()
    botapi.send_command(user, "delete")
    await bot.settle()
    await press(bot, botapi, user, "Yes, erase everything")

    async with db.sessions() as session:
        rows = (await session.execute(select(Audit).order_by(Audit.id))).scalars().all()
    key = bot.application.bot_data.services.settings.audit_pseudonym_key()
    pseudonym = audit_pseudonym(TELEGRAM_ID, key)
    assert pseudonym.startswith("p1:") and str(TELEGRAM_ID) not in pseudonym
    about_them = [r for r in rows if pseudonym in (r.actor_pseudonym, r.subject_pseudonym)]
    # The therapist being told they joined, the therapist's view, the client's export and the
    # erasure: still there, still linked.
    assert [(r.action, r.actor_telegram_id) for r in about_them] == [
        ("disclosed", therapist.id),
        ("view_client", therapist.id),
        ("client_export", None),
        ("client_erased", None),
    ]
    assert all(r.subject_client_id is None for r in about_them)
    # A different key gives a different pseudonym: without the key it cannot be recomputed.
    assert audit_pseudonym(TELEGRAM_ID, b"another key") != pseudonym


async def test_the_clients_own_export_includes_their_invite(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Zelda", id=TELEGRAM_ID)
    await onboard(bot, botapi, therapist, user, name=NAME)
    mark = botapi.mark()
    botapi.send_command(user, "export")
    await bot.settle()
    documents = botapi.calls("sendDocument", chat_id=user.id, after=mark)
    exported = json.loads(documents[-1].files["document"])
    assert [invite["client_name"] for invite in exported["invites"]] == [NAME]
    assert exported["invites"][0]["used_at"] is not None
    # The complete copy is the JSON; the spreadsheets beside it are the health records.
    assert documents[-1].files["document"].filename == "my-sciatica-data.json"  # type: ignore[attr-defined]


async def _stale_rows(db: Database, clock: FrozenClock) -> None:
    now = clock()
    async with db.sessions.begin() as session:
        therapist_id = await session.scalar(select(Therapist.id).limit(1))
        assert therapist_id is not None
        session.add_all(
            [
                Invite(
                    therapist_id=therapist_id,
                    token_hash="a" * 64,
                    client_name="Expired Eve",
                    created_at=now - timedelta(days=10),
                    expires_at=now - timedelta(days=3),
                    used_at=None,
                ),
                Invite(
                    therapist_id=therapist_id,
                    token_hash="b" * 64,
                    client_name="Fresh Fred",
                    created_at=now,
                    expires_at=now + timedelta(days=7),
                    used_at=None,
                ),
                PendingInput(
                    telegram_id=555_001,
                    kind="prescribe",
                    payload={"client_id": 1, "client_name": "Old Draft"},
                    expires_at=now - timedelta(hours=1),
                ),
                PendingInput(
                    telegram_id=555_002,
                    kind="relay_reply",
                    payload={"client_id": 2},
                    expires_at=now + timedelta(hours=1),
                ),
            ]
        )


async def _names(db: Database) -> tuple[set[str], set[int]]:
    async with db.sessions() as session:
        invites = set((await session.execute(select(Invite.client_name))).scalars())
        pending = set((await session.execute(select(PendingInput.telegram_id))).scalars())
    return invites, pending


async def test_the_daily_purge_removes_expired_invites_and_pending_inputs_only(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    db: Database,
    clock: FrozenClock,
) -> None:
    await invite_token(bot, botapi, therapist, "Current Cara")
    await _stale_rows(db, clock)
    jobs = bot.application.job_queue.get_jobs_by_name(PURGE_JOB_NAME)  # type: ignore[union-attr]
    assert len(jobs) == 1

    await jobs[0].run(bot.application)

    invites, pending = await _names(db)
    assert invites == {"Fresh Fred", "Current Cara"}
    assert pending == {555_002}


async def test_purge_counts_what_it_removed_and_a_second_run_removes_nothing(
    db: Database, clock: FrozenClock
) -> None:
    async with db.sessions.begin() as session:
        session.add(Therapist(telegram_id=900_001, timezone="Europe/London", created_at=clock()))
    await _stale_rows(db, clock)
    first = await purge_expired(db, now=clock())
    second = await purge_expired(db, now=clock())
    assert (first.invites, first.pending_inputs) == (1, 1)
    assert (second.invites, second.pending_inputs) == (0, 0)
    assert await _names(db) == ({"Fresh Fred"}, {555_002})
