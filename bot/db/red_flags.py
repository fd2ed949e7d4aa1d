"""Red-flag alerts: one per reported message or screen (its episode key)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Alert
from bot.domain.alerts import AlertKind


async def red_flag_alert_id(
    session: AsyncSession, *, client_id: int, episode_key: str
) -> int | None:
    """The red-flag alert already stored for this report, if any."""
    return (
        await session.execute(
            select(Alert.id).where(
                Alert.client_id == client_id,
                Alert.kind == AlertKind.RED_FLAG.value,
                Alert.episode_key == episode_key,
            )
        )
    ).scalar_one_or_none()
