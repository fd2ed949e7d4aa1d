"""No raw template reaches a person: every text builder in bot/texts, rendered with real values.

Every public function of every `bot.texts` module is called with values built from its own
type hints (a real exercise from the library, real dates and times, a dataclass filled field
by field), plus the cases below where one value would not exercise every branch (each alert
kind, each skip reason, each screen source). Whatever comes back — text, button labels —
must have no `{` or `}` left. A builder nobody can call here fails the test, so a new one
cannot be forgotten.

Templates that handlers format themselves (module-level strings with `{field}`) are checked
too: each one is formatted somewhere, with the fields it names.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import pkgutil
import string
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.texts
from bot.buttons import Button as TypedButton
from bot.buttons.therapist import OpenClient
from bot.content import ExerciseLibrary, load_library
from bot.keyboards import Button as KeyboardButton
from bot.keyboards import Keyboard
from tests.conftest import CONTENT_DIR, REPO_ROOT

NOW = datetime(2026, 6, 7, 19, 0, tzinfo=UTC)
NAME = "Alice Example"


class UnbuildableError(Exception):
    pass


def _library() -> ExerciseLibrary:
    return load_library(CONTENT_DIR)


LIBRARY = _library()
EXERCISE = LIBRARY.all()[0]


def value_for(hint: Any, name: str = "") -> Any:
    """A realistic value of type `hint` (parameter `name` picks e.g. a zone or a slug)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        present = [a for a in args if a is not type(None)]
        return value_for(present[0], name)
    if origin is typing.Literal:
        return args[0]
    if hint is Any:
        return NAME
    if hint is str:
        return _string_for(name)
    if hint is bool:
        return True
    if hint is int:
        return 3
    if hint is float:
        return 4.5
    if hint is datetime:
        return NOW
    if hint is date:
        return NOW.date()
    if hint is time:
        return time(8, 0)
    if hint is timedelta:
        return timedelta(days=7)
    if origin in (tuple,) and len(args) == 2 and args[1] is Ellipsis:
        return tuple(value_for(args[0], name) for _ in range(2))
    if origin is tuple:
        values = [value_for(a, name) for a in args]
        if name in ("exercises", "options") and args[0] is str:  # (slug, title, ...)
            values[0] = EXERCISE.slug
        return tuple(values)
    if origin in (list, Sequence, typing.Sequence, frozenset, set) or (
        origin is not None and getattr(origin, "__name__", "") in ("Sequence", "Collection")
    ):
        items = [value_for(args[0], name) for _ in range(2)] if args else []
        return frozenset(items) if origin is frozenset else items
    if origin is not None and getattr(origin, "__name__", "") == "Mapping" and args:
        return {value_for(args[0], name): value_for(args[1], name)}
    if origin is dict and args and args[0] is not str:
        return {value_for(args[0], name): value_for(args[1], name)}
    if origin is dict or hint is dict:
        return {}
    if origin is not None and getattr(origin, "__name__", "") == "Callable":
        if _makes_buttons(args[-1]):
            return OpenClient
        return lambda *values: str(values[0]).replace("-", " ").capitalize()
    if inspect.isclass(hint) and issubclass(hint, enum.Enum):
        return next(iter(hint))
    if hint is Keyboard:
        return Keyboard([[KeyboardButton("How to: bridge", callback_data="ex:show:glute-bridge")]])
    if hint is KeyboardButton:
        return KeyboardButton("How to: bridge", callback_data="ex:show:glute-bridge")
    if inspect.isclass(hint) and hint.__name__ == "Exercise":
        return EXERCISE
    if dataclasses.is_dataclass(hint) and inspect.isclass(hint):
        hints = typing.get_type_hints(hint)
        values = {
            f.name: value_for(hints[f.name], f.name) for f in dataclasses.fields(hint) if f.init
        }
        return hint(**values)
    raise UnbuildableError(f"no value for {hint!r} ({name})")


def _makes_buttons(hint: Any) -> bool:
    """A callable returning callback data (`client_named_by`'s button), not text."""
    members = typing.get_args(hint) or (hint,)
    return all(inspect.isclass(m) and issubclass(m, TypedButton) for m in members)


def _string_for(name: str) -> str:
    known = {
        "zone": "Europe/London",
        "timezone": "Europe/London",
        "tz": "Europe/London",
        "slug": EXERCISE.slug,
        "exercise_slug": EXERCISE.slug,
        "token": "a" * 32,
        "answered": "12",
        "source": "weekly",
        "outcome": "done",
        "kind": "worsening_leg",
        "zones": "Europe/London",
    }
    for key, value in known.items():
        if name == key or name.endswith(f"_{key}"):
            return value
    return NAME


def builders() -> Iterator[tuple[str, Callable[..., Any]]]:
    modules = [bot.texts] + [
        importlib.import_module(f"bot.texts.{info.name}")
        for info in pkgutil.iter_modules(bot.texts.__path__)
    ]
    for module in modules:
        for name, obj in sorted(vars(module).items()):
            if (
                inspect.isfunction(obj)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
            ):
                yield f"{module.__name__}.{name}", obj


