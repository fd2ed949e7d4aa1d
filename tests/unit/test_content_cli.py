"""`python -m bot content check`, and `run` refusing a broken library with the same messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_cli import run_cli
from tests.unit.test_content_library import front_matter, write_exercise

REAL_LIBRARY = Path(__file__).resolve().parents[2] / "content" / "exercises"


@pytest.fixture
def broken_library(tmp_path: Path) -> Path:
    """Three exercises, each broken in a different way; one fine one beside them."""
    folder = tmp_path / "exercises"
    folder.mkdir()
    write_exercise(folder, "fine-one")
    untitled = front_matter("untitled")
    del untitled["title"]
    write_exercise(folder, "untitled", untitled)
    write_exercise(folder, "odd-target", front_matter("odd-target", targets=["elbows"]))
    no_picture = write_exercise(folder, "no-picture")
    (folder / "no-picture.png").unlink()
    assert no_picture.exists()
    return folder


EXPECTED_PROBLEMS = (
    ("untitled.md", "title"),
    ("odd-target.md", "targets"),
    ("no-picture.md", "image"),
)


def assert_problems_named(stderr: str) -> None:
    lines = stderr.strip().splitlines()
    for file_name, field in EXPECTED_PROBLEMS:
        assert any(f"{file_name}: {field}: " in line for line in lines), (
            f"no {file_name}/{field} line in:\n{stderr}"
        )
    assert "fine-one.md" not in stderr
    assert "Traceback" not in stderr


def test_content_check_passes_on_the_shipped_library(tmp_path: Path) -> None:
    result = run_cli("content", "check", "--dir", str(REAL_LIBRARY), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "content OK" in result.stdout


def test_content_check_names_each_broken_file_and_field_and_fails(
    tmp_path: Path, broken_library: Path
) -> None:
    result = run_cli("content", "check", "--dir", str(broken_library), cwd=tmp_path)

    assert result.returncode != 0
    assert_problems_named(result.stderr)


def test_content_check_reads_the_library_from_content_dir(
    tmp_path: Path, broken_library: Path
) -> None:
    result = run_cli("content", "check", cwd=tmp_path, env={"CONTENT_DIR": str(broken_library)})

    assert result.returncode != 0
    assert_problems_named(result.stderr)


def test_the_bot_refuses_to_start_on_a_broken_library_with_the_same_messages(
    tmp_path: Path, broken_library: Path
) -> None:
    result = run_cli(
        "run",
        cwd=tmp_path,
        env={"TELEGRAM_BOT_TOKEN": "123:abc", "CONTENT_DIR": str(broken_library)},
    )

    assert result.returncode == 2
    assert_problems_named(result.stderr)
    assert "fix it first" in result.stderr.strip().splitlines()[-1]
