"""Outcome-measure rows (the weekly Sciatica Bothersomeness Index)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutcomeMeasure


async def measures_for_weeks(
    session: AsyncSession, *, client_id: int, instrument: str, weeks: Collection[date]
) -> dict[date, OutcomeMeasure]:
    """The client's `instrument` answers for the weeks starting on `weeks`, by week start."""
    rows = await session.execute(
        select(OutcomeMeasure).where(
            OutcomeMeasure.client_id == client_id,
            OutcomeMeasure.instrument == instrument,
            OutcomeMeasure.period_start.in_(list(weeks)),
        )
    )
    return {measure.period_start: measure for measure in rows.scalars()}


async def totals_recorded(
    session: AsyncSession,
    *,
    clients: Select[Any],
    instrument: str,
    since: datetime,
    until: datetime,
) -> list[Row[int, datetime, int]]:
    """(client_id, recorded_at, total) of `clients`' `instrument` answers recorded in
    [since, until)."""
    rows = await session.execute(
        select(OutcomeMeasure.client_id, OutcomeMeasure.recorded_at, OutcomeMeasure.total).where(
            OutcomeMeasure.client_id.in_(clients),
            OutcomeMeasure.instrument == instrument,
            OutcomeMeasure.recorded_at >= since,
            OutcomeMeasure.recorded_at < until,
        )
    )
    return list(rows.all())
