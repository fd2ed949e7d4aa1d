"""The exercise library: loads and validates ``content/exercises/*.md``.

Each exercise is one Markdown file named ``<slug>.md`` with YAML front matter and a body of
numbered steps, plus a PNG diagram beside it::

    ---
    slug: glute-bridge
    title: Glute bridge
    aliases: [bridge, hip raise]
    targets: [glutes, core]
    purpose: Strengthens the glutes so the lower back does less of the work.
    dosage: {sets: 3, reps: 10, times_per_day: 1}
    image: glute-bridge.png
    cautions: [Keep your back from arching at the top.]
    stop_if: [Pain spreads further down your leg.]
    ---
    1. Lie on your back with your knees bent.
    2. Squeeze your buttocks and lift your hips.

``dosage`` takes ``sets``, ``times_per_day``, at least one of ``reps`` / ``hold_seconds``, and
an optional ``each_side: true`` for one-sided exercises.

An optional ``ladder`` gives the progression a therapist steps a client along: an ``easier``
and a ``harder`` dosage around the default, each with ``sets`` and ``reps`` and/or
``hold_seconds`` (and ``each_side``, which otherwise follows the default); how many times a
day is chosen when prescribing. The harder step may be a named variant with a one-line
``how``, e.g. the bridge's single-leg bridge::

    ladder:
      easier: {sets: 2, reps: 8}
      harder: {name: Single-leg bridge, how: Lift with one leg only., sets: 3, reps: 8,
               each_side: true}

An easier step may ask no more than the default in sets, reps or hold, and a harder step no
less, unless it is a named variant (a different movement is harder in another way). Without
a ladder, the steps are derived from the default (one set fewer or more, shorter or longer
holds). A step may continue on following
lines indented by at least one space. Anything else in the body is reported, so no
instruction a therapist wrote is silently left out of what the client sees.

``check_library`` reports every problem at once (for ``python -m bot content check`` and the
tests); ``load_library`` refuses to start the bot on a library with any problem.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "KNOWN_TARGETS",
    "ContentError",
    "ContentProblem",
    "Dosage",
    "Exercise",
    "ExerciseLibrary",
    "Ladder",
    "check_library",
    "load_library",
]

KNOWN_TARGETS: frozenset[str] = frozenset(
    {
        "piriformis",
        "glutes",
        "hip_flexors",
        "lower_back",
        "core",
        "hamstrings",
        "sciatic_nerve",
        "spine_mobility",
    }
)

# Ranges a therapist would recognise as plausible; anything outside is almost certainly a typo
# (e.g. "hold_seconds: 3000" for 30).
SETS_RANGE = (1, 10)
REPS_RANGE = (1, 50)
HOLD_SECONDS_RANGE = (5, 300)
TIMES_PER_DAY_RANGE = (1, 6)

# Telegram shows photos well between these sizes; below 200 px a diagram is illegible.
IMAGE_SIDE_RANGE = (200, 4000)
IMAGE_MAX_BYTES = 5 * 1024 * 1024

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

REQUIRED_FIELDS = (
    "slug",
    "title",
    "aliases",
    "targets",
    "purpose",
    "dosage",
    "image",
    "cautions",
    "stop_if",
)
OPTIONAL_FIELDS = ("ladder",)
DOSAGE_FIELDS = frozenset({"sets", "reps", "hold_seconds", "times_per_day", "each_side"})
LADDER_STEPS = ("easier", "harder")
STEP_FIELDS = frozenset({"sets", "reps", "hold_seconds", "each_side"})
VARIANT_FIELDS = frozenset({"name", "how"})
# A variant's name is shown in reminders beside the exercise title ("Glute bridge —
# Single-leg bridge, 3 × 8 reps each side"), so it stays short.
VARIANT_NAME_MAX = 40

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The longest button naming an exercise (a dosage choice: client id, slug and variant) must fit
# Telegram's 64 bytes of callback data.
SLUG_MAX_CHARS = 40
STEP_PATTERN = re.compile(r"(\d+)\.\s+(\S.*)")
FRONT_MATTER_FENCE = "---"


@dataclass(frozen=True)
class Dosage:
    """How much of an exercise to do: sets of reps and/or holds, a number of times a day."""

    sets: int
    reps: int | None
    hold_seconds: int | None
    times_per_day: int
    each_side: bool = False

    def describe(self) -> str:
        """Plain-English dosage, e.g. ``3 × 30 s hold each side, 2× a day``."""
        side = " each side" if self.each_side else ""
        if self.reps is not None and self.hold_seconds is not None:
            amount = f"{self.sets} × {self.reps} reps{side}, {self.hold_seconds} s hold"
        elif self.reps is not None:
            amount = f"{self.sets} × {self.reps} reps{side}"
        else:
            amount = f"{self.sets} × {self.hold_seconds} s hold{side}"
        frequency = "once a day" if self.times_per_day == 1 else f"{self.times_per_day}× a day"
        return f"{amount}, {frequency}"


def _stepped_hold(seconds: int | None, factor: float) -> int | None:
    if seconds is None:
        return None
    # Holds in whole 5 s steps, within the library's 5-300 s range.
    low, high = HOLD_SECONDS_RANGE
    return min(high, max(low, round(seconds * factor / 5) * 5))


@dataclass(frozen=True)
class Ladder:
    """The progression around an exercise's default dosage: a step easier and a step harder.

    ``harder_name`` / ``harder_how`` name a harder variant of the movement (bridge → single-leg
    bridge) when the sheet gives one; every step keeps the default's times a day, which the
    prescription sets.
    """

    easier: Dosage
    default: Dosage
    harder: Dosage
    harder_name: str | None = None
    harder_how: str | None = None

    @classmethod
    def derived_from(cls, dosage: Dosage) -> Ladder:
        """Steps for a sheet without a ladder: one set fewer or more, shorter or longer holds."""
        low_sets, high_sets = SETS_RANGE
        easier = replace(
            dosage,
            sets=max(low_sets, dosage.sets - 1),
            reps=max(1, round(dosage.reps * 0.7)) if dosage.reps else dosage.reps,
            hold_seconds=_stepped_hold(dosage.hold_seconds, 0.67),
        )
        harder = replace(
            dosage,
            sets=min(high_sets, dosage.sets + 1),
            hold_seconds=_stepped_hold(dosage.hold_seconds, 1.5),
        )
        return cls(easier=easier, default=dosage, harder=harder)


@dataclass(frozen=True)
class Exercise:
    slug: str
    title: str
    aliases: tuple[str, ...]
    targets: tuple[str, ...]
    purpose: str
    dosage: Dosage
    image_path: Path
    cautions: tuple[str, ...]
    stop_if: tuple[str, ...]
    steps: tuple[str, ...]
    ladder: Ladder


class ExerciseLibrary(Mapping[str, Exercise]):
    """Read-only mapping of slug → exercise (``get``, ``in``, ``len`` come from Mapping)."""

    def __init__(self, exercises: Iterable[Exercise]) -> None:
        by_slug: dict[str, Exercise] = {}
        for exercise in exercises:
            if exercise.slug in by_slug:
                raise ValueError(f"duplicate exercise slug {exercise.slug!r}")
            by_slug[exercise.slug] = exercise
        self._by_slug = by_slug

    def __getitem__(self, slug: str) -> Exercise:
        return self._by_slug[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_slug)

    def __len__(self) -> int:
        return len(self._by_slug)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def all(self) -> tuple[Exercise, ...]:
        """Every exercise, sorted by title (case-insensitively) for menus."""
        return tuple(sorted(self._by_slug.values(), key=lambda e: (e.title.casefold(), e.slug)))

    def __repr__(self) -> str:
        return f"ExerciseLibrary({sorted(self._by_slug)!r})"


@dataclass(frozen=True)
class ContentProblem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class ContentError(Exception):
    """The library has problems; the bot must not start with half its exercises."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the exercise library:\n{lines}")


