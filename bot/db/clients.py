"""Finding a client by their Telegram id: the one definition of "a live client"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.models import Client, ClientStatus


def live_client_where(telegram_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """The condition for the client using this Telegram account (never a deleted one)."""
    return and_(Client.telegram_id == telegram_id, Client.status != ClientStatus.DELETED)


# Built once: every button press and check-in looks its client up.
_LIVE_CLIENT = select(Client).where(live_client_where(bindparam("telegram_id")))
_LIVE_CLIENT_LOCKED = _LIVE_CLIENT.with_for_update()


async def live_client(
    session: AsyncSession, telegram_id: int, *, lock: bool = False
) -> Client | None:
    """The client using this Telegram account, or None.

    `lock` takes a row lock so two instances handling the same double tap serialise on
    PostgreSQL (SQLite already serialises writers with BEGIN IMMEDIATE).
    """
    query = _LIVE_CLIENT_LOCKED if lock else _LIVE_CLIENT
    return (await session.execute(query, {"telegram_id": telegram_id})).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class LiveClientRow:
    id: int
    status: ClientStatus
    timezone: str


_LIVE_CLIENT_ROW = select(Client.id, Client.status, Client.timezone).where(
    live_client_where(bindparam("telegram_id"))
)


async def live_client_row(connection: AsyncConnection, telegram_id: int) -> LiveClientRow | None:
    """Who this Telegram account is as a client (id, status, time zone), or None: the
    look-up every press and command starts with, so plain Core on a read connection."""
    row = (await connection.execute(_LIVE_CLIENT_ROW, {"telegram_id": telegram_id})).first()
    return None if row is None else LiveClientRow(row.id, row.status, row.timezone)
