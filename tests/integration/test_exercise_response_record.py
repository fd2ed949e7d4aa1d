"""The per-exercise response record on both engines: what a reminder press and the leg question
store per exercise, who may answer, and the record in both exports and in erasure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import (
    Delivery,
    DeliveryStatus,
    ExerciseOutcome,
    ExerciseResponse,
    LegResponse,
    Prescription,
    Schedule,
    ScheduleKind,
)
from bot.services.exercise_response import AnswerVerdict, record_leg_answer
from bot.services.privacy import erase_client, export_client_data
from bot.services.reminders import PressVerdict, record_exercise_outcome
from bot.services.therapist_export import export_one_client
from tests.conftest import THERAPIST_ID
from tests.export_files import zip_sheets
from tests.handlers.client_seed import add_client
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=660_001, first_name="Alice")
BOB = TgUser(id=660_002, first_name="Bob")
# Tuesday 2 June 2026, London summer time: 08:00 and 18:00 local are 07:00 and 17:00 UTC.
MORNING = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
EVENING = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 2, 19, 0, tzinfo=UTC)


async def _alice_with_two_sessions(db: Database) -> tuple[int, int, int]:
    """Alice: the bridge twice a day, the clamshell once; returns (client, morning, evening)."""
    client_id = await add_client(db, ALICE)
    async with db.sessions.begin() as session:
        for slug, times in (("glute-bridge", 2), ("clamshell", 1)):
            session.add(
                Prescription(
                    client_id=client_id,
                    exercise_slug=slug,
                    dosage="3 × 10 reps",
                    times_per_day=times,
                    days_mask=127,
                    active_from=MORNING - timedelta(days=7),
                    active_to=None,
                    created_at=MORNING - timedelta(days=7),
                )
            )
        deliveries = []
        for local_time, slot in (("08:00", MORNING), ("18:00", EVENING)):
            schedule = Schedule(
                client_id=client_id,
                kind=ScheduleKind.EXERCISE_REMINDER,
                local_times=local_time,
                timezone="Europe/London",
                created_at=MORNING - timedelta(days=7),
                updated_at=MORNING - timedelta(days=7),
            )
            session.add(schedule)
            await session.flush()
            delivery = Delivery(
                schedule_id=schedule.id,
                slot=slot,
                status=DeliveryStatus.SENT,
                claimed_at=slot,
                sent_at=slot,
            )
            session.add(delivery)
            await session.flush()
            deliveries.append(delivery.id)
    return client_id, deliveries[0], deliveries[1]


async def _record(db: Database, client_id: int) -> dict[tuple[str, datetime], tuple[object, ...]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(ExerciseResponse).where(ExerciseResponse.client_id == client_id)
        )
        return {
            (r.exercise_slug, r.slot): (r.outcome, r.skip_reason, r.leg_response)
            for r in rows.scalars()
        }


async def test_a_reminder_press_is_recorded_for_each_exercise_that_reminder_named(
    db: Database,
) -> None:
    client_id, morning, evening = await _alice_with_two_sessions(db)

    done = await record_exercise_outcome(
        db,
        telegram_id=ALICE.id,
        delivery_id=morning,
        outcome=ExerciseOutcome.DONE,
        skip_reason=None,
        now=NOW,
    )
    skipped = await record_exercise_outcome(
        db,
        telegram_id=ALICE.id,
        delivery_id=evening,
        outcome=ExerciseOutcome.SKIPPED,
        skip_reason="pain",
        now=NOW,
    )

    assert done.verdict is skipped.verdict is PressVerdict.RECORDED
    assert await _record(db, client_id) == {
        ("glute-bridge", MORNING): (ExerciseOutcome.DONE, None, None),
        ("clamshell", MORNING): (ExerciseOutcome.DONE, None, None),
        ("glute-bridge", EVENING): (ExerciseOutcome.SKIPPED, "pain", None),
    }


async def test_one_leg_answer_covers_the_session_and_a_follow_up_names_the_culprit(
    db: Database,
) -> None:
    client_id, morning, _ = await _alice_with_two_sessions(db)
    await record_exercise_outcome(
        db,
        telegram_id=ALICE.id,
        delivery_id=morning,
        outcome=ExerciseOutcome.PARTLY,
        skip_reason=None,
        now=NOW,
    )

    whole = await record_leg_answer(
        db,
        telegram_id=ALICE.id,
        delivery_id=morning,
        leg_response=LegResponse.WORSE,
        exercise_slug=None,
        now=NOW,
    )
    one = await record_leg_answer(
        db,
        telegram_id=ALICE.id,
        delivery_id=morning,
        leg_response=LegResponse.SAME,
        exercise_slug="clamshell",
        now=NOW,
    )

    assert whole.verdict is AnswerVerdict.RECORDED
    assert whole.exercise_slugs == ("glute-bridge", "clamshell")
    assert one.exercise_slugs == ("clamshell",)
    assert await _record(db, client_id) == {
        ("glute-bridge", MORNING): (ExerciseOutcome.PARTLY, None, LegResponse.WORSE),
        ("clamshell", MORNING): (ExerciseOutcome.PARTLY, None, LegResponse.SAME),
    }


async def test_changing_the_press_keeps_the_leg_answer(db: Database) -> None:
    client_id, morning, _ = await _alice_with_two_sessions(db)
    await record_leg_answer(
        db,
        telegram_id=ALICE.id,
        delivery_id=morning,
        leg_response=LegResponse.EASED,
        exercise_slug="glute-bridge",
        now=NOW,
    )
    for outcome in (ExerciseOutcome.DONE, ExerciseOutcome.PARTLY):
        await record_exercise_outcome(
            db,
            telegram_id=ALICE.id,
            delivery_id=morning,
            outcome=outcome,
            skip_reason=None,
            now=NOW,
        )

    record = await _record(db, client_id)
    assert record[("glute-bridge", MORNING)] == (
        ExerciseOutcome.PARTLY,
        None,
        LegResponse.EASED,
    )


async def test_nobody_else_and_no_other_exercise_can_be_answered_for(db: Database) -> None:
    client_id, morning, evening = await _alice_with_two_sessions(db)
    await add_client(db, BOB, name="Bob Example")

    bobs = await record_leg_answer(
        db,
        telegram_id=BOB.id,
        delivery_id=morning,
        leg_response=LegResponse.WORSE,
        exercise_slug=None,
        now=NOW,
    )
    not_in_the_evening = await record_leg_answer(
        db,
        telegram_id=ALICE.id,
        delivery_id=evening,
        leg_response=LegResponse.WORSE,
        exercise_slug="clamshell",
        now=NOW,
    )
    no_such_reminder = await record_leg_answer(
        db,
        telegram_id=ALICE.id,
        delivery_id=evening + 1000,
        leg_response=LegResponse.WORSE,
        exercise_slug=None,
        now=NOW,
    )

    assert bobs.verdict is AnswerVerdict.NOT_YOURS
    assert not_in_the_evening.verdict is AnswerVerdict.UNKNOWN
    assert no_such_reminder.verdict is AnswerVerdict.UNKNOWN
    assert await _record(db, client_id) == {}


async def _answered_morning(db: Database) -> int:
    client_id, morning, _ = await _alice_with_two_sessions(db)
    await record_exercise_outcome(
        db,
        telegram_id=ALICE.id,
        delivery_id=morning,
        outcome=ExerciseOutcome.DONE,
        skip_reason=None,
        now=NOW,
    )
    await record_leg_answer(
        db,
        telegram_id=ALICE.id,
        delivery_id=morning,
        leg_response=LegResponse.SPREAD,
        exercise_slug="glute-bridge",
        now=NOW,
    )
    return client_id


async def test_the_clients_export_holds_their_exercise_responses(db: Database) -> None:
    await _answered_morning(db)

    export = await export_client_data(db, telegram_id=ALICE.id, now=NOW)

    assert export is not None
    document = json.loads(export.json_bytes)
    responses = {r["exercise_slug"]: r for r in document["exercise_responses"]}
    assert responses["glute-bridge"]["leg_response"] == "spread"
    assert responses["glute-bridge"]["outcome"] == "done"
    assert responses["glute-bridge"]["slot"] == MORNING.isoformat()
    assert responses["clamshell"]["leg_response"] is None
    assert [sheet.filename for sheet in export.sheets] == [
        "my-check-ins.csv",
        "my-exercises.csv",
        "my-weekly-questionnaires.csv",
    ]


async def test_the_therapists_export_has_a_line_per_exercise_session(db: Database) -> None:
    client_id = await _answered_morning(db)

    export = await export_one_client(
        db, therapist_telegram_id=THERAPIST_ID, client_id=client_id, now=NOW
    )

    assert export is not None
    responses = zip_sheets(export.content)["exercise-responses.csv"]
    assert sorted(
        (r["Date"], r["Exercise"], r["Answer"], r["Leg afterwards"]) for r in responses
    ) == [
        ("2026-06-02", "clamshell", "done", ""),
        ("2026-06-02", "glute-bridge", "done", "spread"),
    ]


async def test_erasure_removes_the_clients_exercise_responses(db: Database) -> None:
    client_id = await _answered_morning(db)

    erased = await erase_client(
        db, telegram_id=ALICE.id, client_id=client_id, now=NOW, pseudonym_key=b"k" * 32
    )

    assert erased is not None
    async with db.sessions() as session:
        left = await session.scalar(select(func.count()).select_from(ExerciseResponse))
    assert left == 0
