"""Updates that arrive together are claimed together, and each is still acted on exactly once:
a burst of presses (some of them redelivered, some twice in the same burst) lets every new
update through once and stops every repeat, on both engines."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import ProcessedUpdate
from bot.services.updates import UpdateClaims, first_delivery
from tests.conftest import DEFAULT_NOW


async def test_a_burst_of_updates_is_claimed_once_each_even_with_repeats(db: Database) -> None:
    # Delivered before a restart (claimed one by one, as a bot without batching did).
    for update_id in (1, 2, 3):
        assert await first_delivery(db, update_id=update_id, now=DEFAULT_NOW)

    claims = UpdateClaims(db)
    # 40 updates at once: ids 1-3 are redeliveries, 4-40 new, and 10 and 20 arrive twice.
    arriving = [*range(1, 41), 10, 20]
    results = await asyncio.gather(
        *(claims.first_delivery(update_id=i, now=DEFAULT_NOW) for i in arriving)
    )

    let_through = [i for i, first in zip(arriving, results, strict=True) if first]
    assert sorted(let_through) == list(range(4, 41))
    # A later burst repeating some of them lets none through.
    again = await asyncio.gather(
        *(claims.first_delivery(update_id=i, now=DEFAULT_NOW) for i in (5, 39, 40))
    )
    assert again == [False, False, False]
    async with db.sessions() as session:
        stored = (await session.execute(select(func.count()).select_from(ProcessedUpdate))).scalar()
    assert stored == 40
