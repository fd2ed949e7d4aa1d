"""The layering rules of DESIGN.md hold: dependencies point downwards only, and SQL is built
only where data is accessed (docs/architecture.md)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# package -> module prefixes it must never import (DESIGN.md, "Imports that never exist").
FORBIDDEN = {
    "bot/domain": (
        "bot.db",
        "bot.services",
        "bot.handlers",
        "scheduler",
        "telegram",
        "sqlalchemy",
    ),
    "bot/services": ("bot.handlers", "bot.texts", "bot.keyboards", "telegram"),
    "bot/db": ("bot.services", "bot.handlers"),
    "bot/handlers": ("bot.db",),
    "scheduler": ("bot.handlers", "telegram", "bot.telegram_markup", "bot.telegram_sender"),
    "bot/texts": ("telegram", "bot.telegram_markup"),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_only_import_downwards(package: str) -> None:
    offenders = []
    for path in sorted((REPO / package).rglob("*.py")):
        for name in _imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package]):
                offenders.append(f"{path.relative_to(REPO)} imports {name}")
    assert offenders == []


# What a scheduling process loads: the engine, every text and keyboard it sends, and the
# burst benchmark that measures it. python-telegram-bot (with httpx, ~22 MB) stays at the
# edge: the handlers, bot.telegram_markup and the engine's sender bot.telegram_sender.
ENGINE_MODULES = (
    "scheduler.tick",
    "scheduler.dispatch",
    "scheduler.outbox",
    "scheduler.messages",
    "scheduler.notices",
    "scheduler.sending",
    "bot.keyboards",
    *sorted(f"bot.texts.{p.stem}" for p in (REPO / "bot" / "texts").glob("*.py")),
    "benchmarks.ours",
)


def test_the_scheduling_engine_runs_without_python_telegram_bot_loaded() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    code = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]: importlib.import_module(name)\n"
        "print(sorted(m for m in ('telegram', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run(  # noqa: S603 - our own modules, fixed arguments
        [sys.executable, "-c", code, *ENGINE_MODULES],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_only_the_entry_point_imports_the_command_line() -> None:
    """bot/cli/ sits on top: it builds the app and calls services; nothing below calls it."""
    offenders = [
        f"{path.relative_to(REPO)} imports {name}"
        for top in ("bot", "scheduler")
        for path in sorted((REPO / top).rglob("*.py"))
        if path.parent.name != "cli" and path.name != "__main__.py"
        for name in _imports(path)
        if name == "bot.cli" or name.startswith("bot.cli.")
    ]
    assert offenders == []


# Only the repositories (bot/db) and the dispatch engine (scheduler/, whose claiming and
# delivery statements are its hot path) build SQL. Everyone else calls a repository function
# that says what it reads or writes ("the client's open alerts"), never select(...), and takes
# from SQLAlchemy only the session type, its errors and URL parsing.
SQL_HOMES = ("bot/db", "scheduler")
SQLALCHEMY_OUTSIDE_SQL_HOMES = frozenset(
    {"sqlalchemy.ext.asyncio", "sqlalchemy.exc", "sqlalchemy.engine"}
)


def _sql_built(path: Path) -> list[str]:
    """The SQLAlchemy modules the file imports beyond the session type, errors and URLs: where
    select(), insert(), text() and the dialects' inserts come from."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        else:
            continue
        found += [
            module
            for module in modules
            if module.split(".")[0] == "sqlalchemy" and module not in SQLALCHEMY_OUTSIDE_SQL_HOMES
        ]
    return sorted(found)


def _python_files_outside_sql_homes() -> list[Path]:
    paths = sorted((REPO / "bot").rglob("*.py"))
    return [
        path
        for path in paths
        if not any(path.relative_to(REPO).as_posix().startswith(home + "/") for home in SQL_HOMES)
    ]


def test_only_bot_db_and_the_scheduler_build_sql() -> None:
    offenders = [
        f"{path.relative_to(REPO)} imports {', '.join(built)}"
        for path in _python_files_outside_sql_homes()
        if (built := _sql_built(path))
    ]
    assert offenders == []


def test_bot_data_is_read_by_attribute_never_by_string_key() -> None:
    """context.bot_data is the typed BotData (bot/handlers/common.py): `.services`, `.scheduler`."""
    offenders = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for top in ("bot", "scheduler")
        for path in sorted((REPO / top).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "bot_data"
    ]
    assert offenders == []
