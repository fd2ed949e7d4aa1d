"""The client's rights over their data: a complete copy, erasure that leaves nothing naming
them but a pseudonymous audit trail, and the daily purge of what has outlived its use (both
engines)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import (
    Audit,
    Client,
    Invite,
    OutboxMessage,
    PainEntry,
    PendingInput,
    Prescription,
)
from bot.services.privacy import (
    AUDIT_DELETE,
    AUDIT_EXPORT,
    audit_pseudonym,
    erase_client,
    export_client_data,
    purge_expired,
)
from bot.services.relay import open_relay_to_client
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.export_files import sheet_rows
from tests.handlers.client_seed import add_client, add_pain_entries, add_prescription
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=658_001, first_name="Alice")
BOB = TgUser(id=658_002, first_name="Bob")
NOW = DEFAULT_NOW
KEY = b"k" * 32


async def _count(db: Database, model: type[object], *where: object) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_the_copy_holds_everything_stored_and_says_it_was_made(db: Database) -> None:
    alice = await add_client(db, ALICE, name="Alice Example")
    await add_prescription(db, alice)
    await add_pain_entries(db, alice, [(date(2026, 5, 30), 6, 3), (date(2026, 5, 31), 5, 2)])

    export = await export_client_data(db, telegram_id=ALICE.id, now=NOW)

    assert export is not None
    document = json.loads(export.json_bytes)
    assert document["profile"]["display_name"] == "Alice Example"
    assert [(p["day"], p["leg"]) for p in document["pain_entries"]] == [
        ("2026-05-30", 6),
        ("2026-05-31", 5),
    ]
    assert [p["exercise_slug"] for p in document["prescriptions"]] == ["glute-bridge"]
    sheets = {sheet.filename: sheet_rows(sheet.content) for sheet in export.sheets}
    assert [r["Leg pain (0-10)"] for r in sheets["my-check-ins.csv"]] == ["6", "5"]
    assert await _count(db, Audit, Audit.action == AUDIT_EXPORT, Audit.subject_client_id == alice)
    assert export.rows >= 4  # profile, a prescription, two check-ins


async def test_someone_who_is_not_a_client_gets_no_copy(db: Database) -> None:
    assert await export_client_data(db, telegram_id=BOB.id, now=NOW) is None


async def test_erasure_removes_the_client_and_everything_naming_them(db: Database) -> None:
    alice = await add_client(db, ALICE, name="Alice Example")
    bob = await add_client(db, BOB, name="Bob Example")
    for client in (alice, bob):
        await add_prescription(db, client)
        await add_pain_entries(db, client, [(date(2026, 5, 31), 5, 2)])
    # The therapist was about to message her: that unfinished input names her too.
    await open_relay_to_client(db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW)

    erased = await erase_client(
        db, telegram_id=ALICE.id, client_id=alice, now=NOW, pseudonym_key=KEY
    )

    assert erased is not None
    assert erased.client_name == "Alice Example"
    assert erased.therapist_telegram_id == THERAPIST_ID
    assert await _count(db, Client, Client.id == alice) == 0
    assert await _count(db, PainEntry, PainEntry.client_id == alice) == 0
    assert await _count(db, Prescription, Prescription.client_id == alice) == 0
    assert await _count(db, PendingInput, PendingInput.telegram_id == THERAPIST_ID) == 0
    # Bob is untouched.
    assert await _count(db, PainEntry, PainEntry.client_id == bob) == 1
    # The therapist is told, by a message that names no stored client.
    async with db.sessions() as session:
        told = (await session.execute(select(OutboxMessage.chat_id, OutboxMessage.client_id))).all()
    assert told == [(THERAPIST_ID, None)]


async def test_the_audit_trail_keeps_one_keyed_pseudonym_instead_of_the_client(
    db: Database,
) -> None:
    alice = await add_client(db, ALICE)
    await export_client_data(db, telegram_id=ALICE.id, now=NOW)

    await erase_client(db, telegram_id=ALICE.id, client_id=alice, now=NOW, pseudonym_key=KEY)

    async with db.sessions() as session:
        trail = (
            await session.execute(
                select(
                    Audit.action,
                    Audit.actor_telegram_id,
                    Audit.subject_client_id,
                    Audit.actor_pseudonym,
                ).order_by(Audit.id)
            )
        ).all()
    pseudonym = audit_pseudonym(ALICE.id, KEY)
    assert [(action, actor, subject) for action, actor, subject, _ in trail] == [
        (AUDIT_EXPORT, None, None),
        (AUDIT_DELETE, None, None),
    ]
    assert {row.actor_pseudonym for row in trail} == {pseudonym}
    assert audit_pseudonym(ALICE.id, b"another key" * 3) != pseudonym


async def test_a_client_can_only_erase_themselves(db: Database) -> None:
    await add_client(db, ALICE)
    bob = await add_client(db, BOB)

    refused = await erase_client(
        db, telegram_id=ALICE.id, client_id=bob, now=NOW, pseudonym_key=KEY
    )

    assert refused is None
    assert await _count(db, Client) == 2


async def test_the_purge_removes_expired_invites_and_inputs_only(db: Database) -> None:
    alice = await add_client(db, ALICE)
    async with db.sessions.begin() as session:
        therapist_id = await session.scalar(select(Client.therapist_id).where(Client.id == alice))
        for hours, token in ((-1, "a" * 64), (24, "b" * 64)):
            session.add(
                Invite(
                    therapist_id=therapist_id,
                    token_hash=token,
                    client_name="Someone New",
                    created_at=NOW - timedelta(days=2),
                    expires_at=NOW + timedelta(hours=hours),
                )
            )
    await open_relay_to_client(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW - timedelta(days=1)
    )

    purged = await purge_expired(db, now=NOW)

    assert (purged.invites, purged.pending_inputs) == (1, 1)
    assert await _count(db, Invite) == 1
    assert await _count(db, PendingInput) == 0
