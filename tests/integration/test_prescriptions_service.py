"""Prescribing: a draft built press by press, confirmed into the client's prescription (history
kept, the client told), edited from what they have, stopped; a press for another client's draft
or another therapist's client changes nothing (both engines)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import OutboxMessage, Prescription
from bot.services.prescriptions import (
    DRAFT_TTL,
    Days,
    PrescribedLine,
    PrescriptionChange,
    Variant,
    change_one_exercise,
    confirm_draft,
    current_draft,
    edit_draft,
    prescribed_dosage,
    start_draft,
    stop_prescription,
)
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.handlers.client_seed import add_client
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=660_001, first_name="Alice")
BOB = TgUser(id=660_002, first_name="Bob")
OTHER_THERAPIST = 660_900
NOW = DEFAULT_NOW
LATER = NOW + timedelta(hours=1)


def notice(change: PrescriptionChange) -> str:
    return f"{len(change.current)} exercise(s)"


async def _prescribe(
    db: Database,
    library: ExerciseLibrary,
    client_id: int,
    slugs: list[str],
    *,
    times_per_day: int = 1,
    days: Days = Days.EVERY_DAY,
    now: datetime = NOW,
) -> PrescriptionChange | None:
    await start_draft(
        db, therapist_telegram_id=THERAPIST_ID, client_id=client_id, library=library, now=now
    )
    for slug in slugs:
        await edit_draft(
            db,
            therapist_telegram_id=THERAPIST_ID,
            client_id=client_id,
            library=library,
            now=now,
            toggle=slug,
        )
    await edit_draft(
        db,
        therapist_telegram_id=THERAPIST_ID,
        client_id=client_id,
        library=library,
        now=now,
        times_per_day=times_per_day,
        days=days,
    )
    return await confirm_draft(
        db,
        therapist_telegram_id=THERAPIST_ID,
        client_id=client_id,
        library=library,
        now=now,
        notice=notice,
    )


async def _lines(db: Database, client_id: int) -> list[tuple[str, str, bool]]:
    """(exercise, dosage, still active) for every prescription line ever written."""
    async with db.sessions() as session:
        rows = await session.execute(
            select(Prescription.exercise_slug, Prescription.dosage, Prescription.active_to)
            .where(Prescription.client_id == client_id)
            .order_by(Prescription.id)
        )
        return [(slug, dosage, active_to is None) for slug, dosage, active_to in rows]


async def _notices(db: Database) -> list[tuple[int | None, str]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.payload).order_by(OutboxMessage.id)
        )
        return [(chat, payload["text"]) for chat, payload in rows]


async def test_a_confirmed_draft_becomes_the_prescription_and_the_client_is_told(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE)

    change = await _prescribe(
        db, library, alice, ["glute-bridge", "clamshell"], times_per_day=2, days=Days.WEEKDAYS
    )

    bridge = prescribed_dosage(library["glute-bridge"], Variant.DEFAULT)
    clamshell = prescribed_dosage(library["clamshell"], Variant.DEFAULT)
    assert change is not None
    assert change.added == (
        PrescribedLine("glute-bridge", bridge),
        PrescribedLine("clamshell", clamshell),
    )
    assert (change.times_per_day, change.days) == (2, Days.WEEKDAYS)
    assert change.reminder_times == (time(8, 0), time(19, 0))
    assert await _lines(db, alice) == [
        ("glute-bridge", bridge, True),
        ("clamshell", clamshell, True),
    ]
    assert await _notices(db) == [(ALICE.id, "2 exercise(s)")]
    # The draft is gone once confirmed.
    assert (
        await current_draft(db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW)
        is None
    )


async def test_editing_starts_from_the_current_prescription_and_keeps_its_history(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE)
    await _prescribe(db, library, alice, ["glute-bridge", "clamshell"], days=Days.WEEKDAYS)

    draft = await start_draft(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, library=library, now=LATER
    )
    assert draft is not None
    assert (draft.selected, draft.days) == (("glute-bridge", "clamshell"), Days.WEEKDAYS)
    await edit_draft(
        db,
        therapist_telegram_id=THERAPIST_ID,
        client_id=alice,
        library=library,
        now=LATER,
        variant=("glute-bridge", Variant.HARDER),
    )
    change = await confirm_draft(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, library=library, now=LATER
    )

    harder = prescribed_dosage(library["glute-bridge"], Variant.HARDER)
    assert change is not None
    assert change.changed == (PrescribedLine("glute-bridge", harder),)
    assert (change.added, change.removed) == ((), ())
    lines = await _lines(db, alice)
    assert [line for line in lines if line[0] == "glute-bridge"] == [
        ("glute-bridge", prescribed_dosage(library["glute-bridge"], Variant.DEFAULT), False),
        ("glute-bridge", harder, True),
    ]


async def test_a_press_for_another_clients_draft_changes_nothing(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE)
    bob = await add_client(db, BOB)
    await start_draft(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, library=library, now=NOW
    )

    edited = await edit_draft(
        db,
        therapist_telegram_id=THERAPIST_ID,
        client_id=bob,
        library=library,
        now=NOW,
        toggle="glute-bridge",
    )
    confirmed = await confirm_draft(
        db, therapist_telegram_id=THERAPIST_ID, client_id=bob, library=library, now=NOW
    )

    assert (edited, confirmed) == (None, None)
    assert await _lines(db, bob) == []


async def test_another_therapists_client_cannot_be_prescribed_for(
    db: Database, library: ExerciseLibrary
) -> None:
    bob = await add_client(db, BOB, therapist_telegram_id=OTHER_THERAPIST)

    assert (
        await start_draft(
            db, therapist_telegram_id=THERAPIST_ID, client_id=bob, library=library, now=NOW
        )
        is None
    )
    assert (
        await stop_prescription(db, therapist_telegram_id=THERAPIST_ID, client_id=bob, now=NOW)
        is None
    )


async def test_a_draft_left_for_a_day_is_gone(db: Database, library: ExerciseLibrary) -> None:
    alice = await add_client(db, ALICE)
    await start_draft(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, library=library, now=NOW
    )

    stale = NOW + DRAFT_TTL + timedelta(minutes=1)
    assert (
        await edit_draft(
            db,
            therapist_telegram_id=THERAPIST_ID,
            client_id=alice,
            library=library,
            now=stale,
            toggle="glute-bridge",
        )
        is None
    )


async def test_more_than_six_exercises_is_flagged_and_two_to_four_is_the_workable_range(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE)
    await start_draft(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, library=library, now=NOW
    )
    draft = None
    flags = []
    for exercise in library.all()[:7]:
        draft = await edit_draft(
            db,
            therapist_telegram_id=THERAPIST_ID,
            client_id=alice,
            library=library,
            now=NOW,
            toggle=exercise.slug,
        )
        assert draft is not None
        flags.append((len(draft.selected), draft.outside_workable, draft.too_many))

    assert flags == [
        (1, True, False),
        (2, False, False),
        (3, False, False),
        (4, False, False),
        (5, True, False),
        (6, True, False),
        (7, True, True),
    ]


async def test_stopping_ends_every_line_and_tells_the_client_only_when_something_stopped(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE)
    bob = await add_client(db, BOB)
    await _prescribe(db, library, alice, ["glute-bridge"])

    stopped = await stop_prescription(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=LATER, notice=notice
    )
    nothing = await stop_prescription(
        db, therapist_telegram_id=THERAPIST_ID, client_id=bob, now=LATER, notice=notice
    )

    assert stopped is not None and stopped.removed == ("glute-bridge",)
    assert stopped.reminder_times == ()
    assert [active for _, _, active in await _lines(db, alice)] == [False]
    assert nothing is not None and not nothing.anything_changed
    assert await _notices(db) == [(ALICE.id, "1 exercise(s)"), (ALICE.id, "0 exercise(s)")]


async def test_one_exercise_moves_a_rung_or_stops_and_the_rest_stay(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE)
    await _prescribe(db, library, alice, ["glute-bridge", "clamshell"], times_per_day=2)

    eased = await change_one_exercise(
        db,
        therapist_telegram_id=THERAPIST_ID,
        client_id=alice,
        exercise_slug="clamshell",
        variant=Variant.EASIER,
        library=library,
        now=LATER,
    )
    stopped = await change_one_exercise(
        db,
        therapist_telegram_id=THERAPIST_ID,
        client_id=alice,
        exercise_slug="glute-bridge",
        variant=None,
        library=library,
        now=LATER + timedelta(minutes=1),
    )
    not_prescribed = await change_one_exercise(
        db,
        therapist_telegram_id=THERAPIST_ID,
        client_id=alice,
        exercise_slug="dead-bug",
        variant=Variant.HARDER,
        library=library,
        now=LATER,
    )

    easier = prescribed_dosage(library["clamshell"], Variant.EASIER)
    assert eased is not None and eased.changed == (PrescribedLine("clamshell", easier),)
    assert eased.times_per_day == 2
    assert stopped is not None and stopped.removed == ("glute-bridge",)
    assert stopped.current == (PrescribedLine("clamshell", easier),)
    assert not_prescribed is None
