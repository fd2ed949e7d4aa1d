"""A client reads what is stored, takes a copy of it, and has it erased."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select

from bot import texts
from bot.db.engine import Database
from bot.db.models import (
    Alert,
    Audit,
    Base,
    Client,
    ExerciseLog,
    ExerciseOutcome,
    Invite,
    OutcomeMeasure,
    PainEntry,
    Prescription,
    RedFlagEvent,
)
from tests.conftest import FrozenClock
from tests.export_files import sheet_rows
from tests.handlers.journey import latest_with_buttons, onboard, press
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

MakeUser = Callable[..., TgUser]
NOTE = "Sat at my desk all day, the left leg burned by evening"


async def client_id_of(db: Database, user: TgUser) -> int:
    async with db.sessions() as session:
        found = await session.scalar(select(Client.id).where(Client.telegram_id == user.id))
    assert found is not None
    return found


async def give_history(db: Database, client_id: int, clock: FrozenClock) -> None:
    """A few weeks' worth of what the other parts of the bot store about a client."""
    now = clock()
    async with db.sessions.begin() as session:
        prescription = Prescription(
            client_id=client_id,
            exercise_slug="glute-bridge",
            dosage="3 x 10",
            times_per_day=1,
            days_mask=127,
            active_from=now,
            active_to=None,
            created_at=now,
        )
        session.add(prescription)
        await session.flush()
        session.add_all(
            [
                PainEntry(
                    client_id=client_id,
                    day=date(2026, 5, 31),
                    leg=6,
                    back=3,
                    note=NOTE,
                    created_at=now,
                    updated_at=now,
                ),
                ExerciseLog(
                    client_id=client_id,
                    prescription_id=prescription.id,
                    slot=now - timedelta(days=1),
                    outcome=ExerciseOutcome.DONE,
                    logged_at=now,
                ),
                OutcomeMeasure(
                    client_id=client_id,
                    instrument="SBI",
                    period_start=date(2026, 5, 25),
                    items={"leg_pain": 4, "numbness": 2, "weakness": 1, "sitting": 5},
                    total=12,
                    recorded_at=now,
                ),
                RedFlagEvent(
                    client_id=client_id, source="weekly", flags={"both_legs": True}, created_at=now
                ),
                Alert(
                    client_id=client_id,
                    kind="red_flag",
                    severity=3,
                    episode_key="rf-1",
                    evidence={"signs": ["both_legs"]},
                    created_at=now,
                ),
            ]
        )


async def counts_for(db: Database, client_id: int) -> dict[str, int]:
    models = (Prescription, PainEntry, ExerciseLog, OutcomeMeasure, RedFlagEvent, Alert)
    async with db.sessions() as session:
        return {
            model.__tablename__: (
                await session.scalar(
                    select(func.count()).select_from(model).where(model.client_id == client_id)
                )
            )
            or 0
            for model in models
        }


async def test_privacy_says_what_is_stored_who_sees_it_and_how_to_export_or_delete(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, make_user: MakeUser
) -> None:
    user, stranger = make_user("Alex"), make_user("Sam")
    await onboard(bot, botapi, therapist, user)

    botapi.send_command(user, "privacy")
    botapi.send_command(stranger, "privacy")
    await bot.settle()

    text = botapi.last_text(user.id)
    assert "What I store" in text and "Who sees it" in text
    assert "/export" in text and "/delete" in text
    assert "nothing stored about you" in botapi.last_text(stranger.id)


