"""Therapist rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Therapist


async def therapist_telegram_id(session: AsyncSession, therapist_id: int) -> int | None:
    return await session.scalar(select(Therapist.telegram_id).where(Therapist.id == therapist_id))


async def therapist_by_telegram_id(session: AsyncSession, telegram_id: int) -> Therapist | None:
    return (
        await session.execute(select(Therapist).where(Therapist.telegram_id == telegram_id))
    ).scalar_one_or_none()
