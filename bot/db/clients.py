"""Client rows: finding a client by their Telegram id (the one definition of "a live client"),
pausing, blocking."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Row, Select, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.models import Client, ClientStatus, Therapist

_NOT_DELETED = Client.status != ClientStatus.DELETED


def live_client_where(telegram_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """The condition for the client using this Telegram account (never a deleted one)."""
    return and_(Client.telegram_id == telegram_id, _NOT_DELETED)


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


_LIVE_CLIENT_ROWS = select(Client.telegram_id, Client.id, Client.status, Client.timezone).where(
    Client.telegram_id.in_(bindparam("telegram_ids", expanding=True)), _NOT_DELETED
)


async def live_client_rows(
    connection: AsyncConnection, telegram_ids: Collection[int]
) -> dict[int, LiveClientRow]:
    """`live_client_row` for many Telegram accounts in one statement: those that are clients
    (a Telegram account is one client at most: `client.telegram_id` is unique)."""
    rows = await connection.execute(_LIVE_CLIENT_ROWS, {"telegram_ids": list(telegram_ids)})
    return {
        telegram_id: LiveClientRow(client_id, status, timezone)
        for telegram_id, client_id, status, timezone in rows
    }


async def paused_clients_until(
    session: AsyncSession, *, by: date
) -> list[Row[int, str, date | None]]:
    """Paused clients with a resume date on or before `by`: (id, timezone, paused_until)."""
    result = await session.execute(
        select(Client.id, Client.timezone, Client.paused_until).where(
            Client.status == ClientStatus.PAUSED,
            Client.paused_until.is_not(None),
            Client.paused_until <= by,
        )
    )
    return list(result.all())


async def block_client(session: AsyncSession, client_id: int) -> Row[str, int] | None:
    """Mark an active or paused client blocked: (display_name, therapist_id) when this call
    made the change, None when they were blocked (or gone) already."""
    return (
        await session.execute(
            update(Client)
            .where(
                Client.id == client_id,
                Client.status.in_([ClientStatus.ACTIVE, ClientStatus.PAUSED]),
            )
            .values(status=ClientStatus.BLOCKED)
            .returning(Client.display_name, Client.therapist_id)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()


async def inactive_clients(session: AsyncSession, client_ids: Collection[int]) -> set[int]:
    """Those of `client_ids` who are not active (paused, blocked, deleted)."""
    if not client_ids:
        return set()
    result = await session.execute(
        select(Client.id).where(
            Client.id.in_(list(client_ids)), Client.status != ClientStatus.ACTIVE
        )
    )
    return set(result.scalars())


def clients_of(therapist_telegram_id: int) -> Select[Any]:
    """The ids of this therapist's clients (erased ones are gone; DELETED is never shown)."""
    return (
        select(Client.id)
        .join(Therapist, Therapist.id == Client.therapist_id)
        .where(
            Therapist.telegram_id == therapist_telegram_id,
            Client.status != ClientStatus.DELETED,
        )
    )


def one_client(client_id: int) -> Select[Any]:
    """The id query of a single client, where a report takes a set of clients."""
    return select(Client.id).where(Client.id == client_id)


async def owned_client(
    session: AsyncSession, *, therapist_telegram_id: int, client_id: int
) -> Client | None:
    """The client, if it is this therapist's; None for anyone else's or a made-up id."""
    return (
        await session.execute(
            select(Client).where(
                Client.id == client_id, Client.id.in_(clients_of(therapist_telegram_id))
            )
        )
    ).scalar_one_or_none()


async def client_names_of(session: AsyncSession, therapist_telegram_id: int) -> dict[int, str]:
    """This therapist's clients: id → display name."""
    rows = await session.execute(
        select(Client.id, Client.display_name).where(
            Client.id.in_(clients_of(therapist_telegram_id))
        )
    )
    return {row.id: row.display_name for row in rows}


def clients_of_therapist(therapist_id: int) -> Select[Any]:
    """The ids of the clients of the therapist with row id `therapist_id` (never DELETED)."""
    return select(Client.id).where(
        Client.therapist_id == therapist_id, Client.status != ClientStatus.DELETED
    )


async def client_contacts(
    session: AsyncSession, *, therapist_id: int
) -> list[Row[int, int, ClientStatus]]:
    """(id, telegram_id, status) of the therapist's clients (never DELETED)."""
    rows = await session.execute(
        select(Client.id, Client.telegram_id, Client.status).where(
            Client.therapist_id == therapist_id, Client.status != ClientStatus.DELETED
        )
    )
    return list(rows.all())


async def move_clients(
    session: AsyncSession, *, client_ids: Collection[int], therapist_id: int
) -> None:
    """Give these clients to another therapist."""
    await session.execute(
        update(Client).where(Client.id.in_(list(client_ids))).values(therapist_id=therapist_id)
    )
