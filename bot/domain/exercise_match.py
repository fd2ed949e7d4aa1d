"""Which exercise a client means when they ask about it in their own words.

Clients rarely type an exercise's title: they write "how do I do the bum stretch?",
"clam shells", "perifomis" or "the bridge one". ``match_exercise`` compares the words of the
question, minus filler, with every exercise's title, aliases, slug and targets, tolerating
misspellings and plurals, and prefers the exercises the client has actually been prescribed.

Three kinds of evidence, strongest first:

* a **name** (title, alias or slug) the question matches — the whole name counts as much as
  the whole question, so "bridge" matches the alias "bridge" fully but "back" matches the
  alias "back flattening" only half;
* a **distinctive word**: a word that appears in the names of only one exercise ("cobra",
  "mckenzie", "nerve") identifies it on its own; everyday body words ("leg", "back") never
  do, so "my leg" is not taken for an exercise;
* a **target** ("piriformis", "glutes"): several exercises share one, so it usually leads to
  a short list to choose from.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from bot.content import Exercise, ExerciseLibrary

__all__ = ["MatchKind", "MatchResult", "match_exercise"]

MatchKind = Literal["exact", "ambiguous", "none"]

# Below this, a question is not about any exercise (tuned on tests/unit/test_exercise_match.py:
# "hello", "thanks!", "my back hurts today" score under 60; real names score 75 and above).
MATCH_THRESHOLD = 72.0
# Exercises scoring within this of the best are equally plausible: ask the client to choose.
AMBIGUITY_MARGIN = 8.0
# A prescribed exercise is what the client most likely means; the bonus exceeds the margin so
# a prescribed exercise beats an equally good unprescribed one outright.
PRESCRIBED_BONUS = 10.0
MAX_CHOICES = 3

# Two words count as the same above this similarity (0-100): "brige"/"bridge" is 91,
# "perifomis"/"piriformis" 84, "cat"/"cut" 67.
WORD_CUTOFF = 75.0
TARGET_WEIGHT = 0.9
DISTINCTIVE_WEIGHT = 0.85
DISTINCTIVE_MIN_LENGTH = 4

# fmt: off
FILLER_WORDS = frozenset({
    "a", "about", "again", "am", "an", "and", "any", "are", "at", "can", "could", "did",
    "do", "does", "doing", "done", "explain", "for", "get", "give", "going", "got", "help",
    "how", "i", "im", "in", "instructions", "is", "it", "its", "just", "like", "me", "my",
    "need", "of", "ok", "okay", "on", "one", "ones", "or", "photo", "picture", "please",
    "pls", "plz", "properly", "remind", "right", "scroll", "see", "should", "show", "so",
    "supposed", "tell", "that", "thats", "the", "these", "thing", "things", "this", "those",
    "to", "video", "want", "was", "way", "what", "whats", "when", "where", "which", "with",
    "would", "you", "your",
})
# fmt: on

# Words that say "an exercise" without saying which; dropped unless the rest is only body
# words, so that "bum stretch" stays a name while "my bum hurts" does not match it.
GENERIC_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "stretch": "stretch",
        "stretching": "stretch",
        "exercise": "exercise",
        "move": "move",
        "moves": "move",
        "movement": "move",
    }
)

# Where it hurts, or the condition itself: such words never identify an exercise on their own.
# fmt: off
BODY_WORDS = frozenset({
    "arm", "back", "body", "bottom", "bum", "butt", "chest", "feet", "floor", "foot",
    "hand", "head", "hip", "knee", "left", "leg", "lower", "neck", "pain", "rest",
    "sciatica", "shoulder", "side", "stomach", "tummy", "upper",
})
# fmt: on

# "strech", "excercises": misspelt generic words are still generic.
GENERIC_MISSPELLING = 85.0
GENERIC_MIN_LENGTH = 5

NUMBER_WORDS: Mapping[str, str] = MappingProxyType({"4": "four", "2": "two", "1": "one"})


@dataclass(frozen=True)
class MatchResult:
    """``exact``: one slug; ``ambiguous``: 2-3 slugs to choose from, prescribed first."""

    kind: MatchKind
    slugs: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    slug: str
    title: str
    score: float
    name_score: float
    prescribed: bool

    @property
    def rank(self) -> float:
        return self.score + (PRESCRIBED_BONUS if self.prescribed else 0.0)


def match_exercise(
    question: str, library: ExerciseLibrary, prescribed: Collection[str] = ()
) -> MatchResult:
    """The exercise(s) a free-text ``question`` most likely refers to."""
    words = _words(question)
    if not words:
        return MatchResult("none")
    exercises = library.all()
    distinctive = _distinctive_words(exercises)
    # "back" or "my knee" is where it hurts, not a request: only a whole name ("bum stretch")
    # made of body words counts.
    only_body_words = all(word in BODY_WORDS or word in GENERIC_WORDS.values() for word in words)
    candidates = []
    for exercise in exercises:
        name_score = max(_similarity(words, _words(name)) for name in _names(exercise))
        if only_body_words:
            score = name_score = _body_words_name_score(words, exercise)
        else:
            target_score = TARGET_WEIGHT * max(
                _similarity(words, _words(target.replace("_", " "))) for target in exercise.targets
            )
            keyword_score = DISTINCTIVE_WEIGHT * _coverage(words, distinctive[exercise.slug])
            score = max(name_score, target_score, keyword_score)
        if score >= MATCH_THRESHOLD:
            candidates.append(
                _Candidate(
                    slug=exercise.slug,
                    title=exercise.title,
                    score=score,
                    name_score=name_score,
                    prescribed=exercise.slug in prescribed,
                )
            )
    if not candidates:
        return MatchResult("none")

    best = max(candidate.rank for candidate in candidates)
    contenders = [c for c in candidates if c.rank >= best - AMBIGUITY_MARGIN]
    if len(contenders) == 1:
        return MatchResult("exact", (contenders[0].slug,))
    contenders.sort(key=lambda c: (not c.prescribed, -c.rank, -c.name_score, c.title.casefold()))
    return MatchResult("ambiguous", tuple(c.slug for c in contenders[:MAX_CHOICES]))


def _names(exercise: Exercise) -> tuple[str, ...]:
    return (exercise.title, exercise.slug.replace("-", " "), *exercise.aliases)


def _body_words_name_score(words: Sequence[str], exercise: Exercise) -> float:
    """100 if body words name the exercise exactly ("knee to chest", "bum stretch"), else 0.

    A generic word is ignored, except that a name which needs one ("bum stretch") is not
    matched without it: "my bum" is a complaint, not a request.
    """
    generic = set(GENERIC_WORDS.values())
    asked = [word for word in words if word not in generic]
    asked_generic = len(asked) < len(words)
    for name in _names(exercise):
        name_words = _words(name)
        specific = [word for word in name_words if word not in generic]
        needs_generic = len(specific) < len(name_words)
        if sorted(specific) == sorted(asked) and (asked_generic or not needs_generic):
            return 100.0
    return 0.0


def _words(text: str) -> tuple[str, ...]:
    """Lower-case word stems without filler: "How do I do the Clam-Shells?" → (clam, shell).

    Generic words ("stretch") are kept only beside body words: "bum stretch" → (bum, stretch).
    """
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    # "child's" → "childs" rather than "child" + "s".
    text = re.sub(r"['’`]", "", text)
    tokens = [NUMBER_WORDS.get(word, word) for word in re.findall(r"[a-z0-9]+", text)]
    tokens = [word for word in tokens if word not in FILLER_WORDS]
    generic = [_generic_form(word) for word in tokens]
    specific = [_stem(word) for word, form in zip(tokens, generic, strict=True) if form is None]
    if specific and all(word in BODY_WORDS for word in specific):
        return (*specific, *(form for form in generic if form is not None))
    return tuple(specific)


def _ratio(first: str, second: str) -> float:
    """rapidfuzz's similarity ratio, 0-100. Imported on first use: a bot (or the scheduling
    engine, which imports this through the reminder texts) that never matches a question to
    an exercise does not hold rapidfuzz in memory."""
    from rapidfuzz import fuzz

    return fuzz.ratio(first, second)


def _generic_form(word: str) -> str | None:
    """ "stretch" for stretch, stretches, strech…; None for a word that names something."""
    if word in GENERIC_WORDS:
        return GENERIC_WORDS[word]
    if len(word) >= GENERIC_MIN_LENGTH:
        for generic in ("stretch", "exercise"):
            if _ratio(word, generic) >= GENERIC_MISSPELLING:
                return generic
    return None


def _stem(word: str) -> str:
    """Just enough stemming for exercise names: flossing → floss, bugs → bug, press stays."""
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    if len(word) >= 3 and word.endswith("s") and word[-2] not in "siu":
        word = word[:-1]
    return word


def _word_similarity(word: str, candidates: Sequence[str]) -> float:
    best = max((_ratio(word, other) for other in candidates), default=0.0)
    return best if best >= WORD_CUTOFF else 0.0


def _coverage(words: Sequence[str], vocabulary: Sequence[str]) -> float:
    """How well, on average, each of ``words`` is found in ``vocabulary`` (0-100)."""
    if not words or not vocabulary:
        return 0.0
    return sum(_word_similarity(word, vocabulary) for word in words) / len(words)


def _similarity(question: Sequence[str], name: Sequence[str]) -> float:
    """0-100: the question and the name cover each other word for word, or spelled as one.

    The run-together comparison catches "clamshells" against "clam shell".
    """
    if not question or not name:
        return 0.0
    run_together = _ratio("".join(question), "".join(name))
    word_for_word = (_coverage(name, question) + _coverage(question, name)) / 2
    return max(run_together, word_for_word)


def _distinctive_words(exercises: Sequence[Exercise]) -> dict[str, tuple[str, ...]]:
    """Per exercise, the words of its names that no other exercise's names use."""
    vocabularies = {
        exercise.slug: {word for name in _names(exercise) for word in _words(name)}
        for exercise in exercises
    }
    usage = Counter(word for vocabulary in vocabularies.values() for word in vocabulary)
    return {
        slug: tuple(
            sorted(
                word
                for word in vocabulary
                if usage[word] == 1
                and len(word) >= DISTINCTIVE_MIN_LENGTH
                and word not in BODY_WORDS
            )
        )
        for slug, vocabulary in vocabularies.items()
    }
