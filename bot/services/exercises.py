"""The exercise library in the chat: who sees which exercises, with which dosage, and what a
client's free-text question about an exercise leads to (issue 4, parts 4 and 5).

* ``exercise_menu`` — a client's prescribed exercises (or the whole library while nothing is
  prescribed yet, so a new client can still look around); the therapist's whole library.
* ``exercise_view`` — one exercise with the dosage to show: the client's prescribed dosage
  where a prescription is active, the library's default otherwise. Strangers see nothing.
* ``answer_exercise_question`` — a client's typed text matched against the library
  (``bot.domain.exercise_match``), preferring their own prescription. When nothing matches but
  the text is a question about an exercise, it is to be passed on to their therapist — once:
  the same question typed again in a row is not forwarded again (``forwarded_question`` keeps a
  hash of the last one, never the text). No health scoring happens here.
* ``remember_forwarded_question`` — once the forward reached the therapist: records its hash
  (so a failed send is retried when the client asks again) and ties the forwarded message to
  the client, so the therapist can simply reply to it and the answer reaches the client
  (``bot.services.relay``).
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Exercise, ExerciseLibrary
from bot.db import outbox
from bot.db.clients import live_client
from bot.db.engine import Database
from bot.db.models import (
    Client,
    ForwardedQuestion,
    Prescription,
    Therapist,
)
from bot.db.prescriptions import started_prescriptions
from bot.domain.exercise_match import match_exercise
from bot.domain.recipients import Audience
from bot.services.kinds import EXERCISE_QUESTION
from bot.services.prescriptions import dosage_text

__all__ = [
    "ExerciseMenu",
    "ExerciseView",
    "QuestionAnswer",
    "QuestionForward",
    "QuestionKind",
    "ViewResult",
    "ViewVerdict",
    "Viewer",
    "answer_exercise_question",
    "exercise_menu",
    "exercise_view",
    "looks_like_exercise_question",
    "queue_forwarded_question",
]


class Viewer(enum.StrEnum):
    THERAPIST = "therapist"
    CLIENT = "client"
    STRANGER = "stranger"


@dataclass(frozen=True)
class ExerciseMenu:
    viewer: Viewer
    exercises: tuple[Exercise, ...] = ()
    # True: these are the client's prescription; False: the whole library.
    prescribed: bool = False


@dataclass(frozen=True)
class ExerciseView:
    exercise: Exercise
    # The amount, e.g. "3 × 10 reps" (frequency apart, so texts can phrase it).
    dosage: str
    times_per_day: int
    prescribed: bool


class ViewVerdict(enum.StrEnum):
    SHOWN = "shown"
    UNKNOWN = "unknown"  # no such exercise: a stale or forged button
    NOT_ALLOWED = "not_allowed"  # a stranger


@dataclass(frozen=True)
class ViewResult:
    verdict: ViewVerdict
    view: ExerciseView | None = None


class QuestionKind(enum.StrEnum):
    EXACT = "exact"  # `view` is the exercise meant
    AMBIGUOUS = "ambiguous"  # `choices`: 2-3 exercises to choose from, prescribed first
    UNMATCHED = "unmatched"  # a question, but about no exercise we know: `prescribed` listed
    NOT_A_QUESTION = "not_a_question"  # everyday text: nothing to do with the library
    NOT_A_CLIENT = "not_a_client"


@dataclass(frozen=True)
class QuestionForward:
    """Where an unmatched question goes: the client's therapist, labelled with the name."""

    client_id: int
    client_name: str
    therapist_telegram_id: int
    text_hash: str


@dataclass(frozen=True)
class QuestionAnswer:
    kind: QuestionKind
    view: ExerciseView | None = None
    choices: tuple[Exercise, ...] = ()
    prescribed: tuple[Exercise, ...] = ()
    # Set when the question should be passed on now; None when it is not to be (again).
    forward: QuestionForward | None = None
    already_forwarded: bool = False


# Words that make a text a request about an exercise rather than a remark ("thanks", "my back
# is sore today"): only such texts are passed on to the therapist.
QUESTION_WORDS = frozenset(
    {
        "how",
        "what",
        "whats",
        "which",
        "show",
        "explain",
        "remind",
        "stretch",
        "stretches",
        "stretching",
        "exercise",
        "exercises",
        "excercise",
        "excercises",
        "instructions",
        "video",
        "picture",
    }
)


def looks_like_exercise_question(text: str) -> bool:
    """True for "how do I do the thing with the ball?", "show me my stretch"; not for "thanks"."""
    if "?" in text:
        return True
    words = re.findall(r"[a-z]+", text.casefold().replace("'", "").replace("’", ""))
    return any(word in QUESTION_WORDS for word in words)


def question_hash(text: str) -> str:
    """The same question whatever its case, spacing or trailing punctuation."""
    normal = " ".join(re.findall(r"\w+", text.casefold()))
    return hashlib.sha256(normal.encode()).hexdigest()


async def _prescribed(session: AsyncSession, client_id: int, now: datetime) -> list[Prescription]:
    return await started_prescriptions(session, client_id=client_id, now=now)


