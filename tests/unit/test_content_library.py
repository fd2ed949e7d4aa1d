"""The exercise library: the real content is complete, and broken files are reported clearly."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import (
    KNOWN_TARGETS,
    ContentError,
    ContentProblem,
    Dosage,
    ExerciseLibrary,
    check_library,
    load_library,
)

REAL_LIBRARY = Path(__file__).resolve().parents[2] / "content" / "exercises"

STEPS = "1. Lie on your back with your knees bent.\n2. Lift your hips.\n3. Lower slowly.\n"


def png_bytes(width: int, height: int) -> bytes:
    """A real, minimal greyscale PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def front_matter(slug: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": slug,
        "title": f"Title of {slug}",
        "aliases": [f"alias of {slug}"],
        "targets": ["glutes"],
        "purpose": "Strengthens the glutes.",
        "dosage": {"sets": 3, "reps": 10, "times_per_day": 1},
        "image": f"{slug}.png",
        "cautions": ["Keep your back flat."],
        "stop_if": ["Pain spreads down your leg."],
    }
    data.update(changes)
    return data


def write_exercise(
    directory: Path,
    slug: str,
    data: dict[str, Any] | None = None,
    *,
    body: str = STEPS,
    file_stem: str | None = None,
    image: bytes | None = None,
) -> Path:
    """Write ``<file_stem or slug>.md`` with a valid 400×300 PNG beside it unless told otherwise."""
    data = front_matter(slug) if data is None else data
    path = directory / f"{file_stem or slug}.md"
    path.write_text(f"---\n{yaml.safe_dump(data, sort_keys=False)}---\n{body}", encoding="utf-8")
    image_name = data.get("image")
    if isinstance(image_name, str):
        (directory / image_name).write_bytes(png_bytes(400, 300) if image is None else image)
    return path


def problems_for(directory: Path, field: str) -> list[ContentProblem]:
    return [problem for problem in check_library(directory) if problem.field == field]


# --- the real library ------------------------------------------------------------------------


def test_the_real_library_has_no_problems() -> None:
    assert check_library(REAL_LIBRARY) == []


def test_the_real_library_offers_at_least_twelve_exercises() -> None:
    library = load_library(REAL_LIBRARY)

    assert len(library) >= 12


@pytest.mark.parametrize(
    "slug",
    [
        "supine-piriformis-stretch",
        "seated-piriformis-stretch",
        "knee-to-opposite-shoulder",
        "glute-bridge",
        "clamshell",
        "kneeling-hip-flexor-stretch",
        "pelvic-tilt",
        "cat-camel",
        "bird-dog",
        "dead-bug",
        "sciatic-nerve-glide",
        "prone-press-up",
        "childs-pose",
        "single-knee-to-chest",
    ],
)
def test_the_real_library_covers_the_usual_sciatica_prescriptions(slug: str) -> None:
    library = load_library(REAL_LIBRARY)

    exercise = library[slug]
    assert exercise.steps, "a client needs steps to follow"
    assert exercise.stop_if, "a client needs to know when to stop"
    assert exercise.image_path.is_file()
    assert set(exercise.targets) <= KNOWN_TARGETS


def test_the_real_library_lists_exercises_alphabetically_by_title() -> None:
    titles = [exercise.title for exercise in load_library(REAL_LIBRARY).all()]

    assert titles == sorted(titles, key=str.casefold)


def test_every_real_diagram_is_small_enough_to_send_quickly() -> None:
    for image in REAL_LIBRARY.glob("*.png"):
        assert image.stat().st_size <= 200 * 1024, image.name


def test_nerve_glides_are_prescribed_gently() -> None:
    glide = load_library(REAL_LIBRARY)["sciatic-nerve-glide"]

    assert glide.dosage.reps is not None and glide.dosage.reps <= 15
    assert any(
        "never" in caution.lower() and "pain" in caution.lower() for caution in glide.cautions
    )


# --- loading ---------------------------------------------------------------------------------


