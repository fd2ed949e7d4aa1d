"""Finding a client by their Telegram id: the one definition of "a live client"."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Client, ClientStatus


def live_client_where(telegram_id: int) -> ColumnElement[bool]:
    """The condition for the client using this Telegram account (never a deleted one)."""
    return and_(Client.telegram_id == telegram_id, Client.status != ClientStatus.DELETED)


async def live_client(
    session: AsyncSession, telegram_id: int, *, lock: bool = False
) -> Client | None:
    """The client using this Telegram account, or None.

    `lock` takes a row lock so two instances handling the same double tap serialise on
    PostgreSQL (SQLite already serialises writers with BEGIN IMMEDIATE).
    """
    query = select(Client).where(live_client_where(telegram_id))
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()
