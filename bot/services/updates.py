"""Each Telegram update is acted on once, even when it is delivered again."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db import updates
from bot.db.engine import Database

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
    async with db.sessions.begin() as session:
        first = await updates.claim_update(session, update_id=update_id, now=now)
        if first and update_id % PURGE_EVERY == 0:
            await updates.forget_updates_before(session, before=now - KEEP_FOR)
    return first
