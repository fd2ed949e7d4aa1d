"""Every text the bot builds fits Telegram's limits at its largest inputs.

The builders are discovered — every public function of every module in `bot/texts` — and
called with arguments made from their signatures: the largest value of each parameter's type
(longest names, five 1,000-character notes, 14 exercises, 200 clients, the longest relayed
text). A builder with a parameter this file cannot fill fails `test_every_builder_can_be_called`
with its name, so a new builder cannot slip past. Every template constant is checked too,
with the longest name in each name-like field.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import importlib
import inspect
import pkgutil
import string
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

import bot
import bot.texts
from bot.buttons import DB_INTEGER_MAX
from bot.buttons.reminders import SkipReason
from bot.buttons.therapist import OpenClient, PrescribeClient
from bot.content import Exercise, load_library
from bot.domain.exercise_response import LegResponse
from bot.keyboards import Button, Keyboard
from bot.services.checkin import NOTE_MAX_CHARS
from bot.services.client_settings import MovedTime, TypedAnswer, TypedOutcome
from bot.services.invites import CLIENT_NAME_MAX, new_token
from bot.services.prescriptions import (
    MAX_TIMES_PER_DAY,
    Days,
    Draft,
    PrescribedLine,
    PrescriptionChange,
    Variant,
)
from bot.texts.limits import (
    BUTTON_TEXT_LIMIT,
    CALLBACK_DATA_LIMIT_BYTES,
    CAPTION_LIMIT,
    MESSAGE_TEXT_LIMIT,
    telegram_length,
)
from bot.texts.reminders import ReminderItem
from bot.texts.therapist import TitleOf

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
TODAY = NOW.date()
# The longest name the bot accepts, with emoji (two UTF-16 units each, as Telegram counts).
LONGEST_NAME = ("Maria José 🌸 de la Trinidad " * 10)[:CLIENT_NAME_MAX]
LONGEST_NOTE = ("sharp pain down the left leg after the school run 🦵 " * 40)[:NOTE_MAX_CHARS]
# A Telegram message's whole text: what a relayed message or a typed question can be.
LONGEST_TEXT = ("Keep your knees bent and breathe out as you lift. " * 90)[:MESSAGE_TEXT_LIMIT]
LONGEST_ZONE = "America/Argentina/ComodRivadavia"
# Dosages are written by the bot from the library (sets × reps, hold, times a day, a named
# harder variant); this is longer than any of them.
LONGEST_DOSAGE = "3 × 30 reps each side, 30 s hold, 4× a day (harder: single-leg bridge on a step)"
CLIENTS = 200
EXERCISES = 14
# Record ids are database integers; the callback codecs carry ids up to this.
BIG_ID = DB_INTEGER_MAX

# Builders whose whole text is never sent as one message, and what is sent instead.
NOT_SENT_WHOLE = {
    "texts.therapist.client_card_message": "the card is sent through client_card_messages (split)",
    "texts.summary.render_weekly_summary": "printed by `python -m bot summary`; the bot sends "
    "summary_texts",
}
# Builders whose text is sent as a photo or document caption (the 1,024 limit).
CAPTION_BUILDERS = {"reading", "summary_chart_caption"}
# Builders returning (caption, messages that follow).
CAPTION_THEN_MESSAGES = {"exercise_view"}
# Template constants sent as captions.
CAPTION_CONSTANT = "CAPTION"


@functools.cache
def _library_exercises() -> list[Exercise]:
    library = load_library(Path(bot.__file__).parent.parent / "content" / "exercises")
    real = sorted(library.all(), key=lambda e: -len(" ".join(e.steps)))
    return [
        dataclasses.replace(real[n % len(real)], slug=f"{real[n % len(real)].slug}-{n}"[:40])
        for n in range(EXERCISES)
    ]


def _title_of(slug: str) -> str:
    """The library's title for a slug (the longest title for one it does not know)."""
    titles = {e.slug: e.title for e in _library_exercises()}
    return titles.get(slug, max(titles.values(), key=len))


# Every red-flag sign at once: the longest evidence an alert carries.
EVIDENCE: dict[str, Any] = {
    "signs": [
        "both_legs",
        "new_weakness",
        "saddle_numbness",
        "bladder_bowel",
        "sexual_dysfunction",
    ],
    "source": "free_text",
    "leg": 10,
    "back": 10,
}
ALERT_KINDS = ("red_flag", "worsening_leg", "worsening_back", "severe_leg_pain", "inactivity")


