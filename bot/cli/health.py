"""`python -m bot health`: exit 0 only when the bot can do its work.

The database answers; its migrations are at head; and when a bot is running (its tick keeps a
heartbeat row in the ledger, removed when it stops cleanly) the last tick is under a minute
old. One line per problem, no secrets.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.config import Settings, load_settings

if TYPE_CHECKING:
    from bot.cli.usage import Subcommands

__all__ = ["MAX_TICK_AGE", "add_to", "check_health"]

MAX_TICK_AGE = timedelta(seconds=60)


def add_to(commands: Subcommands) -> None:
    health = commands.add_parser(
        "health", help="exit 0 when the database answers, is migrated, and the bot ticks"
    )
    health.set_defaults(command_main=main)


def main(args: argparse.Namespace) -> int:
    import asyncio

    problems = asyncio.run(check_health(load_settings()))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print("healthy")
    return 0


async def check_health(settings: Settings, *, now: datetime | None = None) -> list[str]:
    from alembic.script import ScriptDirectory

    from bot.db.engine import Database
    from bot.db.health import last_tick, migration_revision
    from bot.db.migrate import alembic_config

    now = now or datetime.now(tz=UTC)
    db = Database.connect(settings.database_url)
    try:
        current = await migration_revision(db)
        head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
        if current != head:
            return [f"migrations not at head ({current} != {head}): run python -m bot db upgrade"]
        ticked = await last_tick(db)
        if ticked is not None and now - ticked > MAX_TICK_AGE:
            age = int((now - ticked).total_seconds())
            return [f"the bot's last scheduler tick was {age} s ago (limit 60 s)"]
        return []
    except OSError as exc:
        return [f"database unreachable: {type(exc).__name__}"]
    except Exception as exc:
        return [f"database unreachable: {type(exc).__name__}"]
    finally:
        await db.dispose()
