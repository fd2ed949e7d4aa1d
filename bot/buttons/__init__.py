"""Callback data: one typed codec per area, used by the keyboards and the handlers alike.

Each button is a frozen dataclass deriving from `Button`, with a `tag` (the fixed start of its
data, e.g. ``rem:done``) and typed fields. `pack()` writes ``tag:field:field…`` (ASCII, at most
Telegram's 64 bytes); `parse()` reads it back, or gives None for anything that is not exactly
such a button: wrong tag, missing or extra parts, non-ASCII digits (``²`` passes
`str.isdigit()`), ids beyond what the database column holds, scores out of range, unknown
letters. A handler never sees data that did not parse; the press guard answers "this button
has expired" instead (bot.handlers.buttons).

Fields are declared with `Annotated[...]` and one of the kinds below; plain `date` (YYYYMMDD),
`time` (HHMM) and `enum.StrEnum` fields need no annotation. A trailing field may be optional
(``X | None = None``): it is then left out of the data when None.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any, ClassVar, Generic, Self, TypeVar
from zoneinfo import available_timezones

CALLBACK_DATA_MAX_BYTES = 64  # Telegram's limit for InlineKeyboardButton.callback_data
SEPARATOR = ":"
# Primary keys are `Integer` columns: 32-bit signed on PostgreSQL (SQLite would take 64 bits,
# but an id that PostgreSQL cannot hold is never a real one on either engine).
DB_INTEGER_MAX = 2**31 - 1


class _InvalidPartError(Exception):
    """One part of the data is not what the field holds."""


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


@dataclass(frozen=True)
class Digits:
    """A whole number written in canonical ASCII digits (no sign, no leading zeros)."""

    low: int
    high: int

    def encode(self, value: object) -> str:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _InvalidPartError
        return str(value)

    def decode(self, text: str) -> int:
        if not _ascii_digits(text) or len(text) > len(str(self.high)):
            raise _InvalidPartError
        if text != str(int(text)):
            raise _InvalidPartError
        value = int(text)
        if not self.low <= value <= self.high:
            raise _InvalidPartError
        return value

    def example(self) -> int:
        return self.low


@dataclass(frozen=True)
class RecordId(Digits):
    """The primary key of a row of `table`; the press guard checks it belongs to the presser."""

    table: str = ""

    def __init__(self, table: str) -> None:
        object.__setattr__(self, "low", 1)
        object.__setattr__(self, "high", DB_INTEGER_MAX)
        object.__setattr__(self, "table", table)


@dataclass(frozen=True)
class Word:
    """A short ASCII word matching `pattern` (slugs, reason keys, invite tokens)."""

    pattern: str
    sample: str

    def encode(self, value: object) -> str:
        if not isinstance(value, str):
            raise _InvalidPartError
        return value

    def decode(self, text: str) -> str:
        if not re.fullmatch(self.pattern, text, flags=re.ASCII):
            raise _InvalidPartError
        return text

    def example(self) -> str:
        return self.sample


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@dataclass(frozen=True)
class Zone:
    """An IANA time-zone name this machine knows."""

    def encode(self, value: object) -> str:
        if not isinstance(value, str):
            raise _InvalidPartError
        return value

    def decode(self, text: str) -> str:
        if text not in _zones():
            raise _InvalidPartError
        return text

    def example(self) -> str:
        return "Europe/London"


@dataclass(frozen=True)
class _Day:
    def encode(self, value: object) -> str:
        if not isinstance(value, date):
            raise _InvalidPartError
        return value.strftime("%Y%m%d")

    def decode(self, text: str) -> date:
        if len(text) != 8 or not _ascii_digits(text):
            raise _InvalidPartError
        try:
            return datetime.strptime(text, "%Y%m%d").date()  # noqa: DTZ007 - a date only
        except ValueError:
            raise _InvalidPartError from None

    def example(self) -> date:
        return date(2026, 6, 1)


@dataclass(frozen=True)
class _Clock:
    def encode(self, value: object) -> str:
        if not isinstance(value, time):
            raise _InvalidPartError
        return f"{value.hour:02d}{value.minute:02d}"

    def decode(self, text: str) -> time:
        if len(text) != 4 or not _ascii_digits(text):
            raise _InvalidPartError
        hour, minute = int(text[:2]), int(text[2:])
        if hour > 23 or minute > 59:
            raise _InvalidPartError
        return time(hour, minute)

    def example(self) -> time:
        return time(8, 0)


@dataclass(frozen=True)
class _Choice:
    enum_type: type[enum.StrEnum]

    def encode(self, value: object) -> str:
        if not isinstance(value, self.enum_type):
            raise _InvalidPartError
        return value.value

    def decode(self, text: str) -> enum.StrEnum:
        try:
            return self.enum_type(text)
        except ValueError:
            raise _InvalidPartError from None

    def example(self) -> enum.StrEnum:
        return next(iter(self.enum_type))


FieldKind = Digits | Word | Zone | _Day | _Clock | _Choice


@dataclass(frozen=True)
class FieldCodec:
    name: str
    kind: FieldKind
    optional: bool


def _kind_of(hint: Any) -> tuple[FieldKind, bool]:
    optional = False
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(members) != 1:
            raise TypeError(f"a button field has one type, not {hint!r}")
        hint, optional = members[0], True
        origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        kinds = [m for m in hint.__metadata__ if isinstance(m, Digits | Word | Zone)]
        if len(kinds) != 1:
            raise TypeError(f"{hint!r} needs exactly one field kind")
        return kinds[0], optional
    if hint is date:
        return _Day(), optional
    if hint is time:
        return _Clock(), optional
    if isinstance(hint, type) and issubclass(hint, enum.StrEnum):
        return _Choice(hint), optional
    raise TypeError(f"no callback-data codec for {hint!r}; annotate it with a field kind")


class Button:
    """Base of every callback-data type; subclasses are frozen dataclasses with a `tag`."""

    tag: ClassVar[str]

    @classmethod
    def codecs(cls) -> tuple[FieldCodec, ...]:
        cached = cls.__dict__.get("_codecs")
        if cached is None:
            hints = typing.get_type_hints(cls, include_extras=True)
            cached = tuple(
                FieldCodec(f.name, *_kind_of(hints[f.name]))
                for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            )
            seen_optional = False
            for codec in cached:
                if seen_optional and not codec.optional:
                    raise TypeError(f"{cls.__name__}: optional fields must come last")
                seen_optional = seen_optional or codec.optional
            cls._codecs = cached  # type: ignore[attr-defined]
        return cached

    def pack(self) -> str:
        """The callback data; raises ValueError for a value the field cannot carry."""
        parts = [self.tag]
        for codec in self.codecs():
            value = getattr(self, codec.name)
            if value is None and codec.optional:
                continue
            try:
                parts.append(codec.kind.encode(value))
            except _InvalidPartError:
                raise ValueError(f"{type(self).__name__}.{codec.name} = {value!r}") from None
        data = SEPARATOR.join(parts)
        if len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"{type(self).__name__} data is over Telegram's 64-byte limit")
        if type(self).parse(data) != self:
            raise ValueError(f"{type(self).__name__} would not read back as itself: {data!r}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The button this data is, or None for anything else (never an exception)."""
        if not isinstance(data, str) or not data.isascii():
            return None
        if len(data) > CALLBACK_DATA_MAX_BYTES or not data.startswith(cls.tag):
            return None
        rest = data[len(cls.tag) :]
        if rest and not rest.startswith(SEPARATOR):
            return None
        parts = rest[1:].split(SEPARATOR) if rest else []
        codecs = cls.codecs()
        required = sum(1 for c in codecs if not c.optional)
        if not required <= len(parts) <= len(codecs):
            return None
        values: dict[str, object] = {}
        try:
            for codec, part in zip(codecs, parts, strict=False):
                values[codec.name] = codec.kind.decode(part)
        except _InvalidPartError:
            return None
        for codec in codecs[len(parts) :]:
            values[codec.name] = None
        return cls(**values)

    @classmethod
    def example(cls, **given: object) -> Self:
        """A valid button of this kind (fields not `given` take their kind's example)."""
        values = {c.name: given.get(c.name, c.kind.example()) for c in cls.codecs()}
        return cls(**values)


B = TypeVar("B", bound=Button)


class Area(Generic[B]):
    """The buttons of one area (one first part of the data): the handler's pattern and parser."""

    def __init__(self, name: str, *kinds: type[B]) -> None:
        self.name = name
        self.kinds = kinds
        for kind in kinds:
            if kind.tag != name and not kind.tag.startswith(name + SEPARATOR):
                raise TypeError(f"{kind.__name__}.tag {kind.tag!r} is outside area {name!r}")
        self.pattern = re.compile(rf"^{re.escape(name)}(?:{SEPARATOR}|$)")

    def parse(self, data: object) -> B | None:
        for kind in self.kinds:
            button = kind.parse(data)
            if button is not None:
                return button
        return None

    def __repr__(self) -> str:
        return f"Area({self.name!r})"


def record_fields(button: Button) -> list[tuple[str, int]]:
    """(table, id) of every record the button names, for the press guard's ownership check."""
    return [
        (codec.kind.table, getattr(button, codec.name))
        for codec in button.codecs()
        if isinstance(codec.kind, RecordId) and getattr(button, codec.name) is not None
    ]
