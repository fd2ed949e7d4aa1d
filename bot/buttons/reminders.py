"""Exercise reminders: ``rem:<done|partly|skip|snooze>:<delivery>``,
``rem:why:<delivery>:<reason>`` (the reason after Skip)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from bot.buttons import Area, Button
from bot.buttons.fields import DeliveryId


class ReminderAnswer(enum.StrEnum):
    DONE = "done"
    PARTLY = "partly"
    SKIP = "skip"
    SNOOZE = "snooze"


class SkipReason(enum.StrEnum):
    PAIN = "pain"
    TIME = "time"
    FORGOT = "forgot"
    OTHER = "other"


@dataclass(frozen=True)
class ReminderPress(Button):
    tag: ClassVar[str] = "rem"
    answer: ReminderAnswer
    delivery_id: DeliveryId


@dataclass(frozen=True)
class SkipReasonPress(Button):
    tag: ClassVar[str] = "rem:why"
    delivery_id: DeliveryId
    reason: SkipReason


ReminderButton = ReminderPress | SkipReasonPress
REMINDERS: Area[ReminderButton] = Area("rem", ReminderPress, SkipReasonPress)
