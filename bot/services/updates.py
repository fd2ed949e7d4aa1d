"""Each Telegram update is acted on once, even when it is delivered again."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.db import updates
from bot.db.engine import Database
from bot.services.batching import settle_after_failure

# Telegram keeps an unconfirmed update for 24 hours; a record older than twice that can never
# meet its update again.
KEEP_FOR = timedelta(hours=48)
# Purge old records on one update in this many (an indexed delete, off the common path).
PURGE_EVERY = 100


async def first_delivery(db: Database, *, update_id: int, now: datetime) -> bool:
    """True the first time this update_id is seen (and records it); False for a redelivery.

    Claimed before the handlers run, in its own transaction: a crash mid-handler loses that
    one update rather than acting on it twice (a second reminder answer, a note forwarded as a
    question, a second erasure notice).
    """
    async with db.engine.begin() as connection:
        first = bool(await updates.claim_updates(connection, update_ids=[update_id], now=now))
        if first and update_id % PURGE_EVERY == 0:
            await updates.forget_updates_before(connection, before=now - KEEP_FOR)
    return first


class UpdateClaims:
    """`first_delivery` for many updates at once: the updates that arrive while a claim is
    being written are claimed together in the next transaction (one INSERT of all their ids),
    each caller still waiting until its own claim is committed. Same guarantee, one write
    per batch instead of one per update (the bot handles `CONCURRENT_UPDATES` at once).
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: dict[int, asyncio.Future[bool]] = {}
        self._now: datetime | None = None
        self._writer: asyncio.Task[None] | None = None
        # Writers still running (the batch they took is no longer pending): kept referenced.
        self._writing: set[asyncio.Task[None]] = set()

    async def first_delivery(self, *, update_id: int, now: datetime) -> bool:
        """True the first time this update_id is seen (and records it); False otherwise."""
        if update_id in self._pending:
            return False  # the same update twice in one batch: the second is a redelivery
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending[update_id] = future
        self._now = now if self._now is None else max(self._now, now)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
            self._writing.add(self._writer)
            self._writer.add_done_callback(self._writing.discard)
        return await future

    def _take(self) -> tuple[dict[int, asyncio.Future[bool]], datetime | None]:
        batch, now = self._pending, self._now
        self._pending, self._now, self._writer = {}, None, None
        return batch, now

    async def _write(self) -> None:
        batch: dict[int, asyncio.Future[bool]] | None = None
        try:
            # The batch is taken once the transaction has its connection (on SQLite, the
            # one): every update that arrived while it waited joins it.
            async with self._db.engine.begin() as connection:
                batch, now = self._take()
                assert now is not None
                taken = await updates.claim_updates(connection, update_ids=list(batch), now=now)
                if any(update_id % PURGE_EVERY == 0 for update_id in taken):
                    await updates.forget_updates_before(connection, before=now - KEEP_FOR)
        except BaseException as exc:
            settle_after_failure((batch if batch is not None else self._take()[0]).values(), exc)
            if not isinstance(exc, Exception):
                raise
            return
        for update_id, future in batch.items():
            if not future.done():
                future.set_result(update_id in taken)
