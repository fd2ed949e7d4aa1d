"""The layering rules of DESIGN.md hold: dependencies point downwards only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# package -> module prefixes it must never import (DESIGN.md, "Imports that never exist").
FORBIDDEN = {
    "bot/domain": ("bot.db", "bot.services", "bot.handlers", "scheduler", "telegram"),
    "bot/services": ("bot.handlers", "bot.texts", "bot.keyboards", "telegram"),
    "bot/db": ("bot.services", "bot.handlers"),
    "bot/handlers": ("bot.db",),
    "scheduler": ("bot.handlers",),
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