def check_library(directory: Path) -> list[ContentProblem]:
    """Every problem in the library at ``directory``; an empty list means it is ready to use."""
    _, problems = _read_library(directory)
    return problems


def load_library(directory: Path) -> ExerciseLibrary:
    """The library at ``directory``; raises ``ContentError`` listing every problem found."""
    exercises, problems = _read_library(directory)
    if problems:
        raise ContentError(problems)
    return ExerciseLibrary(exercises)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Names:
    """What one file calls its exercise, for the checks across files."""

    file: str
    slug: str | None
    title: str | None
    aliases: tuple[str, ...]


class _Collector:
    """Problems found in one file, so each check can say what is wrong and carry on."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[ContentProblem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(ContentProblem(self.file, field, message))


def _read_library(directory: Path) -> tuple[list[Exercise], list[ContentProblem]]:
    if not directory.is_dir():
        return [], [ContentProblem(str(directory), "directory", "no such directory")]
    paths = sorted(directory.glob("*.md"))
    if not paths:
        return [], [ContentProblem(str(directory), "directory", "contains no exercise .md files")]

    exercises: list[Exercise] = []
    names: list[_Names] = []
    problems: list[ContentProblem] = []
    for path in paths:
        collector = _Collector(str(path))
        exercise, file_names = _read_exercise(path, collector)
        problems.extend(collector.problems)
        if exercise is not None:
            exercises.append(exercise)
        if file_names is not None:
            names.append(file_names)
    problems.extend(_cross_file_problems(names))
    return exercises, problems


def _read_exercise(path: Path, problems: _Collector) -> tuple[Exercise | None, _Names | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.add("file", f"cannot be read as UTF-8 text ({error})")
        return None, None

    split = _split_front_matter(text, problems)
    if split is None:
        return None, None
    front_matter, body = split

    known = set(REQUIRED_FIELDS) | set(OPTIONAL_FIELDS)
    for name in sorted(set(front_matter) - known, key=str):
        problems.add(str(name), "unknown field (check the spelling)")
    missing = [name for name in REQUIRED_FIELDS if name not in front_matter]
    for name in missing:
        problems.add(name, "required field is missing")

    before = len(problems.problems)
    slug = _text_field(front_matter, "slug", problems)
    title = _text_field(front_matter, "title", problems)
    purpose = _text_field(front_matter, "purpose", problems)
    aliases = _text_list_field(front_matter, "aliases", problems, allow_empty=True)
    targets = _text_list_field(front_matter, "targets", problems, allow_empty=False)
    cautions = _text_list_field(front_matter, "cautions", problems, allow_empty=True)
    stop_if = _text_list_field(front_matter, "stop_if", problems, allow_empty=False)
    dosage = _dosage_field(front_matter, problems)
    ladder = _ladder_field(front_matter, dosage, problems)
    image_path = _image_field(front_matter, path, problems)
    steps = _steps(body, problems)

    if slug is not None:
        if not SLUG_PATTERN.fullmatch(slug):
            problems.add("slug", f"{slug!r} must be lower-case words joined by hyphens")
        elif len(slug) > SLUG_MAX_CHARS:
            problems.add("slug", f"{slug!r} is longer than {SLUG_MAX_CHARS} characters")
        if slug != path.stem:
            problems.add("slug", f"{slug!r} does not match the file name {path.name!r}")
    if purpose is not None and "\n" in purpose.strip():
        problems.add("purpose", "must be a single line")
    for target in targets or ():
        if target not in KNOWN_TARGETS:
            known_list = ", ".join(sorted(KNOWN_TARGETS))
            problems.add("targets", f"unknown target {target!r} (known: {known_list})")
    if aliases is not None:
        _check_own_aliases(aliases, problems)
    names = _Names(problems.file, slug, title, tuple(aliases or ()))

    if (
        missing
        or len(problems.problems) > before
        or slug is None
        or title is None
        or purpose is None
        or aliases is None
        or targets is None
        or cautions is None
        or stop_if is None
        or dosage is None
        or ladder is None
        or image_path is None
    ):
        return None, names
    exercise = Exercise(
        slug=slug,
        title=title,
        aliases=tuple(aliases),
        targets=tuple(targets),
        purpose=purpose.strip(),
        dosage=dosage,
        image_path=image_path,
        cautions=tuple(cautions),
        stop_if=tuple(stop_if),
        steps=steps,
        ladder=ladder,
    )
    return exercise, names


def _split_front_matter(text: str, problems: _Collector) -> tuple[dict[Any, Any], str] | None:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        problems.add("front_matter", "file must start with a '---' line opening the front matter")
        return None
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        problems.add("front_matter", "no closing '---' line after the front matter")
        return None
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        where = ""
        mark = getattr(error, "problem_mark", None)
        if mark is not None:
            # +2: the opening fence is line 1 and YAML counts from 0.
            where = f" at line {mark.line + 2}"
        reason = getattr(error, "problem", None) or "invalid syntax"
        problems.add("front_matter", f"invalid YAML{where}: {reason}")
        return None
    if not isinstance(data, dict):
        problems.add("front_matter", "must be a YAML mapping of field: value")
        return None
    return data, "\n".join(lines[end + 1 :])


def _text_field(data: Mapping[Any, Any], name: str, problems: _Collector) -> str | None:
    if name not in data:
        return None
    value = data[name]
    if not isinstance(value, str) or not value.strip():
        problems.add(name, "must be non-empty text")
        return None
    return value.strip()


def _text_list_field(
    data: Mapping[Any, Any], name: str, problems: _Collector, *, allow_empty: bool
) -> list[str] | None:
    if name not in data:
        return None
    value = data[name]
    if value is None and allow_empty:
        return []
    if not isinstance(value, list):
        problems.add(name, "must be a list")
        return None
    if not value and not allow_empty:
        problems.add(name, "must list at least one item")
        return None
    items: list[str] = []
    for index, item in enumerate(value, 1):
        if not isinstance(item, str) or not item.strip():
            problems.add(name, f"item {index} must be non-empty text")
            return None
        items.append(item.strip())
    return items


def _check_own_aliases(aliases: list[str], problems: _Collector) -> None:
    seen: set[str] = set()
    for alias in aliases:
        key = _name_key(alias)
        if key in seen:
            problems.add("aliases", f"alias {alias!r} is listed twice")
        seen.add(key)


def _dosage_field(data: Mapping[Any, Any], problems: _Collector) -> Dosage | None:
    if "dosage" not in data:
        return None
    value = data["dosage"]
    if not isinstance(value, dict):
        problems.add("dosage", "must be a mapping with sets, reps or hold_seconds, times_per_day")
        return None
    before = len(problems.problems)
    for name in sorted(set(value) - DOSAGE_FIELDS, key=str):
        problems.add(f"dosage.{name}", "unknown dosage field")

    sets = _bounded_int(value, "sets", SETS_RANGE, problems, required=True)
    reps = _bounded_int(value, "reps", REPS_RANGE, problems, required=False)
    hold = _bounded_int(value, "hold_seconds", HOLD_SECONDS_RANGE, problems, required=False)
    times = _bounded_int(value, "times_per_day", TIMES_PER_DAY_RANGE, problems, required=True)
    if "reps" not in value and "hold_seconds" not in value:
        problems.add("dosage", "needs reps or hold_seconds")
    each_side = value.get("each_side", False)
    if not isinstance(each_side, bool):
        problems.add("dosage.each_side", "must be true or false")

    if len(problems.problems) > before or sets is None or times is None:
        return None
    return Dosage(
        sets=sets, reps=reps, hold_seconds=hold, times_per_day=times, each_side=bool(each_side)
    )


def _bounded_int(
    data: Mapping[Any, Any],
    name: str,
    bounds: tuple[int, int],
    problems: _Collector,
    *,
    required: bool,
    where: str = "dosage",
) -> int | None:
    if name not in data:
        if required:
            problems.add(f"{where}.{name}", "required dosage field is missing")
        return None
    value = data[name]
    low, high = bounds
    # bool is an int subclass; "sets: yes" is a typo, not 1 set.
    if not isinstance(value, int) or isinstance(value, bool):
        problems.add(f"{where}.{name}", f"must be a whole number from {low} to {high}")
        return None
    if not low <= value <= high:
        problems.add(f"{where}.{name}", f"{value} is outside the sensible range {low}–{high}")
        return None
    return value


def _ladder_field(
    data: Mapping[Any, Any], default: Dosage | None, problems: _Collector
) -> Ladder | None:
    """The sheet's ladder, or one derived from the default dosage when the sheet has none."""
    if "ladder" not in data:
        return Ladder.derived_from(default) if default is not None else None
    value = data["ladder"]
    if not isinstance(value, dict):
        problems.add("ladder", "must be a mapping with an easier and a harder step")
        return None
    before = len(problems.problems)
    for name in sorted(set(value) - set(LADDER_STEPS), key=str):
        problems.add(f"ladder.{name}", "unknown ladder step (easier or harder)")
    for name in LADDER_STEPS:
        if name not in value:
            problems.add(f"ladder.{name}", "required ladder step is missing")
    if default is None or len(problems.problems) > before:
        return None
    easier = _ladder_step(value["easier"], "easier", default, problems)
    harder = _ladder_step(value["harder"], "harder", default, problems)
    variant = _variant(value["harder"], problems)
    if len(problems.problems) > before or easier is None or harder is None:
        return None
    name, how = variant
    if easier == default:
        problems.add("ladder.easier", "is the same as the default dosage")
    elif _asks_more(easier, default):
        problems.add("ladder.easier", "asks more than the default dosage in sets, reps or hold")
    if name is None:
        if harder == default:
            problems.add("ladder.harder", "is the same as the default dosage")
        elif _asks_more(default, harder):
            problems.add(
                "ladder.harder",
                "asks less than the default dosage in sets, reps or hold "
                "(name the variant if it is harder another way)",
            )
    if len(problems.problems) > before:
        return None
    return Ladder(easier=easier, default=default, harder=harder, harder_name=name, harder_how=how)