def _alert_cases() -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    from dataclasses import replace

    from bot.services.alerts import AlertNotice
    from bot.texts import alerts
    from tests.support.alert_notices import notice_for, real_candidates

    cases: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    for candidate in real_candidates().values():
        notice = replace(notice_for(candidate, name=NAME), acknowledged_at=NOW)
        cases.append(("bot.texts.alerts.alert_message", (notice,), {}))
        cases.append(("bot.texts.alerts.title_for", (notice.kind, notice.evidence, NAME), {}))
    # A kind with no real candidate in tests/support/alert_notices.py yet (a new rule) is
    # still rendered, with empty evidence (the "older shape" path), so its title is checked.
    covered = {c.kind for c in real_candidates().values()}
    for kind in sorted(set(alerts.TITLES) - covered):
        evidence: dict[str, Any] = {}
        notice = AlertNotice(
            alert_id=1,
            client_id=2,
            client_name=NAME,
            therapist_telegram_id=3,
            kind=kind,
            severity=2,
            evidence=evidence,
            created_at=NOW,
            acknowledged_at=NOW,
        )
        cases.append(("bot.texts.alerts.alert_message", (notice,), {}))
        cases.append(("bot.texts.alerts.title_for", (kind, evidence, NAME), {}))
    return cases


def _extra_cases() -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    from bot.texts import red_flags, reminders

    cases = _alert_cases()
    for reason in reminders.SKIP_REASONS:
        cases.append(("bot.texts.reminders.outcome_line", ("skipped", reason), {}))
    for source in red_flags.SOURCE_CODES:
        for index in (0, 4):
            cases.append(
                ("bot.texts.red_flags.question_prompt", (source, index, "Both legs?", 5), {})
            )
    return cases


def rendered_strings(result: Any) -> Iterator[str]:
    if isinstance(result, str):
        yield result
    elif isinstance(result, Keyboard):
        for row in result.inline_keyboard:
            for button in row:
                yield button.text
    elif isinstance(result, KeyboardButton):
        yield result.text
    elif isinstance(result, (tuple, list)):
        for item in result:
            yield from rendered_strings(item)


def _call_with_hints(function: Callable[..., Any]) -> Any:
    hints = typing.get_type_hints(function)
    arguments: dict[str, Any] = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.default is not inspect.Parameter.empty and parameter.name not in (
            "day",
            "late",
        ):
            continue
        arguments[parameter.name] = value_for(hints[parameter.name], parameter.name)
    return function(**arguments)


ALL_BUILDERS = dict(builders())


@pytest.mark.parametrize("qualified", sorted(ALL_BUILDERS))
def test_every_text_builder_renders_without_a_raw_placeholder(qualified: str) -> None:
    function = ALL_BUILDERS[qualified]
    try:
        result = _call_with_hints(function)
    except UnbuildableError as exc:
        pytest.fail(f"{qualified}: add a case to this test ({exc})")
    texts = list(rendered_strings(result))
    assert texts or result is None or isinstance(result, int), qualified
    for text in texts:
        assert "{" not in text and "}" not in text, f"{qualified} left a placeholder: {text!r}"


@pytest.mark.parametrize(
    ("qualified", "args", "kwargs"),
    _extra_cases(),
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_kind_of_text_renders_without_a_raw_placeholder(
    qualified: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    for text in rendered_strings(ALL_BUILDERS[qualified](*args, **kwargs)):
        assert "{" not in text and "}" not in text, f"{qualified} left a placeholder: {text!r}"


def _templates() -> dict[str, str]:
    """Module-level strings in bot/texts with `{field}` placeholders: name → template."""
    found: dict[str, str] = {}
    modules = [bot.texts] + [
        importlib.import_module(f"bot.texts.{info.name}")
        for info in pkgutil.iter_modules(bot.texts.__path__)
    ]
    for module in modules:
        for name, value in vars(module).items():
            if (
                name.isupper()
                and isinstance(value, str)
                and any(field for _, field, _, _ in string.Formatter().parse(value))
            ):
                found[name] = value
    return found


def _source_trees() -> Iterator[ast.Module]:
    for folder in ("bot", "scheduler"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield ast.parse(Path(path).read_text(encoding="utf-8"))


def _formatted_names() -> set[str]:
    """Template names that reach `.format(...)` directly, via a local name, or via a mapping."""
    formatted: set[str] = set()
    for tree in _source_trees():
        functions = [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        for function in [*functions, tree]:
            aliases: dict[str, set[str]] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign):
                    referenced = {
                        n.attr if isinstance(n, ast.Attribute) else n.id
                        for n in ast.walk(node.value)
                        if isinstance(n, ast.Attribute | ast.Name)
                    }
                    for target in node.targets:
                        for name_node in ast.walk(target):
                            if isinstance(name_node, ast.Name):
                                aliases.setdefault(name_node.id, set()).update(referenced)
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("format", "format_map")
                ):
                    for inner in ast.walk(node.func.value):
                        name = (
                            inner.attr
                            if isinstance(inner, ast.Attribute)
                            else inner.id
                            if isinstance(inner, ast.Name)
                            else None
                        )
                        if name is not None:
                            formatted.add(name)
                            formatted.update(aliases.get(name, set()))
    return formatted


def _referenced_names() -> set[str]:
    """Names read anywhere (not just assigned), e.g. `t.KEPT` in a handler."""
    referenced: set[str] = set()
    for tree in _source_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                referenced.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                referenced.add(node.id)
    return referenced


def test_every_template_a_handler_uses_is_formatted_somewhere() -> None:
    formatted, referenced = _formatted_names(), _referenced_names()
    used_raw = sorted(name for name in _templates() if name in referenced and name not in formatted)
    assert used_raw == [], f"never formatted, a raw '{{…}}' would reach someone: {used_raw}"
