"""`python -m bot` as a user runs it: clear one-line errors, exit status 2, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "THERAPIST_"))}
    clean["PYTHONPATH"] = str(REPO)
    clean.update(env or {})
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_without_a_token_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("THERAPIST_IDS", "me"),
        ("DEFAULT_TIMEZONE", "Narnia/Cair_Paravel"),
        ("DATABASE_URL", "oracle://scott:tiger@db"),
    ],
)
def test_run_with_an_invalid_setting_exits_2_naming_it(
    tmp_path: Path, name: str, value: str
) -> None:
    result = run_cli("run", cwd=tmp_path, env={"TELEGRAM_BOT_TOKEN": "123:abc", name: value})
    assert result.returncode == 2
    assert result.stderr.strip().startswith(name)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_db_upgrade_creates_the_sqlite_file(tmp_path: Path) -> None:
    result = run_cli("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "bot.db").exists()


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "db", "content"):
        assert command in result.stdout
