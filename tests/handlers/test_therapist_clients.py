"""The therapist's client list, client card, pause, per-client export — and the audit trail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Audit, Client, ClientStatus, ExerciseOutcome, Schedule
from bot.services import audit
from tests.conftest import DEFAULT_NOW
from tests.export_files import zip_sheets
from tests.handlers.client_seed import (
    add_client,
    add_exercise_slots,
    add_pain_entries,
    add_prescription,
)
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=630_001, first_name="Alice")
BOB = TgUser(id=630_002, first_name="Bob")
TODAY = DEFAULT_NOW.date()


async def _seed(db: Database) -> tuple[int, int]:
    alice = await add_client(db, ALICE, name="Alice Example")
    bob = await add_client(db, BOB, name="Bob Stable")
    # Alice: leg pain rising, few exercises done. Bob: steady, everything done.
    await add_pain_entries(
        db,
        alice,
        [
            (TODAY - timedelta(days=d), leg, 3)
            for d, leg in [(9, 3), (8, 3), (7, 3), (2, 6), (1, 7)]
        ],
    )
    await add_pain_entries(db, bob, [(TODAY - timedelta(days=d), 3, 2) for d in (9, 8, 7, 2, 1)])
    await add_pain_entries(db, alice, [(TODAY, 8, 4)])
    slots = [DEFAULT_NOW - timedelta(days=d) for d in range(1, 7)]
    await add_exercise_slots(db, alice, [(s, ExerciseOutcome.SKIPPED) for s in slots])
    await add_exercise_slots(db, bob, [(s, ExerciseOutcome.DONE) for s in slots])
    await add_prescription(db, alice)
    await add_prescription(db, bob)
    return alice, bob


async def _audits(db: Database, action: str) -> list[int | None]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(Audit.subject_client_id).where(Audit.action == action).order_by(Audit.id)
        )
        return list(rows.scalars())


async def test_clients_lists_everyone_with_the_ones_needing_attention_first(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    alice, bob = await _seed(db)
    mark = botapi.mark()
    botapi.send_command(therapist, "clients")
    await bot.settle()
    reply = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)[-1]
    text = reply.text or ""
    assert text.index("Alice Example") < text.index("Bob Stable")
    assert "⚠️ Alice Example" in text
    assert "⚠️ Bob" not in text
    # Last week's adherence, the figure the weekly summary shows for the same week.
    assert "adherence last wk 0 %, this wk – so far" in text
    assert "Bob Stable · 100 % last wk" in text
    assert "leg 8/10 ↑" in text
    assert (
        "(✓ today)" in text
        and "Bob Stable · 100 % last wk · leg 3/10 → · not checked in today" in text
    )
    assert botapi.callback_buttons(reply) == [
        ("⚠️ Alice Example", f"client:open:{alice}"),
        ("Bob Stable", f"client:open:{bob}"),
    ]
    assert sorted(await _audits(db, audit.VIEW_CLIENT_LIST)) == sorted([alice, bob])


async def test_client_by_fuzzy_name_shows_the_card_with_a_pain_chart_and_is_audited(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    alice, _ = await _seed(db)
    mark = botapi.mark()
    botapi.send_command(therapist, "client", "alise")
    await bot.settle()
    card = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)[-1]
    assert "Alice Example" in (card.text or "")
    assert "Adherence by week" in (card.text or "")
    assert [label for label, _ in botapi.callback_buttons(card)] == [
        "💊 Prescribe",
        "⏸ Pause",
        "✉️ Message",
        "📄 Export CSV",
        "⏰ Times",
        "📝 All notes",
    ]
    photo = botapi.calls("sendPhoto", chat_id=therapist.id, after=mark)
    assert len(photo) == 1
    assert next(iter(photo[0].files.values())).startswith(b"\x89PNG")
    assert await _audits(db, audit.VIEW_CLIENT) == [alice]


async def test_a_name_matching_nobody_says_so(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await _seed(db)
    mark = botapi.mark()
    botapi.send_command(therapist, "client", "Zebedee")
    await bot.settle()
    assert "No client of yours matches" in botapi.last_text(therapist.id)
    assert not botapi.calls("sendPhoto", after=mark)


async def test_open_button_from_the_list_shows_that_clients_card(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    _, bob = await _seed(db)
    botapi.send_command(therapist, "clients")
    await bot.settle()
    listing = botapi.calls("sendMessage", chat_id=therapist.id)[-1]
    mark = botapi.mark()
    query_id = botapi.press(therapist, listing, f"client:open:{bob}")
    await bot.settle()
    assert query_id in botapi.answered_callback_ids()
    texts = [c.text or "" for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)]
    assert any("Bob Stable" in text for text in texts)


async def test_pause_from_the_card_stops_reminders_and_tells_the_client(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    alice, _ = await _seed(db)
    botapi.send_command(therapist, "client", "Alice")
    await bot.settle()
    card = botapi.calls("sendMessage", chat_id=therapist.id)[-1]
    botapi.press_button(therapist, card, "Pause")
    await bot.settle()
    assert "paused" in botapi.last_text(therapist.id)
    assert "paused your reminders" in botapi.last_text(ALICE.id)
    async with db.sessions() as session:
        client = await session.get(Client, alice)
        assert client is not None and client.status is ClientStatus.PAUSED
        fires = (
            await session.execute(select(Schedule.next_fire_at).where(Schedule.client_id == alice))
        ).scalars()
        assert all(fire is None for fire in fires)


async def test_after_pause_the_card_offers_resume_and_pressing_it_resumes(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    alice, _ = await _seed(db)
    botapi.send_command(therapist, "client", "Alice")
    await bot.settle()
    card = botapi.calls("sendMessage", chat_id=therapist.id)[-1]
    botapi.press_button(therapist, card, "Pause")
    await bot.settle()

    # The bot says "Press Resume on the card": the card must show it.
    assert card.message_id is not None
    labels = [label for label, _ in botapi.buttons(botapi.message(therapist.id, card.message_id))]
    assert "▶️ Resume" in labels and "⏸ Pause" not in labels
    botapi.press_button(therapist, card, "Resume")
    await bot.settle()
    assert "back on" in botapi.last_text(therapist.id)
    labels = [label for label, _ in botapi.buttons(botapi.message(therapist.id, card.message_id))]
    assert "⏸ Pause" in labels
    async with db.sessions() as session:
        client = await session.get(Client, alice)
        assert client is not None and client.status is ClientStatus.ACTIVE


async def test_export_from_the_card_sends_that_clients_csv_only_and_audits_it(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    alice, _ = await _seed(db)
    botapi.send_command(therapist, "client", "Alice")
    await bot.settle()
    card = botapi.calls("sendMessage", chat_id=therapist.id)[-1]
    mark = botapi.mark()
    botapi.press_button(therapist, card, "Export")
    await bot.settle()
    document = botapi.calls("sendDocument", chat_id=therapist.id, after=mark)[0]
    upload = next(iter(document.files.values()))
    assert upload.filename == "Alice-Example-2026-06-01.zip"  # type: ignore[attr-defined]
    sheets = zip_sheets(upload)
    assert {row["Client"] for rows in sheets.values() for row in rows} == {"Alice Example"}
    assert any(row["Leg pain (0-10)"] == "8" for row in sheets["check-ins.csv"])
    assert sheets["adherence-by-week.csv"]
    assert await _audits(db, audit.EXPORT_CLIENT) == [alice]


async def test_therapist_export_has_every_client_and_one_audit_row_each(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    alice, bob = await _seed(db)
    mark = botapi.mark()
    botapi.send_command(therapist, "export")
    await bot.settle()
    document = botapi.calls("sendDocument", chat_id=therapist.id, after=mark)[0]
    sheets = zip_sheets(next(iter(document.files.values())))
    assert {row["Client"] for row in sheets["check-ins.csv"]} == {"Alice Example", "Bob Stable"}
    adherence = {row["Client"]: row["Adherence %"] for row in sheets["adherence-by-week.csv"]}
    assert adherence["Bob Stable"] == "100"
    assert sorted(await _audits(db, audit.EXPORT_ALL)) == sorted([alice, bob])
