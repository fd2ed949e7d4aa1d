"""The bot's SQLite connection: aiosqlite, with the calls that never wait run in place.

aiosqlite runs every call of a connection on its worker thread and wakes the event loop with
the result, so the loop never blocks on SQLite's file lock (`BEGIN IMMEDIATE` may wait
`busy_timeout` for another process) or on the disk. Each of those hand-offs costs a thread
wake-up both ways; a one-row look-up makes five (make a cursor, execute, fetch, close the
cursor, roll back on returning the connection to the pool). Making a cursor, closing one and
rolling back wait for neither the lock nor the disk (WAL: a rollback drops the transaction's
pages from memory), so they run on the caller's thread — but only while nothing is running
on the worker thread, so the two never touch the connection at once (a task cancelled while
its statement is still on the worker leaves it to the worker to roll back).

Statements, fetches and commits go to the worker, except small reads made often, which a
caller marks with `reads_in_place` (the scheduler's look for anything due, the press guard's
client look-up): a `SELECT` outside a transaction never waits in WAL mode, so it runs on the
caller's thread too. Writes never do: their `BEGIN IMMEDIATE` may wait for another process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import aiosqlite
from sqlalchemy.engine import make_url

# aiosqlite's default (rows fetched per step when iterating a cursor).
_ITER_CHUNK_SIZE = 64
_IN_PLACE = {
    (sqlite3.Connection, "cursor"),
    (sqlite3.Connection, "rollback"),
    (sqlite3.Cursor, "close"),
}


# Set by `reads_in_place`: a `SELECT` outside a transaction, and fetching its rows, run in place.
_READS_IN_PLACE: ContextVar[bool] = ContextVar("sqlite_reads_in_place", default=False)


@contextmanager
def reads_in_place() -> Iterator[None]:
    """Within this block, a read outside a transaction runs on the caller's thread as well.

    For small reads made often, such as the scheduler's once-a-second look for anything due
    (a few EXISTS that each stop at their first index entry): in WAL mode a reader never waits
    for a writer, so the only wait is SQLite's own work, microseconds, while the two thread
    hand-offs cost ~0.2 ms of CPU each time. Not for reads that can be large: the loop would
    wait for them.
    """
    token = _READS_IN_PLACE.set(True)
    try:
        yield
    finally:
        _READS_IN_PLACE.reset(token)


def _waits_for_nothing(fn: Callable[..., Any], args: tuple[Any, ...]) -> bool:
    owner = getattr(fn, "__self__", None)
    name = getattr(fn, "__name__", "")
    if _READS_IN_PLACE.get() and isinstance(owner, sqlite3.Cursor):
        if name in ("fetchone", "fetchall", "fetchmany"):
            return True
        if name == "execute" and not owner.connection.in_transaction:
            return bool(args) and isinstance(args[0], str) and _is_select(args[0])
    return any(isinstance(owner, kind) and name == wanted for kind, wanted in _IN_PLACE)


def _is_select(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


class SqliteConnection(aiosqlite.Connection):
    """An `aiosqlite.Connection` that runs the calls that never wait on the caller's thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, _ITER_CHUNK_SIZE)
        # As SQLAlchemy makes aiosqlite's own: an engine never disposed does not keep the
        # process from exiting.
        self._thread.daemon = True
        # Written by one thread each (queued: the loop's; finished: the worker's), so
        # `queued == finished` means the worker is not using the connection.
        self._queued = 0
        self._finished = 0

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._queued == self._finished and not kwargs and _waits_for_nothing(fn, args):
            if not self._running or self._connection is None:
                raise ValueError("Connection closed")
            return fn(*args)

        def on_worker() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                self._finished += 1

        self._queued += 1
        on_thread: Callable[[Callable[[], Any]], Awaitable[Any]] = super()._execute
        return await on_thread(on_worker)


def sqlite_creator(database_url: str) -> Callable[[], SqliteConnection]:
    """The `async_creator` for `create_async_engine`: the file with SQLAlchemy's own
    connect arguments for it (`check_same_thread=False`, a URL's `timeout`)."""
    url = make_url(database_url)
    args, kwargs = url.get_dialect()().create_connect_args(url)
    path, options = str(args[0]), dict[str, Any](kwargs)

    def connect() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(path, **options)
        return connection

    return lambda: SqliteConnection(connect)
