"""/settings and /pause: ``st:<setting>`` opens one setting's question; ``ci:<HHMM>`` /
``ci:c`` (type one); ``qh:s:<start>`` → ``qh:e:<start>:<end>``, ``qh:off``; ``pz:<weeks>``
(0: until resumed)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import time
from typing import Annotated, ClassVar

from bot.buttons import Area, Button, Digits


class Setting(enum.StrEnum):
    TIME_ZONE = "tz"
    REMINDERS = "rt"
    CHECKIN = "ci"
    QUIET_HOURS = "qh"
    PAUSE = "pz"
    RESUME = "rs"


@dataclass(frozen=True)
class OpenSetting(Button):
    tag: ClassVar[str] = "st"
    setting: Setting


SETTINGS: Area[OpenSetting] = Area("st", OpenSetting)


@dataclass(frozen=True)
class CheckinAt(Button):
    tag: ClassVar[str] = "ci"
    at: time


@dataclass(frozen=True)
class TypeCheckinTime(Button):
    tag: ClassVar[str] = "ci:c"


CheckinButton = CheckinAt | TypeCheckinTime
CHECKIN_TIME: Area[CheckinButton] = Area("ci", CheckinAt, TypeCheckinTime)


@dataclass(frozen=True)
class QuietFrom(Button):
    tag: ClassVar[str] = "qh:s"
    start: time


@dataclass(frozen=True)
class QuietUntil(Button):
    tag: ClassVar[str] = "qh:e"
    start: time
    end: time


@dataclass(frozen=True)
class QuietOff(Button):
    tag: ClassVar[str] = "qh:off"


QuietButton = QuietFrom | QuietUntil | QuietOff
QUIET_HOURS: Area[QuietButton] = Area("qh", QuietFrom, QuietUntil, QuietOff)


@dataclass(frozen=True)
class PauseFor(Button):
    """Pause reminders for 1 or 2 weeks; 0 until the client resumes."""

    tag: ClassVar[str] = "pz"
    weeks: Annotated[int, Digits(0, 2)]


PAUSE: Area[PauseFor] = Area("pz", PauseFor)
