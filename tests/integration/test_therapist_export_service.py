"""The therapist's export: a zip of spreadsheets with their own clients only, each view of a
client's data audited, and nothing a spreadsheet program would run as a formula (both engines)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Audit
from bot.services import audit
from bot.services.checkin import add_pain_note, record_pain_entry
from bot.services.therapist_export import export_all_clients, export_one_client
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.export_files import zip_sheets
from tests.handlers.client_seed import add_client, add_pain_entries
from tests.support.telegram_payloads import TgUser

ZOE = TgUser(id=657_001, first_name="Zoë")
ADAM = TgUser(id=657_002, first_name="Adam")
STRANGER = TgUser(id=657_003, first_name="Sam")
OTHER_THERAPIST = 657_900
NOW = DEFAULT_NOW
SHEETS = {
    "check-ins.csv",
    "adherence-by-week.csv",
    "exercise-answers.csv",
    "exercise-responses.csv",
    "questionnaires.csv",
    "alerts.csv",
}


async def _audited(db: Database) -> list[tuple[int | None, str, int | None]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(Audit.actor_telegram_id, Audit.action, Audit.subject_client_id).order_by(
                Audit.subject_client_id
            )
        )
        return [(actor, action, client) for actor, action, client in rows]


async def test_the_export_holds_every_sheet_for_the_therapists_own_clients_only(
    db: Database,
) -> None:
    zoe = await add_client(db, ZOE, name="Zoë O'Brien")
    adam = await add_client(db, ADAM, name="Adam Ant")
    stranger = await add_client(db, STRANGER, therapist_telegram_id=OTHER_THERAPIST)
    for client in (zoe, adam, stranger):
        await add_pain_entries(db, client, [(date(2026, 5, 30), 4, 2)])

    export = await export_all_clients(db, therapist_telegram_id=THERAPIST_ID, now=NOW)

    sheets = zip_sheets(export.content)
    assert set(sheets) == SHEETS
    assert export.clients == 2
    assert export.filename == f"clients-{NOW.date().isoformat()}.zip"
    # One row per check-in, clients in name order; nobody else's client.
    assert [(r["Client"], r["Date"], r["Leg pain (0-10)"]) for r in sheets["check-ins.csv"]] == [
        ("Adam Ant", "2026-05-30", "4"),
        ("Zoë O'Brien", "2026-05-30", "4"),
    ]
    assert sorted(await _audited(db)) == sorted(
        [(THERAPIST_ID, audit.EXPORT_ALL, adam), (THERAPIST_ID, audit.EXPORT_ALL, zoe)]
    )


async def test_one_clients_export_is_named_for_them_in_safe_characters(db: Database) -> None:
    zoe = await add_client(db, ZOE, name="Zoë O'Brien")
    await add_client(db, ADAM, name="Adam Ant")

    export = await export_one_client(db, therapist_telegram_id=THERAPIST_ID, client_id=zoe, now=NOW)

    assert export is not None
    assert export.filename == f"Zoe-O-Brien-{NOW.date().isoformat()}.zip"
    assert export.clients == 1
    assert await _audited(db) == [(THERAPIST_ID, audit.EXPORT_CLIENT, zoe)]


async def test_another_therapists_client_cannot_be_exported_and_nothing_is_audited(
    db: Database,
) -> None:
    stranger = await add_client(db, STRANGER, therapist_telegram_id=OTHER_THERAPIST)

    export = await export_one_client(
        db, therapist_telegram_id=THERAPIST_ID, client_id=stranger, now=NOW
    )

    assert export is None
    assert await _audited(db) == []


async def test_a_note_that_looks_like_a_formula_is_stored_as_text(db: Database) -> None:
    zoe = await add_client(db, ZOE, name="Zoë O'Brien")
    at = datetime(2026, 5, 31, 19, 0, tzinfo=NOW.tzinfo)
    await record_pain_entry(
        db, telegram_id=ZOE.id, leg=3, back=1, for_day=None, confirm_update=False, now=at
    )
    await add_pain_note(
        db, telegram_id=ZOE.id, text='=HYPERLINK("http://x")', now=at + timedelta(minutes=1)
    )

    export = await export_one_client(db, therapist_telegram_id=THERAPIST_ID, client_id=zoe, now=NOW)

    assert export is not None
    (row,) = zip_sheets(export.content)["check-ins.csv"]
    assert row["Note"] == '\'=HYPERLINK("http://x")'
    assert row["Filled in late"] == "no"
