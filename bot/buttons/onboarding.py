"""Onboarding (also reached from /settings): ``ob:yes:<invite token>`` / ``ob:no`` (consent),
``tz:<IANA zone>``, ``rt:t:<HHMM>`` (tick a reminder time), ``rt:c`` (type one), ``rt:d``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time
from typing import Annotated, ClassVar

from bot.buttons import Area, Button, Word, Zone
from bot.services.invites import TOKEN_BYTES

# secrets.token_urlsafe(TOKEN_BYTES): base64url without padding (32 characters today); up to
# 43 (32 bytes) so a longer token would still fit "ob:yes:<token>" in 64 bytes.
TOKEN_CHARS = math.ceil(TOKEN_BYTES * 4 / 3)
TOKEN_MAX_CHARS = 43
InviteToken = Annotated[
    str, Word(rf"[A-Za-z0-9_-]{{{TOKEN_CHARS},{TOKEN_MAX_CHARS}}}", "A" * TOKEN_CHARS)
]


@dataclass(frozen=True)
class Agree(Button):
    tag: ClassVar[str] = "ob:yes"
    token: InviteToken


@dataclass(frozen=True)
class Decline(Button):
    tag: ClassVar[str] = "ob:no"


ConsentButton = Agree | Decline
CONSENT: Area[ConsentButton] = Area("ob", Agree, Decline)


@dataclass(frozen=True)
class ChooseTimeZone(Button):
    tag: ClassVar[str] = "tz"
    zone: Annotated[str, Zone()]


TIME_ZONE: Area[ChooseTimeZone] = Area("tz", ChooseTimeZone)


@dataclass(frozen=True)
class TickReminderTime(Button):
    tag: ClassVar[str] = "rt:t"
    at: time


@dataclass(frozen=True)
class TypeReminderTime(Button):
    tag: ClassVar[str] = "rt:c"


@dataclass(frozen=True)
class SaveReminderTimes(Button):
    tag: ClassVar[str] = "rt:d"


ReminderTimesButton = TickReminderTime | TypeReminderTime | SaveReminderTimes
REMINDER_TIMES: Area[ReminderTimesButton] = Area(
    "rt", TickReminderTime, TypeReminderTime, SaveReminderTimes
)
