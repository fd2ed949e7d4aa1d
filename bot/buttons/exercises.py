"""The exercise library: ``ex:show:<slug>`` (also the "How to" on every reminder)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.buttons import Area, Button
from bot.buttons.fields import Slug


@dataclass(frozen=True)
class ShowExercise(Button):
    tag: ClassVar[str] = "ex:show"
    slug: Slug


EXERCISES: Area[ShowExercise] = Area("ex", ShowExercise)