def _ladder_step(value: Any, step: str, default: Dosage, problems: _Collector) -> Dosage | None:
    where = f"ladder.{step}"
    if not isinstance(value, dict):
        problems.add(where, "must be a mapping with sets and reps or hold_seconds")
        return None
    allowed = STEP_FIELDS | (VARIANT_FIELDS if step == "harder" else frozenset())
    before = len(problems.problems)
    for name in sorted(set(value) - allowed, key=str):
        if name == "times_per_day":
            problems.add(f"{where}.{name}", "times a day is chosen when prescribing")
        else:
            problems.add(f"{where}.{name}", "unknown field for a ladder step")
    sets = _bounded_int(value, "sets", SETS_RANGE, problems, required=True, where=where)
    reps = _bounded_int(value, "reps", REPS_RANGE, problems, required=False, where=where)
    hold = _bounded_int(
        value, "hold_seconds", HOLD_SECONDS_RANGE, problems, required=False, where=where
    )
    if "reps" not in value and "hold_seconds" not in value:
        problems.add(where, "needs reps or hold_seconds")
    each_side = value.get("each_side", default.each_side)
    if not isinstance(each_side, bool):
        problems.add(f"{where}.each_side", "must be true or false")
    if len(problems.problems) > before or sets is None:
        return None
    return Dosage(
        sets=sets,
        reps=reps,
        hold_seconds=hold,
        times_per_day=default.times_per_day,
        each_side=bool(each_side),
    )


