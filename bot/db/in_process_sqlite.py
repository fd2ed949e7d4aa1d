"""SQLite driven on the event loop's own thread, for one-task batch tools (`alerts replay`).

The aiosqlite driver runs every call on a worker thread and wakes the event loop with the
result: safe for a bot whose loop must never block, but each statement then costs a thread
hand-off both ways — about 70 % of a replayed check-in's CPU on this project's 2-core machine
(docs/benchmarks.md). A replay has nothing else to serve while a statement runs, so here the
same driver object calls sqlite3 directly. The SQL, the dialect, the pragmas (`bot.db.engine`)
and the service code are the bot's own; only the hand-off is gone.

Never use this for the running bot: a slow statement would stall every update and the tick.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite
from sqlalchemy.engine import make_url

# aiosqlite's default (rows fetched per step when iterating a cursor).
_ITER_CHUNK_SIZE = 64


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its worker thread: runs each call when queued.

    SQLAlchemy's aiosqlite adapter queues some calls (setting the isolation level) directly.
    """

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, as the thread would
            if future is not None:
                future.set_exception(exc)
        else:
            if future is not None:
                future.set_result(result)


class InProcessConnection(aiosqlite.Connection):
    """An `aiosqlite.Connection` whose calls run on the caller's thread, never a worker's."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, _ITER_CHUNK_SIZE)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> InProcessConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InProcessConnection]:
        # No worker thread to start.
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __del__(self) -> None:
        self.stop()


def in_process_creator(database_url: str) -> Callable[[], InProcessConnection]:
    """The `async_creator` for `create_async_engine`: a SQLite file opened on this thread."""
    path = make_url(database_url).database
    if not path:
        raise ValueError("an in-process SQLite database needs a file path")

    def connect() -> sqlite3.Connection:
        # Autocommit at the driver: SQLAlchemy (bot.db.engine) issues BEGIN itself.
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    return lambda: InProcessConnection(connect)
