"""The processed-update record: claim an update_id once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import ProcessedUpdate


def _claim_statement(dialect: Any) -> Any:
    return (
        dialect.insert(ProcessedUpdate)
        .on_conflict_do_nothing(index_elements=[ProcessedUpdate.update_id])
        .returning(ProcessedUpdate.update_id)
    )


# Built once per dialect: every update runs it (with one row per update of its batch).
_CLAIM = {"sqlite": _claim_statement(sqlite), "postgresql": _claim_statement(postgresql)}


async def claim_updates(
    connection: AsyncConnection, *, update_ids: Sequence[int], now: datetime
) -> set[int]:
    """Record the updates as taken, in one statement; the ones not taken before (the others
    are redeliveries)."""
    result = await connection.execute(
        _CLAIM[connection.dialect.name],
        [{"update_id": update_id, "received_at": now} for update_id in update_ids],
    )
    return set(result.scalars())


async def forget_updates_before(connection: AsyncConnection, *, before: datetime) -> int:
    result = await connection.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.received_at < before)
    )
    return int(result.rowcount)