def test_a_valid_library_loads_with_steps_in_order(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge")

    library = load_library(tmp_path)

    exercise = library["bridge"]
    assert exercise.steps == (
        "Lie on your back with your knees bent.",
        "Lift your hips.",
        "Lower slowly.",
    )
    assert exercise.dosage == Dosage(sets=3, reps=10, hold_seconds=None, times_per_day=1)
    assert exercise.image_path == tmp_path / "bridge.png"
    assert exercise.aliases == ("alias of bridge",)


def test_a_step_may_continue_on_an_indented_line(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", body="1. Lie down,\n   knees bent.\n2. Lift.\n")

    assert load_library(tmp_path)["bridge"].steps == ("Lie down, knees bent.", "Lift.")


def test_the_library_answers_lookups_by_slug(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge")
    library = load_library(tmp_path)

    assert "bridge" in library
    assert "plank" not in library
    assert library.get("plank") is None
    assert library.get("bridge") is library["bridge"]


def test_two_exercises_with_one_slug_cannot_share_a_library(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge")
    exercise = load_library(tmp_path)["bridge"]

    with pytest.raises(ValueError, match="bridge"):
        ExerciseLibrary([exercise, exercise])


def test_loading_a_broken_library_raises_with_every_problem(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", targets=["elbows"]))
    write_exercise(tmp_path, "clam", front_matter("clam", purpose=None))

    with pytest.raises(ContentError) as raised:
        load_library(tmp_path)

    fields = {(Path(p.file).name, p.field) for p in raised.value.problems}
    assert fields == {("bridge.md", "targets"), ("clam.md", "purpose")}
    assert "elbows" in str(raised.value)


def test_a_problem_reads_as_file_field_message() -> None:
    problem = ContentProblem("content/exercises/bridge.md", "targets", "unknown target 'elbows'")

    assert str(problem) == "content/exercises/bridge.md: targets: unknown target 'elbows'"


def test_a_missing_directory_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    problems = check_library(tmp_path / "nowhere")

    assert [problem.field for problem in problems] == ["directory"]


def test_an_empty_directory_is_a_problem(tmp_path: Path) -> None:
    assert [problem.field for problem in check_library(tmp_path)] == ["directory"]


# --- one test per kind of broken file ---------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["slug", "title", "aliases", "targets", "purpose", "dosage", "image", "cautions", "stop_if"],
)
def test_a_missing_field_names_the_file_and_the_field(tmp_path: Path, field: str) -> None:
    data = front_matter("bridge")
    del data[field]
    write_exercise(tmp_path, "bridge", data)

    problems = problems_for(tmp_path, field)

    assert len(problems) == 1
    assert problems[0].file.endswith("bridge.md")
    assert "missing" in problems[0].message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ["a", "list"]),
        ("purpose", ""),
        ("aliases", "bridge"),
        ("targets", []),
        ("stop_if", [None]),
        ("dosage", "3 x 10"),
        ("image", 42),
    ],
)
def test_a_field_of_the_wrong_type_is_reported(tmp_path: Path, field: str, value: Any) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", **{field: value}))

    assert [p.file.endswith("bridge.md") for p in problems_for(tmp_path, field)] == [True]


def test_a_misspelt_field_is_reported(tmp_path: Path) -> None:
    data = front_matter("bridge")
    data["stop-if"] = data.pop("stop_if")
    write_exercise(tmp_path, "bridge", data)

    assert problems_for(tmp_path, "stop-if")
    assert problems_for(tmp_path, "stop_if")


def test_an_unknown_target_is_reported_by_name(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", targets=["glutes", "elbows"]))

    [problem] = problems_for(tmp_path, "targets")
    assert problem.file.endswith("bridge.md")
    assert "elbows" in problem.message


def test_a_slug_that_differs_from_the_file_name_is_reported(tmp_path: Path) -> None:
    write_exercise(tmp_path, "glute-bridge", file_stem="bridge")

    [problem] = problems_for(tmp_path, "slug")
    assert problem.file.endswith("bridge.md")
    assert "bridge.md" in problem.message


def test_a_slug_must_be_lower_case_words_and_hyphens(tmp_path: Path) -> None:
    write_exercise(tmp_path, "Glute_Bridge")

    assert any("hyphens" in p.message for p in problems_for(tmp_path, "slug"))


def test_a_missing_image_is_reported(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge")
    (tmp_path / "bridge.png").unlink()

    [problem] = problems_for(tmp_path, "image")
    assert problem.file.endswith("bridge.md")
    assert "bridge.png does not exist" in problem.message


def test_an_image_that_is_not_a_png_is_reported(tmp_path: Path) -> None:
    write_exercise(
        tmp_path, "bridge", image=b"\xff\xd8\xff\xe0 a JPEG renamed to .png" + b"\0" * 64
    )

    [problem] = problems_for(tmp_path, "image")
    assert problem.file.endswith("bridge.md")
    assert "not a valid PNG" in problem.message


def test_an_image_named_other_than_png_is_reported(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", image="bridge.jpg"))

    [problem] = problems_for(tmp_path, "image")
    assert ".png" in problem.message


def test_an_image_outside_the_exercise_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "library").mkdir()
    (tmp_path / "secret.png").write_bytes(png_bytes(400, 300))
    write_exercise(tmp_path / "library", "bridge", front_matter("bridge", image="../secret.png"))

    [problem] = problems_for(tmp_path / "library", "image")
    assert "plain file name" in problem.message


@pytest.mark.parametrize(("width", "height"), [(16, 16), (199, 600), (800, 4001)])
def test_an_image_too_small_or_too_large_to_read_is_reported_with_its_size(
    tmp_path: Path, width: int, height: int
) -> None:
    write_exercise(tmp_path, "bridge", image=png_bytes(width, height))

    [problem] = problems_for(tmp_path, "image")
    assert problem.file.endswith("bridge.md")
    assert f"{width}×{height}" in problem.message


def test_an_image_file_over_five_megabytes_is_reported(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", image=png_bytes(400, 300) + b"\0" * (5 * 1024 * 1024))

    [problem] = problems_for(tmp_path, "image")
    assert "bytes" in problem.message


def test_two_files_with_the_same_slug_are_reported(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge")
    write_exercise(tmp_path, "bridge", front_matter("bridge", title="Other"), file_stem="zz-bridge")

    duplicates = [p for p in problems_for(tmp_path, "slug") if "also used by" in p.message]
    assert len(duplicates) == 1
    assert duplicates[0].file.endswith("zz-bridge.md")
    assert "bridge.md" in duplicates[0].message


def test_an_alias_used_by_two_exercises_is_reported_whatever_its_case(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", aliases=["Hip Raise"]))
    write_exercise(tmp_path, "clam", front_matter("clam", aliases=["hip  raise"]))

    [problem] = problems_for(tmp_path, "aliases")
    assert problem.file.endswith("clam.md")
    assert "bridge.md" in problem.message


def test_an_alias_that_is_another_exercises_title_is_reported(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", title="Glute bridge"))
    write_exercise(tmp_path, "clam", front_matter("clam", aliases=["glute bridge"]))

    [problem] = problems_for(tmp_path, "aliases")
    assert problem.file.endswith("clam.md")
    assert "title" in problem.message


def test_two_exercises_with_the_same_title_are_reported(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", title="Bridge"))
    write_exercise(tmp_path, "clam", front_matter("clam", title="bridge"))

    [problem] = problems_for(tmp_path, "title")
    assert problem.file.endswith("clam.md")


def test_an_alias_listed_twice_in_one_file_is_reported(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", aliases=["hip raise", "Hip raise"]))

    [problem] = problems_for(tmp_path, "aliases")
    assert "twice" in problem.message


@pytest.mark.parametrize("body", ["", "\n\n", "Lie down and lift your hips.\n"])
def test_an_exercise_without_numbered_steps_is_reported(tmp_path: Path, body: str) -> None:
    write_exercise(tmp_path, "bridge", body=body)

    problems = problems_for(tmp_path, "steps")
    assert problems
    assert all(problem.file.endswith("bridge.md") for problem in problems)


def test_steps_numbered_out_of_order_are_reported(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", body="1. Lie down.\n3. Lift.\n")

    [problem] = problems_for(tmp_path, "steps")
    assert "step 3 should be numbered 2" in problem.message


def test_prose_between_steps_is_reported_rather_than_silently_dropped(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", body="1. Lie down.\nTip: breathe out.\n2. Lift.\n")

    [problem] = problems_for(tmp_path, "steps")
    assert "line 2" in problem.message


@pytest.mark.parametrize(
    ("dosage", "field"),
    [
        ({"sets": 0, "reps": 10, "times_per_day": 1}, "dosage.sets"),
        ({"sets": 11, "reps": 10, "times_per_day": 1}, "dosage.sets"),
        ({"sets": 3, "reps": 100, "times_per_day": 1}, "dosage.reps"),
        ({"sets": 3, "hold_seconds": 3000, "times_per_day": 2}, "dosage.hold_seconds"),
        ({"sets": 3, "hold_seconds": 2, "times_per_day": 2}, "dosage.hold_seconds"),
        ({"sets": 3, "reps": 10, "times_per_day": 12}, "dosage.times_per_day"),
        ({"sets": 3, "reps": 10, "times_per_day": 0}, "dosage.times_per_day"),
        ({"sets": "three", "reps": 10, "times_per_day": 1}, "dosage.sets"),
        ({"sets": True, "reps": 10, "times_per_day": 1}, "dosage.sets"),
        ({"sets": 3, "reps": 10}, "dosage.times_per_day"),
        ({"sets": 3, "times_per_day": 1}, "dosage"),
        ({"sets": 3, "reps": 10, "times_per_day": 1, "each_side": "yes"}, "dosage.each_side"),
        ({"sets": 3, "reps": 10, "times_per_day": 1, "rest": 30}, "dosage.rest"),
    ],
)
def test_an_implausible_dosage_is_reported(
    tmp_path: Path, dosage: dict[str, Any], field: str
) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", dosage=dosage))

    [problem] = problems_for(tmp_path, field)
    assert problem.file.endswith("bridge.md")


def test_invalid_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge")
    path = tmp_path / "bridge.md"
    path.write_text(path.read_text().replace("title: Title of bridge", "title: [unclosed"))

    [problem] = check_library(tmp_path)
    assert problem.file.endswith("bridge.md")
    assert problem.field == "front_matter"
    assert "line" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "1. No front matter at all.\n",
        "---\nslug: bridge\n1. Never closed.\n",
        "---\n- a\n---\n1. x\n",
    ],
)
def test_malformed_front_matter_is_reported(tmp_path: Path, text: str) -> None:
    (tmp_path / "bridge.md").write_text(text)

    [problem] = check_library(tmp_path)
    assert (Path(problem.file).name, problem.field) == ("bridge.md", "front_matter")


def test_a_broken_file_does_not_hide_problems_in_the_others(tmp_path: Path) -> None:
    (tmp_path / "aaa.md").write_text("---\ntitle: [unclosed\n---\n1. x\n")
    write_exercise(tmp_path, "bridge", front_matter("bridge", targets=["elbows"]))

    assert {Path(p.file).name for p in check_library(tmp_path)} == {"aaa.md", "bridge.md"}


def test_a_copy_of_a_real_exercise_is_valid_on_its_own(tmp_path: Path) -> None:
    shutil.copy(REAL_LIBRARY / "glute-bridge.md", tmp_path)
    shutil.copy(REAL_LIBRARY / "glute-bridge.png", tmp_path)

    assert check_library(tmp_path) == []


# --- dosage wording ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dosage", "described"),
    [
        (Dosage(3, None, 30, 2, each_side=True), "3 × 30 s hold each side, 2× a day"),
        (Dosage(3, None, 30, 2), "3 × 30 s hold, 2× a day"),
        (Dosage(3, 10, None, 1), "3 × 10 reps, once a day"),
        (Dosage(2, 8, 5, 1, each_side=True), "2 × 8 reps each side, 5 s hold, once a day"),
    ],
)
def test_dosage_is_described_the_way_a_therapist_writes_it(dosage: Dosage, described: str) -> None:
    assert dosage.describe() == described


# --- progression ladder -----------------------------------------------------------------------

BRIDGE_LADDER: dict[str, Any] = {
    "easier": {"sets": 2, "reps": 8},
    "harder": {
        "name": "Single-leg bridge",
        "how": "Lift on one leg only.",
        "sets": 3,
        "reps": 8,
        "each_side": True,
    },
}


def test_every_real_exercise_has_its_own_ladder_around_the_default() -> None:
    for exercise in load_library(REAL_LIBRARY).all():
        text = (REAL_LIBRARY / f"{exercise.slug}.md").read_text(encoding="utf-8")
        assert "\nladder:" in text, exercise.slug
        ladder = exercise.ladder
        assert ladder.default == exercise.dosage
        assert ladder.easier != exercise.dosage, exercise.slug
        assert ladder.harder != exercise.dosage or ladder.harder_name, exercise.slug


def test_the_real_bridge_progresses_to_the_single_leg_bridge() -> None:
    ladder = load_library(REAL_LIBRARY)["glute-bridge"].ladder

    assert ladder.harder_name == "Single-leg bridge"
    assert ladder.harder_how
    assert ladder.harder.each_side


def test_a_ladder_steps_keep_the_prescribed_times_a_day_and_the_default_sides(
    tmp_path: Path,
) -> None:
    dosage = {"sets": 3, "hold_seconds": 30, "each_side": True, "times_per_day": 2}
    ladder = {"easier": {"sets": 2, "hold_seconds": 20}, "harder": {"sets": 3, "hold_seconds": 45}}
    write_exercise(tmp_path, "stretch", front_matter("stretch", dosage=dosage, ladder=ladder))

    loaded = load_library(tmp_path)["stretch"].ladder
    assert loaded.easier == Dosage(2, None, 20, 2, each_side=True)
    assert loaded.harder == Dosage(3, None, 45, 2, each_side=True)
    assert loaded.harder_name is None


def test_a_sheet_without_a_ladder_steps_one_set_either_side_of_the_default(
    tmp_path: Path,
) -> None:
    dosage = {"sets": 3, "hold_seconds": 30, "times_per_day": 2}
    write_exercise(tmp_path, "stretch", front_matter("stretch", dosage=dosage))

    ladder = load_library(tmp_path)["stretch"].ladder
    assert (ladder.easier.sets, ladder.easier.hold_seconds) == (2, 20)
    assert (ladder.harder.sets, ladder.harder.hold_seconds) == (4, 45)


@pytest.mark.parametrize(
    ("ladder", "field", "words"),
    [
        ("gentler", "ladder", "mapping"),
        ({"easier": {"sets": 2, "reps": 8}}, "ladder.harder", "missing"),
        ({**BRIDGE_LADDER, "hardest": {"sets": 4, "reps": 10}}, "ladder.hardest", "unknown"),
        ({**BRIDGE_LADDER, "easier": {"sets": 2}}, "ladder.easier", "reps or hold_seconds"),
        ({**BRIDGE_LADDER, "easier": {"sets": 0, "reps": 8}}, "ladder.easier.sets", "range"),
        ({**BRIDGE_LADDER, "easier": {"sets": 2, "reps": 80}}, "ladder.easier.reps", "range"),
        (
            {**BRIDGE_LADDER, "easier": {"sets": 2, "reps": 8, "times_per_day": 1}},
            "ladder.easier.times_per_day",
            "prescribing",
        ),
        ({**BRIDGE_LADDER, "easier": {"sets": 3, "reps": 10}}, "ladder.easier", "same"),
        ({**BRIDGE_LADDER, "easier": {"sets": 2, "reps": 12}}, "ladder.easier", "more"),
        (
            {**BRIDGE_LADDER, "easier": {"name": "Half bridge", "sets": 2, "reps": 8}},
            "ladder.easier.name",
            "unknown",
        ),
        ({**BRIDGE_LADDER, "harder": {"sets": 3, "reps": 10}}, "ladder.harder", "same"),
        ({**BRIDGE_LADDER, "harder": {"sets": 4, "reps": 8}}, "ladder.harder", "less"),
        (
            {**BRIDGE_LADDER, "harder": {"name": "Single-leg bridge", "sets": 3, "reps": 8}},
            "ladder.harder.how",
            "how",
        ),
        (
            {**BRIDGE_LADDER, "harder": {"how": "Lift on one leg.", "sets": 3, "reps": 8}},
            "ladder.harder.name",
            "name",
        ),
        (
            {**BRIDGE_LADDER, "harder": {**BRIDGE_LADDER["harder"], "name": "x" * 41}},
            "ladder.harder.name",
            "40",
        ),
        (
            {**BRIDGE_LADDER, "harder": {**BRIDGE_LADDER["harder"], "each_side": "yes"}},
            "ladder.harder.each_side",
            "true or false",
        ),
    ],
)
def test_a_broken_ladder_is_reported_by_file_and_field(
    tmp_path: Path, ladder: Any, field: str, words: str
) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", ladder=ladder))

    [problem] = check_library(tmp_path)
    assert (Path(problem.file).name, problem.field) == ("bridge.md", field)
    assert words in problem.message


def test_a_named_harder_variant_may_ask_fewer_reps_than_the_default(tmp_path: Path) -> None:
    write_exercise(tmp_path, "bridge", front_matter("bridge", ladder=BRIDGE_LADDER))

    assert check_library(tmp_path) == []
