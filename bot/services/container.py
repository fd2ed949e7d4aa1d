"""What handlers and jobs reach through `context.bot_data`: built once in `bot/app.py`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.config import Settings
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.services.identity import ClientLookups
from bot.services.red_flags import RedFlagReport
from bot.services.updates import UpdateClaims

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class ServiceContainer:
    settings: Settings
    db: Database
    library: ExerciseLibrary
    clock: Clock = system_clock
    # Sends a red-flag alert directly when the report cannot be written, and records it once
    # the database is back (`scheduler.outbox.UnrecordedRedFlags.alert`); how many were told.
    red_flag_fallback: Callable[[RedFlagReport, str], Awaitable[int]] | None = None
    # Hands outbox rows this process just wrote to the dispatcher now (a job's alerts) rather
    # than at the next tick (`scheduler.outbox.Outbox.after_update`).
    flush_outbox: Callable[[], Awaitable[None]] | None = None
    # Claims each update once, many per transaction (`bot.services.updates.UpdateClaims`);
    # without it each update is claimed in a transaction of its own.
    update_claims: UpdateClaims | None = None
    # Looks up who pressed or wrote, many users per statement (`bot.services.identity.
    # ClientLookups`); without it each update's look-up is a read of its own.
    client_lookups: ClientLookups | None = None

    def now(self) -> datetime:
        return self.clock()