def _variant(value: Any, problems: _Collector) -> tuple[str | None, str | None]:
    """The harder step's variant name and how-to line, both or neither."""
    if not isinstance(value, dict) or not (set(value) & VARIANT_FIELDS):
        return None, None
    name = _text_field(value, "name", _Prefixed(problems, "ladder.harder."))
    how = _text_field(value, "how", _Prefixed(problems, "ladder.harder."))
    if "name" not in value:
        problems.add("ladder.harder.name", "a variant's how needs its name")
    if "how" not in value:
        problems.add("ladder.harder.how", "a named variant needs one line on how it is done")
    for field, text in (("name", name), ("how", how)):
        if text is not None and "\n" in text:
            problems.add(f"ladder.harder.{field}", "must be a single line")
    if name is not None and len(name) > VARIANT_NAME_MAX:
        problems.add("ladder.harder.name", f"must be at most {VARIANT_NAME_MAX} characters")
    return name, how


class _Prefixed(_Collector):
    """Reports into another collector with the field names prefixed (a nested mapping)."""

    def __init__(self, inner: _Collector, prefix: str) -> None:
        super().__init__(inner.file)
        self._inner, self._prefix = inner, prefix

    def add(self, field: str, message: str) -> None:
        self._inner.add(f"{self._prefix}{field}", message)


