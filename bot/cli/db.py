"""`python -m bot db upgrade | backup FILE | restore FILE`: database maintenance."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.usage import fail
from bot.config import load_settings

if TYPE_CHECKING:
    from bot.cli.usage import Subcommands

__all__ = ["add_to"]


def add_to(commands: Subcommands) -> None:
    db = commands.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="apply all migrations (creates the SQLite file)")
    backup = actions.add_parser(
        "backup", help="copy the SQLite database to FILE while the bot runs (PostgreSQL: how)"
    )
    backup.add_argument("file", type=Path)
    restore = actions.add_parser(
        "restore", help="copy a SQLite backup FILE over the database (stop the bot first)"
    )
    restore.add_argument("file", type=Path)
    db.set_defaults(command_main=main)


def main(args: argparse.Namespace) -> int:
    if args.db_command == "backup":
        return _backup(args.file)
    if args.db_command == "restore":
        return _restore(args.file)
    return _upgrade()


def _upgrade() -> int:
    from bot.db.migrate import upgrade

    upgrade(load_settings().database_url)
    print("database is up to date")
    return 0


def _backup(target: Path) -> int:
    from bot.db.backup import backup_sqlite, pg_dump_command, sqlite_file

    database_url = load_settings().database_url
    if sqlite_file(database_url) is None:
        print("PostgreSQL: back up with pg_dump (password from PGPASSWORD or ~/.pgpass):")
        print(pg_dump_command(database_url, target))
        return 0
    try:
        backup_sqlite(database_url, target)
    except (OSError, sqlite3.Error) as exc:
        return fail(f"backup failed: {exc}")
    print(f"backup written to {target}")
    return 0


def _restore(source: Path) -> int:
    from bot.db.backup import restore_sqlite

    database_url = load_settings().database_url
    if not source.is_file():
        return fail(f"{source} does not exist")
    try:
        restore_sqlite(database_url, source)
    except (OSError, ValueError, sqlite3.Error) as exc:
        return fail(f"restore failed: {exc}")
    print(f"database restored from {source}; run python -m bot db upgrade if it is older")
    return 0
