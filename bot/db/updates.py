"""The processed-update record: claim an update_id once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import insert_for
from bot.db.models import ProcessedUpdate


async def claim_update(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """Record the update as taken; False if it was taken before (a redelivery)."""
    statement = (
        insert_for(session, ProcessedUpdate)
        .values(update_id=update_id, received_at=now)
        .on_conflict_do_nothing(index_elements=[ProcessedUpdate.update_id])
        .returning(ProcessedUpdate.update_id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def claim_updates(
    session: AsyncSession, *, update_ids: Sequence[int], now: datetime
) -> set[int]:
    """Record many updates as taken in one statement; the ones not taken before."""
    statement = (
        insert_for(session, ProcessedUpdate)
        .values([{"update_id": update_id, "received_at": now} for update_id in update_ids])
        .on_conflict_do_nothing(index_elements=[ProcessedUpdate.update_id])
        .returning(ProcessedUpdate.update_id)
    )
    return set((await session.execute(statement)).scalars())


async def forget_updates_before(session: AsyncSession, *, before: datetime) -> int:
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.received_at < before)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
