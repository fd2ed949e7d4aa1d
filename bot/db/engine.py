"""Engine and session factory; SQLite connections get the pragmas concurrency needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.in_process_sqlite import in_process_creator
from bot.db.sqlite_connection import sqlite_creator

# Writers wait this long for a lock instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000
# One connection per process for a SQLite file: every transaction here begins with
# `BEGIN IMMEDIATE`, so two of them never run at once anyway. With more connections they
# contend for the file lock inside SQLite, whose busy handler sleeps 1-100 ms between tries
# (a press waited behind sleeping writers, not behind work); with one, they queue in process
# for the pool's connection and each runs the moment the previous one ends. Other processes
# (the CLI's `tick --at`, a backup) still meet the file lock and wait `busy_timeout`.
SQLITE_POOL = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
# Execution option of `Database.read()` connections: their transaction only reads.
READ_ONLY = "bot_read_only"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # A look-up (`Database.read`) takes no lock at all: in autocommit each statement
            # reads the last commit (WAL: never waiting for a writer).
            return
        # Take the write lock up front: a deferred transaction that upgrades from read to
        # write fails at once with SQLITE_BUSY instead of waiting for busy_timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def ensure_sqlite_directory(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    ensure_sqlite_directory(database_url)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        kwargs = {**SQLITE_POOL, "async_creator": sqlite_creator(database_url), **kwargs}
    elif url.get_backend_name() == "postgresql":
        # A pooled connection that died with the server (a restart, a failover) is noticed at
        # checkout and replaced, instead of failing the first update, tick or stop after it.
        kwargs = {"pool_pre_ping": True, **kwargs}
    engine = create_async_engine(database_url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # The same engine (and pool) with `READ_ONLY` set: see `read`.
    _reader: AsyncEngine | None = field(default=None, repr=False, compare=False)

    @classmethod
    def connect(cls, database_url: str, **kwargs: Any) -> Database:
        engine = create_engine(database_url, **kwargs)
        return cls(
            engine=engine,
            sessions=async_sessionmaker(engine, expire_on_commit=False),
            _reader=engine.execution_options(**{READ_ONLY: True}),
        )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection for a one-statement, read-only look-up (no ORM session; on
        SQLite no transaction is opened, so no lock is taken: each statement reads the last
        commit). Never for writes, nor for reads that must agree with each other."""
        reader = self._reader or self.engine.execution_options(**{READ_ONLY: True})
        async with reader.connect() as connection:
            yield connection

    @classmethod
    def connect_in_process(cls, database_url: str) -> Database:
        """A SQLite file driven on this thread (`bot.db.in_process_sqlite`): batch tools only."""
        if make_url(database_url).get_backend_name() != "sqlite":
            raise ValueError("only a SQLite database can be driven in process")
        return cls.connect(database_url, async_creator=in_process_creator(database_url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        await self.engine.dispose()
