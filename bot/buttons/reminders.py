"""Exercise reminders: ``rem:<done|partly|skip|snooze>:<delivery>``,
``rem:why:<delivery>:<reason>`` (the reason after Skip), ``rem:leg:<delivery>:<answer>`` ("How
was your leg afterwards?") and ``rem:which:<delivery>[:<slug>]`` (which exercise it was after
Worse for several; no slug: not sure)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from bot.buttons import Area, Button
from bot.buttons.fields import DeliveryId, Slug


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


class LegAnswer(enum.StrEnum):
    """The answers to "How was your leg afterwards?" (db.models.LegResponse)."""

    EASED = "eased"
    SAME = "same"
    WORSE = "worse"
    SPREAD = "spread"


@dataclass(frozen=True)
class LegAnswerPress(Button):
    tag: ClassVar[str] = "rem:leg"
    delivery_id: DeliveryId
    answer: LegAnswer


@dataclass(frozen=True)
class WhichExercisePress(Button):
    tag: ClassVar[str] = "rem:which"
    delivery_id: DeliveryId
    slug: Slug | None = None


ReminderButton = ReminderPress | SkipReasonPress | LegAnswerPress | WhichExercisePress
REMINDERS: Area[ReminderButton] = Area(
    "rem", ReminderPress, SkipReasonPress, LegAnswerPress, WhichExercisePress
)
