"""`python -m bot db backup FILE` / `db restore FILE`, and what `python -m bot health` reads.

SQLite: the online backup API copies a consistent snapshot while the bot keeps running (WAL
readers and writers carry on); restore copies a backup back over the database file — stop the
bot first. PostgreSQL: use its own tools; `pg_dump_command` says which command (never the
password: pg_dump reads it from PGPASSWORD or ~/.pgpass).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

HEARTBEAT_KEY = "heartbeat"  # the outbox row a running bot's tick refreshes


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    return Path(url.database)


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def backup_sqlite(database_url: str, target: Path) -> None:
    source = sqlite_file(database_url)
    if source is None or not source.is_file():
        raise FileNotFoundError(f"no SQLite database at {source}")
    _copy(source, target)


def restore_sqlite(database_url: str, backup: Path) -> None:
    """Copy `backup` over the database. It must be a database this bot wrote."""
    target = sqlite_file(database_url)
    if target is None:
        raise ValueError("restore is for SQLite; for PostgreSQL use pg_restore")
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as check:
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
    check.close()
    if "alembic_version" not in tables:
        raise ValueError(f"{backup} is not a backup of this bot's database")
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(backup, target)


def pg_dump_command(database_url: str, target: Path) -> str:
    url = make_url(database_url)
    parts = ["pg_dump", "--format=custom", f"--file={target}"]
    if url.host:
        parts.append(f"--host={url.host}")
    if url.port:
        parts.append(f"--port={url.port}")
    if url.username:
        parts.append(f"--username={url.username}")
    parts.append(url.database or "")
    return " ".join(parts)
