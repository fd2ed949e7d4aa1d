"""The exercise library as each person may see it: the therapist all of it, a client their own
prescription (with its dosage) or the whole library before one, a stranger nothing; and a
client's question about an exercise answered or passed on to the therapist once (both engines)."""

from __future__ import annotations

from sqlalchemy import select

from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import OutboxMessage
from bot.services.exercises import (
    QuestionKind,
    Viewer,
    ViewVerdict,
    answer_exercise_question,
    exercise_menu,
    exercise_view,
    queue_forwarded_question,
)
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.handlers.client_seed import add_client, add_prescription
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=659_001, first_name="Alice")
STRANGER = TgUser(id=659_002, first_name="Sam")
THERAPISTS = frozenset({THERAPIST_ID})
NOW = DEFAULT_NOW


async def _menu_slugs(db: Database, library: ExerciseLibrary, telegram_id: int) -> list[str]:
    menu = await exercise_menu(
        db, library, telegram_id=telegram_id, therapist_ids=THERAPISTS, now=NOW
    )
    return [exercise.slug for exercise in menu.exercises]


async def test_the_therapist_sees_the_whole_library(db: Database, library: ExerciseLibrary) -> None:
    menu = await exercise_menu(
        db, library, telegram_id=THERAPIST_ID, therapist_ids=THERAPISTS, now=NOW
    )
    assert menu.viewer is Viewer.THERAPIST
    assert [e.slug for e in menu.exercises] == [e.slug for e in library.all()]


async def test_a_client_sees_their_prescription_and_before_one_the_whole_library(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE)
    before = await exercise_menu(
        db, library, telegram_id=ALICE.id, therapist_ids=THERAPISTS, now=NOW
    )
    await add_prescription(db, alice, "glute-bridge")
    await add_prescription(db, alice, "clamshell")
    after = await exercise_menu(
        db, library, telegram_id=ALICE.id, therapist_ids=THERAPISTS, now=NOW
    )

    assert (before.viewer, before.prescribed, len(before.exercises)) == (
        Viewer.CLIENT,
        False,
        len(library.all()),
    )
    assert after.prescribed is True
    assert sorted(e.slug for e in after.exercises) == ["clamshell", "glute-bridge"]


async def test_a_prescribed_exercise_shows_the_therapists_dosage_others_the_sheets(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE)
    await add_prescription(db, alice, "glute-bridge", times_per_day=2)

    own = await exercise_view(
        db, library, telegram_id=ALICE.id, therapist_ids=THERAPISTS, slug="glute-bridge", now=NOW
    )
    other = await exercise_view(
        db, library, telegram_id=ALICE.id, therapist_ids=THERAPISTS, slug="dead-bug", now=NOW
    )

    assert own.verdict is ViewVerdict.SHOWN and own.view is not None
    assert (own.view.dosage, own.view.times_per_day, own.view.prescribed) == (
        "2 × 10 reps",
        2,
        True,
    )
    assert other.view is not None and other.view.prescribed is False
    assert other.view.times_per_day == library["dead-bug"].dosage.times_per_day


async def test_a_stranger_sees_no_exercise_and_an_unknown_one_is_said_to_be_unknown(
    db: Database, library: ExerciseLibrary
) -> None:
    await add_client(db, ALICE)

    menu = await exercise_menu(
        db, library, telegram_id=STRANGER.id, therapist_ids=THERAPISTS, now=NOW
    )
    stranger = await exercise_view(
        db, library, telegram_id=STRANGER.id, therapist_ids=THERAPISTS, slug="dead-bug", now=NOW
    )
    unknown = await exercise_view(
        db, library, telegram_id=ALICE.id, therapist_ids=THERAPISTS, slug="moonwalk", now=NOW
    )

    assert (menu.viewer, menu.exercises) == (Viewer.STRANGER, ())
    assert stranger.verdict is ViewVerdict.NOT_ALLOWED and stranger.view is None
    assert unknown.verdict is ViewVerdict.UNKNOWN


async def test_a_question_naming_an_exercise_is_answered_with_it(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE)
    await add_prescription(db, alice, "glute-bridge")

    answer = await answer_exercise_question(
        db, library, telegram_id=ALICE.id, text="how do I do the glute bridge?", now=NOW
    )

    assert answer.kind is QuestionKind.EXACT
    assert answer.view is not None and answer.view.exercise.slug == "glute-bridge"


async def test_a_remark_is_not_taken_for_a_question(db: Database, library: ExerciseLibrary) -> None:
    await add_client(db, ALICE)

    answer = await answer_exercise_question(
        db, library, telegram_id=ALICE.id, text="thanks", now=NOW
    )

    assert answer.kind is QuestionKind.NOT_A_QUESTION
    assert answer.forward is None


async def test_an_unmatched_question_goes_to_the_therapist_once(
    db: Database, library: ExerciseLibrary
) -> None:
    alice = await add_client(db, ALICE, name="Alice Example")
    await add_prescription(db, alice, "glute-bridge")

    first = await answer_exercise_question(
        db, library, telegram_id=ALICE.id, text="What about my knee?", now=NOW
    )
    assert first.kind is QuestionKind.UNMATCHED
    assert [e.slug for e in first.prescribed] == ["glute-bridge"]
    assert first.forward is not None
    assert first.forward.therapist_telegram_id == THERAPIST_ID
    await queue_forwarded_question(
        db, forward=first.forward, question="What about my knee?", now=NOW
    )
    again = await answer_exercise_question(
        db, library, telegram_id=ALICE.id, text="what about my KNEE", now=NOW
    )

    assert again.kind is QuestionKind.UNMATCHED
    assert (again.forward, again.already_forwarded) == (None, True)
    async with db.sessions() as session:
        queued = (
            await session.execute(select(OutboxMessage.chat_id, OutboxMessage.client_id))
        ).all()
    assert queued == [(THERAPIST_ID, alice)]


async def test_someone_who_is_not_a_client_has_nothing_answered(
    db: Database, library: ExerciseLibrary
) -> None:
    answer = await answer_exercise_question(
        db, library, telegram_id=STRANGER.id, text="how do I do the bridge?", now=NOW
    )
    assert answer.kind is QuestionKind.NOT_A_CLIENT
