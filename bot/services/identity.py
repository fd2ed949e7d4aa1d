"""Who is this Telegram user to us: the therapist, a client, or a stranger."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.clients import LiveClientRow, live_client_row, live_client_rows
from bot.db.engine import Database
from bot.db.models import ClientStatus, Therapist
from bot.db.sqlite_connection import reads_in_place
from bot.db.therapists import therapist_by_telegram_id
from bot.services.batching import settle_after_failure


class Role(enum.StrEnum):
    THERAPIST = "therapist"
    CLIENT = "client"
    STRANGER = "stranger"


@dataclass(frozen=True)
class Identity:
    telegram_id: int
    role: Role
    client_id: int | None = None
    client_status: ClientStatus | None = None
    # A client's IANA time zone (their local day: e.g. is a check-in button still current).
    client_timezone: str | None = None


class ClientLookups:
    """The client look-up of `identify` for many users at once: the look-ups asked for while
    one waits for the database connection are made together, in one statement, when it has
    it (every update starts with one, `CONCURRENT_UPDATES` at a time). Each caller still gets
    a reading taken after it asked.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: dict[int, list[asyncio.Future[LiveClientRow | None]]] = {}
        self._reader: asyncio.Task[None] | None = None
        # Readers still running (the batch they took is no longer pending): kept referenced.
        self._reading: set[asyncio.Task[None]] = set()

    async def client_row(self, telegram_id: int) -> LiveClientRow | None:
        future: asyncio.Future[LiveClientRow | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(telegram_id, []).append(future)
        if self._reader is None:
            self._reader = asyncio.create_task(self._read())
            self._reading.add(self._reader)
            self._reader.add_done_callback(self._reading.discard)
        return await future

    def _take(self) -> dict[int, list[asyncio.Future[LiveClientRow | None]]]:
        batch, self._pending, self._reader = self._pending, {}, None
        return batch

    async def _read(self) -> None:
        batch: dict[int, list[asyncio.Future[LiveClientRow | None]]] | None = None
        try:
            async with self._db.read() as connection:
                # Taken once the connection is ours: every look-up asked for meanwhile joins.
                batch = self._take()
                # One indexed SELECT of at most CONCURRENT_UPDATES ids: on the loop's thread.
                with reads_in_place():
                    found = await live_client_rows(connection, batch)
        except BaseException as exc:
            waiting = batch if batch is not None else self._take()
            settle_after_failure((f for futures in waiting.values() for f in futures), exc)
            if not isinstance(exc, Exception):
                raise
            return
        for telegram_id, futures in batch.items():
            for future in futures:
                if not future.done():
                    future.set_result(found.get(telegram_id))


async def identify(
    db: Database,
    *,
    telegram_id: int,
    therapist_ids: frozenset[int],
    lookups: ClientLookups | None = None,
) -> Identity:
    """`lookups` joins the look-up to others made at the same time; without it, one read."""
    if telegram_id in therapist_ids:
        return Identity(telegram_id=telegram_id, role=Role.THERAPIST)
    if lookups is not None:
        row = await lookups.client_row(telegram_id)
    else:
        async with db.read() as connection:
            row = await live_client_row(connection, telegram_id)
    if row is None:
        return Identity(telegram_id=telegram_id, role=Role.STRANGER)
    return Identity(
        telegram_id=telegram_id,
        role=Role.CLIENT,
        client_id=row.id,
        client_status=row.status,
        client_timezone=row.timezone,
    )


async def therapist_row(
    session: AsyncSession, *, telegram_id: int, display_name: str, timezone: str, now: datetime
) -> Therapist:
    """The therapist's row, added (and flushed, so it has an id) on their first contact."""
    therapist = await therapist_by_telegram_id(session, telegram_id)
    if therapist is None:
        therapist = Therapist(
            telegram_id=telegram_id,
            display_name=display_name,
            practice_name="",
            timezone=timezone,
            created_at=now,
        )
        session.add(therapist)
        await session.flush()
    return therapist


async def ensure_therapist(
    db: Database, *, telegram_id: int, display_name: str, timezone: str, now: datetime
) -> int:
    """The therapist's row, created on their first contact; returns its id."""
    async with db.sessions.begin() as session:
        therapist = await therapist_row(
            session, telegram_id=telegram_id, display_name=display_name, timezone=timezone, now=now
        )
        return therapist.id