def _asks_more(step: Dosage, than: Dosage) -> bool:
    """Whether ``step`` asks more than ``than`` in any of sets, reps or hold (where both set)."""
    pairs = ((step.sets, than.sets), (step.reps, than.reps), (step.hold_seconds, than.hold_seconds))
    return any(a is not None and b is not None and a > b for a, b in pairs)


def _image_field(data: Mapping[Any, Any], md_path: Path, problems: _Collector) -> Path | None:
    if "image" not in data:
        return None
    name = data["image"]
    if not isinstance(name, str) or not name.strip():
        problems.add("image", "must be the file name of a PNG beside the .md file")
        return None
    name = name.strip()
    if Path(name).name != name or name.startswith("."):
        problems.add("image", f"{name!r} must be a plain file name in the same folder")
        return None
    if not name.lower().endswith(".png"):
        problems.add("image", f"{name!r} must be a .png file")
        return None
    path = md_path.parent / name
    if not path.is_file():
        problems.add("image", f"{name} does not exist")
        return None
    size = path.stat().st_size
    if size > IMAGE_MAX_BYTES:
        problems.add("image", f"{name} is {size} bytes; the limit is {IMAGE_MAX_BYTES}")
        return None
    with path.open("rb") as file:
        header = file.read(24)
    dimensions = _png_dimensions(header)
    if dimensions is None:
        problems.add("image", f"{name} is not a valid PNG file")
        return None
    width, height = dimensions
    low, high = IMAGE_SIDE_RANGE
    if not (low <= width <= high and low <= height <= high):
        problems.add("image", f"{name} is {width}×{height} px; each side must be {low}–{high} px")
        return None
    return path