def _in_library(
    library: ExerciseLibrary, prescriptions: Iterable[Prescription]
) -> dict[str, Prescription]:
    """Active prescriptions by slug; one whose exercise left the library is not offered."""
    return {p.exercise_slug: p for p in prescriptions if p.exercise_slug in library}


def _view(exercise: Exercise, prescription: Prescription | None) -> ExerciseView:
    if prescription is not None:
        return ExerciseView(
            exercise=exercise,
            dosage=prescription.dosage,
            times_per_day=prescription.times_per_day,
            prescribed=True,
        )
    return ExerciseView(
        exercise=exercise,
        dosage=dosage_text(exercise.dosage),
        times_per_day=exercise.dosage.times_per_day,
        prescribed=False,
    )


async def exercise_menu(
    db: Database,
    library: ExerciseLibrary,
    *,
    telegram_id: int,
    therapist_ids: frozenset[int],
    now: datetime,
) -> ExerciseMenu:
    if telegram_id in therapist_ids:
        return ExerciseMenu(Viewer.THERAPIST, library.all())
    async with db.sessions() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return ExerciseMenu(Viewer.STRANGER)
        prescribed = _in_library(library, await _prescribed(session, client.id, now))
    if not prescribed:
        return ExerciseMenu(Viewer.CLIENT, library.all(), prescribed=False)
    return ExerciseMenu(Viewer.CLIENT, tuple(library[slug] for slug in prescribed), prescribed=True)


async def exercise_view(
    db: Database,
    library: ExerciseLibrary,
    *,
    telegram_id: int,
    therapist_ids: frozenset[int],
    slug: str,
    now: datetime,
) -> ViewResult:
    """Any exercise of the library, for the therapist or a client; never for a stranger."""
    exercise = library.get(slug)
    if telegram_id in therapist_ids:
        if exercise is None:
            return ViewResult(ViewVerdict.UNKNOWN)
        return ViewResult(ViewVerdict.SHOWN, _view(exercise, None))
    async with db.sessions() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return ViewResult(ViewVerdict.NOT_ALLOWED)
        if exercise is None:
            return ViewResult(ViewVerdict.UNKNOWN)
        prescribed = _in_library(library, await _prescribed(session, client.id, now))
    return ViewResult(ViewVerdict.SHOWN, _view(exercise, prescribed.get(slug)))


async def answer_exercise_question(
    db: Database, library: ExerciseLibrary, *, telegram_id: int, text: str, now: datetime
) -> QuestionAnswer:
    """What a client's free text asks about the library, and whether to pass it on now."""
    async with db.sessions() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return QuestionAnswer(QuestionKind.NOT_A_CLIENT)
        prescribed = _in_library(library, await _prescribed(session, client.id, now))
        match = match_exercise(text, library, prescribed=tuple(prescribed))
        if match.kind == "exact":
            slug = match.slugs[0]
            view = _view(library[slug], prescribed.get(slug))
            return QuestionAnswer(QuestionKind.EXACT, view=view)
        if match.kind == "ambiguous":
            choices = tuple(library[slug] for slug in match.slugs)
            return QuestionAnswer(QuestionKind.AMBIGUOUS, choices=choices)
        if not looks_like_exercise_question(text):
            return QuestionAnswer(QuestionKind.NOT_A_QUESTION)
        own = tuple(library[slug] for slug in prescribed)
        forward = await _forward_due(session, client, question_hash(text))
        return QuestionAnswer(
            QuestionKind.UNMATCHED,
            prescribed=own,
            forward=forward,
            already_forwarded=forward is None,
        )


async def _forward_due(
    session: AsyncSession, client: Client, text_hash: str
) -> QuestionForward | None:
    """The forward to make, unless this very question was the last one passed on."""
    last = await session.get(ForwardedQuestion, client.id)
    if last is not None and last.text_hash == text_hash:
        return None
    therapist = await session.get(Therapist, client.therapist_id)
    if therapist is None:
        return None
    return QuestionForward(
        client_id=client.id,
        client_name=client.display_name,
        therapist_telegram_id=therapist.telegram_id,
        text_hash=text_hash,
    )


async def queue_forwarded_question(
    db: Database, *, forward: QuestionForward, question: str, now: datetime
) -> None:
    """Queue the question for the client's therapist (the outbox; the dispatcher sends it and
    ties the delivered message to the client, so the therapist's reply goes back) and note it,
    so the same question is not passed on twice."""
    async with db.sessions.begin() as session:
        last = await session.get(ForwardedQuestion, forward.client_id, with_for_update=True)
        if last is None:
            session.add(
                ForwardedQuestion(
                    client_id=forward.client_id, text_hash=forward.text_hash, forwarded_at=now
                )
            )
        else:
            last.text_hash, last.forwarded_at = forward.text_hash, now
        await outbox.enqueue(
            session,
            kind=EXERCISE_QUESTION,
            chat_id=forward.therapist_telegram_id,
            audience=Audience.THERAPIST,
            client_id=forward.client_id,
            payload={"client_name": forward.client_name, "text": question},
            now=now,
        )
