"""What handlers and jobs reach through `context.bot_data`: built once in `bot/app.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.config import Settings
from bot.content import ExerciseLibrary
from bot.db.engine import Database

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class ServiceContainer:
    settings: Settings
    db: Database
    library: ExerciseLibrary
    clock: Clock = system_clock

    def now(self) -> datetime:
        return self.clock()
