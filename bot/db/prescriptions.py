"""Prescription rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Prescription


async def active_prescriptions(
    session: AsyncSession, *, client_id: int, now: datetime
) -> list[Prescription]:
    """The client's prescription lines not ended by `now`, in the order they were prescribed."""
    rows = await session.execute(
        select(Prescription)
        .where(
            Prescription.client_id == client_id,
            or_(Prescription.active_to.is_(None), Prescription.active_to > now),
        )
        .order_by(Prescription.id)
    )
    return list(rows.scalars())


async def started_prescriptions(
    session: AsyncSession, *, client_id: int, now: datetime
) -> list[Prescription]:
    """The lines in force at `now` (started and not ended), in the order they were prescribed."""
    rows = await session.execute(
        select(Prescription)
        .where(
            Prescription.client_id == client_id,
            Prescription.active_from <= now,
            or_(Prescription.active_to.is_(None), Prescription.active_to > now),
        )
        .order_by(Prescription.id)
    )
    return list(rows.scalars())
