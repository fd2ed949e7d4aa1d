"""Regenerate migration 0001 from the models (only until the first release ships).

Usage: .venv/bin/python scripts/regenerate_initial_migration.py
After a release, add a new revision instead: never rewrite history that users have applied.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from bot.db.migrate import MIGRATIONS_DIR, alembic_config

INITIAL = MIGRATIONS_DIR / "versions" / "0001_initial_schema.py"


def main() -> int:
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'empty.db'}"
        command.revision(
            alembic_config(url), message="initial schema", autogenerate=True, rev_id="0001"
        )
    text = INITIAL.read_text()
    lines = [
        "Create Date: 2026-11-27" if line.startswith("Create Date:") else line
        for line in text.splitlines()
    ]
    INITIAL.write_text("\n".join(lines) + "\n")
    ruff = Path(sys.executable).parent / "ruff"
    subprocess.run([str(ruff), "format", "-q", str(INITIAL)], check=True)  # noqa: S603
    subprocess.run([str(ruff), "check", "--fix", "-q", str(INITIAL)], check=False)  # noqa: S603
    print(f"wrote {INITIAL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
