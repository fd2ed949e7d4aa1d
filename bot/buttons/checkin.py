"""Daily pain check-in. The state rides in the data, so two taps finish a check-in and a restart
loses nothing:

* ``pain:leg:<leg>[:<yyyymmdd>]`` — leg pain 0-10 for the local day given (or today);
* ``pain:back:<leg>:<back>[:<yyyymmdd>]`` — the second tap saves;
* ``pain:upd:<leg>:<back>:<yyyymmdd>`` / ``pain:keep:<yyyymmdd>`` — replace or keep today's;
* ``pain:skip`` — no note this time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from bot.buttons import Area, Button
from bot.buttons.fields import Score


@dataclass(frozen=True)
class LegPain(Button):
    tag: ClassVar[str] = "pain:leg"
    leg: Score
    day: date | None = None


@dataclass(frozen=True)
class BackPain(Button):
    tag: ClassVar[str] = "pain:back"
    leg: Score
    back: Score
    day: date | None = None


@dataclass(frozen=True)
class UpdateEntry(Button):
    tag: ClassVar[str] = "pain:upd"
    leg: Score
    back: Score
    day: date


@dataclass(frozen=True)
class KeepEntry(Button):
    tag: ClassVar[str] = "pain:keep"
    day: date


@dataclass(frozen=True)
class SkipNote(Button):
    tag: ClassVar[str] = "pain:skip"


PainButton = LegPain | BackPain | UpdateEntry | KeepEntry | SkipNote
PAIN: Area[PainButton] = Area("pain", LegPain, BackPain, UpdateEntry, KeepEntry, SkipNote)
