"""Clients ask about exercises in their own words; the bot works out which one they mean."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import ExerciseLibrary, load_library
from bot.domain.exercise_match import MatchResult, match_exercise

REAL_LIBRARY = Path(__file__).resolve().parents[2] / "content" / "exercises"

SUPINE = "supine-piriformis-stretch"
SEATED = "seated-piriformis-stretch"
KNEE_ACROSS = "knee-to-opposite-shoulder"


@pytest.fixture(scope="module")
def library() -> ExerciseLibrary:
    return load_library(REAL_LIBRARY)


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        # Titles, with and without the chatter around them.
        ("Glute bridge", "glute-bridge"),
        ("how do I do the glute bridge?", "glute-bridge"),
        ("can you show me the clamshell exercise again", "clamshell"),
        ("Dead bug", "dead-bug"),
        ("what's the pelvic tilt", "pelvic-tilt"),
        ("Child's pose", "childs-pose"),
        ("childs pose", "childs-pose"),
        ("seated piriformis stretch", SEATED),
        ("knee to opposite shoulder", KNEE_ACROSS),
        ("prone press up", "prone-press-up"),
        ("sciatic nerve glide", "sciatic-nerve-glide"),
        ("kneeling hip flexor stretch", "kneeling-hip-flexor-stretch"),
        # What clients actually call them.
        ("my bum stretch", SUPINE),
        ("the bridge one", "glute-bridge"),
        ("bridges", "glute-bridge"),
        ("hip raise", "glute-bridge"),
        ("cobra thing", "prone-press-up"),
        ("the cobra", "prone-press-up"),
        ("press ups", "prone-press-up"),
        ("McKenzie", "prone-press-up"),
        ("nerve flossing", "sciatic-nerve-glide"),
        ("nerve floss", "sciatic-nerve-glide"),
        ("nerve sliders", "sciatic-nerve-glide"),
        ("figure four", SUPINE),
        ("figure 4 stretch", SUPINE),
        ("the chair stretch", SEATED),
        ("sitting bum stretch", SEATED),
        ("hip flexor", "kneeling-hip-flexor-stretch"),
        ("hip flexor stretch please", "kneeling-hip-flexor-stretch"),
        ("lunge stretch", "kneeling-hip-flexor-stretch"),
        ("psoas", "kneeling-hip-flexor-stretch"),
        ("clamshells", "clamshell"),
        ("dead bugs", "dead-bug"),
        ("bird dog", "bird-dog"),
        ("opposite arm and leg", "bird-dog"),
        ("cat cow", "cat-camel"),
        ("cat and camel", "cat-camel"),
        ("angry cat", "cat-camel"),
        ("tummy tuck", "pelvic-tilt"),
        ("knee to chest", "single-knee-to-chest"),
        ("knees to chest stretch", "single-knee-to-chest"),
        ("knee hug", "single-knee-to-chest"),
        ("prayer stretch", "childs-pose"),
        # Misspellings, run-together and split words.
        ("glute brige", "glute-bridge"),
        ("clam shells", "clamshell"),
        ("clamshel", "clamshell"),
        ("deadbugs", "dead-bug"),
        ("birddog", "bird-dog"),
        ("hip flexers", "kneeling-hip-flexor-stretch"),
        ("pelvic tilts", "pelvic-tilt"),
        ("sciatic nerve glides", "sciatic-nerve-glide"),
        ("bird-dogs!!", "bird-dog"),
        ("Cat–Camel", "cat-camel"),
    ],
)
def test_a_question_in_the_clients_own_words_finds_the_exercise(
    library: ExerciseLibrary, question: str, slug: str
) -> None:
    assert match_exercise(question, library) == MatchResult("exact", (slug,))


@pytest.mark.parametrize(
    "question",
    ["how do I do the piriformis stretch?", "piriformis", "perifomis", "perifomis strech"],
)
def test_a_piriformis_question_finds_the_piriformis_stretch_the_client_was_given(
    library: ExerciseLibrary, question: str
) -> None:
    assert match_exercise(question, library, prescribed=[SEATED]) == MatchResult("exact", (SEATED,))
    assert match_exercise(question, library, prescribed=[SUPINE]) == MatchResult("exact", (SUPINE,))


@pytest.mark.parametrize("question", ["piriformis", "the piriformis one", "perifomis"])
def test_piriformis_alone_offers_both_piriformis_stretches_when_neither_is_prescribed(
    library: ExerciseLibrary, question: str
) -> None:
    result = match_exercise(question, library)

    assert result.kind == "ambiguous"
    assert {SUPINE, SEATED} <= set(result.slugs)
    assert len(result.slugs) <= 3


def test_when_two_prescribed_exercises_fit_equally_the_client_chooses_between_them(
    library: ExerciseLibrary,
) -> None:
    result = match_exercise("piriformis", library, prescribed=[SUPINE, SEATED])

    assert result.kind == "ambiguous"
    assert set(result.slugs) == {SUPINE, SEATED}


def test_a_body_area_narrows_to_the_clients_own_exercises_for_it(
    library: ExerciseLibrary,
) -> None:
    result = match_exercise("glutes", library, prescribed=["clamshell", "bird-dog"])

    assert result.kind == "ambiguous"
    assert set(result.slugs) == {"clamshell", "bird-dog"}


def test_a_body_area_leads_to_the_one_prescribed_exercise_for_it(library: ExerciseLibrary) -> None:
    result = match_exercise("glutes", library, prescribed=["clamshell", "pelvic-tilt"])

    assert result == MatchResult("exact", ("clamshell",))


def test_a_body_area_offers_at_most_three_choices(library: ExerciseLibrary) -> None:
    result = match_exercise("core", library)

    assert result.kind == "ambiguous"
    assert 2 <= len(result.slugs) <= 3
    assert len(set(result.slugs)) == len(result.slugs)
    assert all(slug in library for slug in result.slugs)


def test_a_clearly_named_exercise_wins_even_if_another_is_prescribed(
    library: ExerciseLibrary,
) -> None:
    result = match_exercise("clamshells", library, prescribed=["glute-bridge"])

    assert result == MatchResult("exact", ("clamshell",))


def test_a_prescribed_slug_missing_from_the_library_is_ignored(library: ExerciseLibrary) -> None:
    result = match_exercise("bird dog", library, prescribed=["retired-exercise"])

    assert result == MatchResult("exact", ("bird-dog",))


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "Hi!",
        "thanks!",
        "thank you so much",
        "🙂",
        "👍",
        "",
        "   ",
        "?",
        "ok",
        "yes",
        "done",
        "stop",
        "my back hurts today",
        "my back",
        "back",
        "my leg",
        "my bum hurts",
        "lower back pain",
        "my sciatica is bad today",
        "sciatica",
        "both legs are numb",
        "numbness between my legs",
        "I can't control my bladder",
        "what time is my next reminder?",
        "how many should I do?",
        "stretch",
        "my exercises",
        "/start",
        "pain 7 today",
    ],
)
def test_messages_that_are_not_about_an_exercise_match_nothing(
    library: ExerciseLibrary, text: str
) -> None:
    assert match_exercise(text, library) == MatchResult("none")


def test_a_prescription_never_turns_small_talk_into_an_exercise(library: ExerciseLibrary) -> None:
    everything = [exercise.slug for exercise in library.all()]

    assert match_exercise("my back hurts today", library, prescribed=everything).kind == "none"
    assert match_exercise("hello", library, prescribed=everything).kind == "none"


def test_every_title_and_alias_in_the_library_finds_its_own_exercise(
    library: ExerciseLibrary,
) -> None:
    for exercise in library.all():
        for name in (exercise.title, *exercise.aliases):
            result = match_exercise(name, library, prescribed=[exercise.slug])
            assert result == MatchResult("exact", (exercise.slug,)), name