def _draft() -> Draft:
    exercises = _library_exercises()
    return Draft(
        client_id=BIG_ID,
        client_name=LONGEST_NAME,
        selected=tuple(e.slug for e in exercises),
        variants={e.slug: Variant.HARDER for e in exercises},
        times_per_day=MAX_TIMES_PER_DAY,
        days=Days.WEEKDAYS,
    )


def _change() -> PrescriptionChange:
    lines = tuple(PrescribedLine(e.slug, LONGEST_DOSAGE) for e in _library_exercises())
    return PrescriptionChange(
        client_id=BIG_ID,
        client_name=LONGEST_NAME,
        client_telegram_id=BIG_ID,
        # Everything new at once: 14 added, as many stopped; a line is added or changed, never both.
        added=lines,
        changed=(),
        removed=tuple(f"old-{line.exercise_slug}" for line in lines),
        current=lines,
        times_per_day=MAX_TIMES_PER_DAY,
        days=Days.WEEKDAYS,
        reminder_times=tuple(time(h, 59) for h in range(MAX_TIMES_PER_DAY)),
    )


def _moved() -> tuple[MovedTime, ...]:
    return (MovedTime(what="check-in", asked=time(23, 59), placed=time(7, 0)),) * 6


def _typed_answers() -> list[TypedAnswer]:
    return [TypedAnswer(outcome=outcome, moved=_moved()) for outcome in TypedOutcome]


def _largest_dataclass(cls: type[Any]) -> Any:
    """A dataclass filled with the largest value of each field (by name, then by type)."""
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _largest(hints[f.name], f.name) for f in dataclasses.fields(cls)})


def _largest(annotation: Any, name: str) -> Any:
    """The largest value for one field or parameter: by its name first, then its type."""
    if name in BY_FIELD:
        return BY_FIELD[name]()
    if name in BY_NAME and _simple(annotation):
        return BY_NAME[name]
    if annotation in BY_TYPE:
        return BY_TYPE[annotation]()
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return _largest(next(a for a in arguments if a is not type(None)), name)
    if annotation is str:
        return LONGEST_NAME if "name" in name else "x" * 64
    if annotation is int:
        return BIG_ID if name.endswith("id") else 99
    if annotation is float:
        return 100.0
    if annotation is bool:
        return True
    if _is_enum(annotation):
        return max(annotation, key=lambda member: len(str(member.value)))
    if origin in (tuple, frozenset, Sequence) and arguments and _is_enum(arguments[0]):
        return tuple(arguments[0])
    if origin in (tuple, Sequence) and (len(arguments) == 1 or arguments[-1] is Ellipsis):
        count = CLIENTS if name in MANY else EXERCISES
        return tuple(_largest(arguments[0], name) for _ in range(count))
    if origin is tuple:
        return tuple(_largest(argument, name) for argument in arguments)
    if dataclasses.is_dataclass(annotation):
        return _largest_dataclass(annotation)  # type: ignore[arg-type]
    raise LookupError(f"no largest value for {name}: {annotation}")


def _is_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, enum.Enum)


def _simple(annotation: Any) -> bool:
    """str, int or an optional one: the parameters named in BY_NAME."""
    present = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    return all(a in (str, int) for a in present)