async def test_export_sends_readable_spreadsheets_and_a_json_of_everything_and_is_audited(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
    clock: FrozenClock,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    client_id = await client_id_of(db, user)
    await give_history(db, client_id, clock)

    mark = botapi.mark()
    botapi.send_command(user, "export")
    await bot.settle()

    documents = botapi.calls("sendDocument", chat_id=user.id, after=mark)
    assert [d.files["document"].filename for d in documents] == [  # type: ignore[attr-defined]
        "my-check-ins.csv",
        "my-exercises.csv",
        "my-weekly-questionnaires.csv",
        "my-sciatica-data.json",
    ]
    exported = json.loads(documents[-1].files["document"])
    assert exported["profile"]["display_name"] == "Alex Smith"
    assert exported["pain_entries"][0]["note"] == NOTE
    assert exported["pain_entries"][0]["leg"] == 6
    assert exported["prescriptions"][0]["exercise_slug"] == "glute-bridge"
    assert exported["exercise_logs"][0]["outcome"] == "done"
    assert exported["questionnaires"][0]["total"] == 12
    assert exported["red_flag_events"][0]["flags"] == {"both_legs": True}
    assert exported["alerts"][0]["kind"] == "red_flag"
    check_ins = sheet_rows(documents[0].files["document"])
    assert check_ins == [
        {
            "Date": "2026-05-31",
            "Leg pain (0-10)": "6",
            "Back pain (0-10)": "3",
            "Note": NOTE,
            "Filled in late": "yes",
        }
    ]
    [questionnaire] = sheet_rows(documents[2].files["document"])
    assert questionnaire["Week starting"] == "2026-05-25"
    assert questionnaire["Filled in on"] == clock().date().isoformat()
    assert questionnaire["Total (0-24)"] == "12"
    async with db.sessions() as session:
        audit = (await session.execute(select(Audit))).scalars().all()
    assert [
        (a.action, a.actor_telegram_id, a.subject_client_id)
        for a in audit
        if a.action != "disclosed"  # the therapist being told the client joined
    ] == [("client_export", user.id, client_id)]


async def test_delete_asks_first_and_cancel_keeps_everything(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
    clock: FrozenClock,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    client_id = await client_id_of(db, user)
    await give_history(db, client_id, clock)
    before = await counts_for(db, client_id)

    botapi.send_command(user, "delete")
    await bot.settle()
    assert "cannot be undone" in botapi.last_text(user.id)
    await press(bot, botapi, user, "Cancel")

    assert "nothing was erased" in botapi.last_text(user.id)
    assert await counts_for(db, client_id) == before


async def test_delete_erases_every_row_keeps_a_minimal_audit_and_tells_the_therapist(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
    clock: FrozenClock,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    client_id = await client_id_of(db, user)
    await give_history(db, client_id, clock)
    botapi.send_command(user, "delete")
    await bot.settle()

    query_id = await press(bot, botapi, user, "Yes, erase everything")

    assert query_id in botapi.answered_callback_ids()
    assert "has been erased" in botapi.last_text(user.id)
    await botapi.wait_for(
        "sendMessage", chat_id=therapist.id, predicate=lambda c: "has left" in (c.text or "")
    )
    assert "Alex Smith has left" in botapi.last_text(therapist.id)
    async with db.sessions() as session:
        left = {
            name: (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for name, table in Base.metadata.tables.items()
        }
        audit = (await session.execute(select(Audit))).scalars().all()
    erased_tables = (
        "client",
        "prescription",
        "pain_entry",
        "exercise_log",
        "outcome_measure",
        "red_flag_event",
        "alert",
        "schedule",
        "delivery",
        "pending_input",
        "invite",
    )
    for table in erased_tables:
        assert left[table] == 0, table
    # Ids and action only, the erased client as a pseudonym (no id to link back to them); the
    # earlier disclosure "client joined" to their therapist is kept the same way.
    assert [(a.action, a.subject_client_id, a.actor_telegram_id, a.detail) for a in audit] == [
        ("disclosed", None, therapist.id, "client_joined"),
        ("client_erased", None, None, ""),
    ]
    erasure = audit[-1]
    assert erasure.subject_pseudonym == erasure.actor_pseudonym
    assert (erasure.subject_pseudonym or "").startswith("p1:")
    assert audit[0].subject_pseudonym == erasure.subject_pseudonym
    assert botapi.my_commands({"type": "chat", "chat_id": user.id}) == []

    # They are a stranger now: the bot says so and stores nothing.
    botapi.send_text(user, "hello?")
    await bot.settle()
    assert "invite link" in botapi.last_text(user.id)


async def test_a_forged_delete_button_for_another_client_erases_nothing(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    alex, bea = make_user("Alex"), make_user("Bea")
    await onboard(bot, botapi, therapist, alex, name="Alex Smith")
    await onboard(bot, botapi, therapist, bea, name="Bea Jones")
    bea_id = await client_id_of(db, bea)
    botapi.send_command(alex, "delete")
    await bot.settle()
    message = latest_with_buttons(botapi, alex.id)

    query_id = botapi.forge_press(alex, f"del:yes:{bea_id}", message["message_id"])
    await bot.settle()

    assert botapi.callback_answer(query_id).get("text", "") == texts.STALE_BUTTON
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Client)) == 2
        assert await session.scalar(select(func.count()).select_from(Invite)) == 2