def _png_dimensions(header: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's first 24 bytes: signature, then the IHDR chunk."""
    if len(header) < 24 or not header.startswith(PNG_SIGNATURE):
        return None
    length, chunk_type = struct.unpack(">I4s", header[8:16])
    if chunk_type != b"IHDR" or length != 13:
        return None
    width, height = struct.unpack(">II", header[16:24])
    return int(width), int(height)


def _steps(body: str, problems: _Collector) -> tuple[str, ...]:
    steps: list[str] = []
    for line_number, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        match = STEP_PATTERN.fullmatch(line.strip())
        if match and not line[0].isspace():
            expected = len(steps) + 1
            if int(match.group(1)) != expected:
                problems.add("steps", f"step {match.group(1)} should be numbered {expected}")
            steps.append(match.group(2).strip())
        elif line[0].isspace() and steps:
            steps[-1] = f"{steps[-1]} {line.strip()}"
        else:
            problems.add(
                "steps",
                f"body line {line_number} is not a numbered step ('1. ...') "
                "or an indented continuation of one",
            )
    if not steps:
        problems.add("steps", "the body must contain numbered steps ('1. ...')")
    return tuple(steps)


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _cross_file_problems(files: list[_Names]) -> list[ContentProblem]:
    """Clashes between files: a slug, title or alias must name exactly one exercise."""
    problems: list[ContentProblem] = []
    slug_owner: dict[str, str] = {}
    title_owner: dict[str, _Names] = {}
    for names in files:
        if names.slug is not None:
            owner = slug_owner.setdefault(names.slug, names.file)
            if owner != names.file:
                problems.append(
                    ContentProblem(names.file, "slug", f"{names.slug!r} is also used by {owner}")
                )
        if names.title is not None:
            titled = title_owner.setdefault(_name_key(names.title), names)
            if titled is not names:
                problems.append(
                    ContentProblem(
                        names.file, "title", f"{names.title!r} is also the title of {titled.file}"
                    )
                )

    alias_owner: dict[str, _Names] = {}
    for names in files:
        for alias in names.aliases:
            key = _name_key(alias)
            title_file = title_owner[key].file if key in title_owner else names.file
            if title_file != names.file:
                problems.append(
                    ContentProblem(
                        names.file, "aliases", f"alias {alias!r} is the title of {title_file}"
                    )
                )
            alias_file = alias_owner.setdefault(key, names).file
            if alias_file != names.file:
                problems.append(
                    ContentProblem(
                        names.file, "aliases", f"alias {alias!r} is also an alias in {alias_file}"
                    )
                )
    return problems