BY_TYPE: dict[Any, Callable[[], Any]] = {
    date: lambda: TODAY,
    datetime: lambda: NOW,
    time: lambda: time(23, 59),
    Exercise: lambda: _library_exercises()[0],
    Sequence[Exercise]: _library_exercises,
    Draft: _draft,
    PrescriptionChange: _change,
    Sequence[time]: lambda: [time(h, 59) for h in range(MAX_TIMES_PER_DAY)],
    Sequence[str]: lambda: [LONGEST_ZONE] * 12,
    Sequence[MovedTime]: _moved,
    Sequence[tuple[int, str]]: lambda: [(BIG_ID - n, LONGEST_NAME) for n in range(CLIENTS)],
    Sequence[tuple[str, str]]: lambda: [(e.title, LONGEST_DOSAGE) for e in _library_exercises()],
    Sequence[tuple[str, str, Sequence[str]]]: lambda: [
        (e.slug, e.title, e.targets) for e in _library_exercises()
    ],
    Sequence[tuple[str, str, Sequence[tuple[Variant, str]]]]: lambda: [
        (e.slug, e.title, [(v, LONGEST_DOSAGE) for v in Variant]) for e in _library_exercises()
    ],
    Sequence[ReminderItem]: lambda: [
        ReminderItem(e.slug, e.title, LONGEST_DOSAGE) for e in _library_exercises()
    ],
    Sequence[Button]: lambda: [
        Button(f"How to: {e.title}"[:BUTTON_TEXT_LIMIT], callback_data="ex:show:x")
        for e in _library_exercises()
    ],
    Keyboard: lambda: Keyboard([[Button("⏸ Pause", callback_data=f"client:pause:{BIG_ID}")]]),
    TypedAnswer: lambda: _typed_answers()[0],
    dict[str, Any]: lambda: dict(EVIDENCE),
    dict[str, object]: lambda: dict(EVIDENCE),
    TitleOf: lambda: _title_of,
    tuple[str | int, ...]: lambda: ("pain", "leg", BIG_ID),
    tuple[time, time]: lambda: (time(23, 59), time(6, 0)),
    Mapping[LegResponse, int]: lambda: dict.fromkeys(LegResponse, 999),
}
# Parameters and fields whose meaning, not their type, says how large they get.
BY_NAME: dict[str, Any] = {
    "name": LONGEST_NAME,
    "client_name": LONGEST_NAME,
    "practice": LONGEST_NAME,
    "text": LONGEST_TEXT,
    "query": LONGEST_TEXT,
    "zone": LONGEST_ZONE,
    "timezone": LONGEST_ZONE,
    "therapist_zone": LONGEST_ZONE,
    "dosage": LONGEST_DOSAGE,
    "token": new_token(),
    "status": "blocked",
    "kind": "red_flag",
    "exercise_slug": "x" * 40,
    "leg_arrow": "↑",
    "leg_pain_trend": "↑",
    "leg": 10,
    "back": 10,
    "times_per_day": MAX_TIMES_PER_DAY,
    "times": MAX_TIMES_PER_DAY,
    "per_row": 1,
    "mask": 0b101_0101,
    "days_mask": 0b101_0101,
    "count": CLIENTS,
    "index": 0,
}
BY_FIELD: dict[str, Callable[[], Any]] = {
    # The card's last notes: five, each as long as a note can be.
    "notes": lambda: tuple((TODAY - timedelta(days=d), LONGEST_NOTE) for d in range(5)),
    "alert_kinds": lambda: ALERT_KINDS,
    "open_alert_kinds": lambda: ALERT_KINDS,
    "seen_alert_kinds": lambda: ALERT_KINDS,
    "skip_reasons": lambda: tuple((reason.value, 99) for reason in SkipReason),
    "sort_detail": tuple,
    "moved": _moved,
}
# Fields that hold one entry per client: 200 of them.
MANY = {"lines", "rows", "clients", "alerts", "notices"}
# Builders whose parameters only take a few values: every value is tried.
CHOICES: dict[str, dict[str, Sequence[Any]]] = {
    "title_for": {"kind": [*ALERT_KINDS, "unknown_kind"]},
    "question_prompt": {"source": ["onboarding", "weekly", "symptoms"], "question": ["?" * 300]},
    "outcome_line": {"outcome": ["done", "partly", "skipped"], "skip_reason": ["pain", None]},
    "with_outcome": {"outcome": ["done", "skipped"], "skip_reason": ["pain"]},
    "item_question": {"index": [0, 1, 2, 3]},
    "item_keyboard": {"answered": ["", "6" * 3]},
    "item_prompt": {"answered": ["", "6" * 3]},
    "typed_reply": {"answer": _typed_answers()},
    "choose_client_keyboard": {"button": [OpenClient, PrescribeClient]},
    "overview": {"state": [LONGEST_TEXT[:200]]},
    "clients_page": {"page": list(range(CLIENTS // 10))},
    # Indexes into the client's check-in choices, which the codec bounds.
    "times_keyboard": {"checkin": [0]},
    "times_message": {"checkin": [0]},
    "which_keyboard": {"exercises": [[(e.slug, e.title) for e in _library_exercises()]]},
}
# Builders that take the bot's own text back (a reminder it sent): their largest input is the
# largest reminder, not any text.
OWN_TEXT = {"with_outcome", "with_outcome_and", "reminder_body", "skip_reason_text"}


def _modules() -> Iterator[types.ModuleType]:
    yield bot.texts
    for info in pkgutil.iter_modules(bot.texts.__path__):
        if info.name != "limits":
            yield importlib.import_module(f"bot.texts.{info.name}")


def _builders() -> list[tuple[str, Callable[..., Any]]]:
    return sorted(
        (f"{module.__name__.removeprefix('bot.')}.{name}", function)
        for module in _modules()
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module.__name__
        and not name.startswith("_")
    )


def _largest_reminder() -> str:
    from bot.texts.reminders import reminder_text

    return reminder_text(BY_TYPE[Sequence[ReminderItem]](), late=True)


def _calls(function: Callable[..., Any]) -> Iterator[dict[str, Any]]:
    """Keyword arguments for each call of `function` at its largest inputs."""
    hints = typing.get_type_hints(function)
    choices = CHOICES.get(function.__name__, {})
    base: dict[str, Any] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if function.__name__ in OWN_TEXT and name in ("text", "reminder"):
            base[name] = _largest_reminder()
        elif name in choices:
            base[name] = choices[name][0]
        else:
            base[name] = _largest(hints[name], name)
        if parameter.default is not inspect.Parameter.empty and name not in choices:
            base.setdefault(name, parameter.default)
    yield base
    for name, values in choices.items():
        for value in values[1:]:
            yield {**base, name: value}


def _problems(value: Any, limit: int) -> Iterator[str]:
    """What in a builder's result breaks a Telegram limit."""
    if isinstance(value, str):
        if not value.strip():
            yield "an empty text (Telegram refuses it)"
        elif telegram_length(value) > limit:
            yield f"a text of {telegram_length(value)} > {limit}"
    elif isinstance(value, Keyboard):
        for row in value.inline_keyboard:
            yield from (problem for button in row for problem in _problems(button, limit))
    elif isinstance(value, Button):
        if telegram_length(value.text) > BUTTON_TEXT_LIMIT:
            yield f"a button label of {telegram_length(value.text)}: {value.text[:40]!r}…"
        data = value.callback_data
        if isinstance(data, str) and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT_BYTES:
            yield f"callback data of {len(data.encode())} bytes: {data[:70]!r}"
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _problems(item, limit)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _problems(getattr(value, field.name), limit)


BUILDERS = _builders()


def test_builders_are_discovered() -> None:
    names = {name for name, _ in BUILDERS}
    assert {
        "texts.therapist.client_card_messages",
        "texts.therapist.relay_to_client",
        "texts.summary.summary_texts",
    } <= names
    assert len(BUILDERS) > 50
    assert set(NOT_SENT_WHOLE) <= names, "an exemption names a builder that no longer exists"


@pytest.mark.parametrize(("name", "function"), BUILDERS, ids=[name for name, _ in BUILDERS])
def test_every_builder_fits_telegrams_limits_at_its_largest_inputs(
    name: str, function: Callable[..., Any]
) -> None:
    short = name.rsplit(".", 1)[1]
    if name in NOT_SENT_WHOLE:
        # Still callable at its largest inputs; what is sent is checked through the other.
        function(**next(_calls(function)))
        return
    problems = []
    for arguments in _calls(function):
        result = function(**arguments)
        if short in CAPTION_THEN_MESSAGES:
            caption, rest = result
            problems += list(_problems(caption, CAPTION_LIMIT))
            problems += list(_problems(rest, MESSAGE_TEXT_LIMIT))
        else:
            limit = CAPTION_LIMIT if short in CAPTION_BUILDERS else MESSAGE_TEXT_LIMIT
            problems += list(_problems(result, limit))
    assert problems == []


def _template_value(field: str, spec: str) -> Any:
    if "%" in spec:
        return NOW
    if spec.endswith("f"):
        return 100.0
    if field in BY_NAME:
        return BY_NAME[field]
    return LONGEST_NAME if "name" in field else "99"


def _templates() -> list[tuple[str, str]]:
    return sorted(
        (f"{module.__name__.removeprefix('bot.')}.{name}", value)
        for module in _modules()
        for name, value in vars(module).items()
        if isinstance(value, str) and not name.startswith("_") and name.isupper()
    )


@pytest.mark.parametrize(("name", "template"), _templates(), ids=[n for n, _ in _templates()])
def test_every_template_fits_with_the_longest_names(name: str, template: str) -> None:
    values = {
        field: _template_value(field, spec or "")
        for _, field, spec, _ in string.Formatter().parse(template)
        if field
    }
    text = template.format(**values) if values else template
    # Button labels are checked where keyboards are built (above): a constant's name does not
    # say whether it labels a button or answers a press.
    constant = name.rsplit(".", 1)[1]
    limit = CAPTION_LIMIT if CAPTION_CONSTANT in constant else MESSAGE_TEXT_LIMIT
    assert telegram_length(text) <= limit, f"{telegram_length(text)} > {limit}: {text[:80]!r}"
