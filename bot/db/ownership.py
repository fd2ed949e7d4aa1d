"""Whose is this record: the press guard's check that a button names the presser's own rows."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Alert, Client, ClientStatus, Delivery, Schedule, Therapist

# The tables a button may name by id (bot.buttons.RecordId), and the client each row is about.
OWNED_TABLES = ("client", "delivery", "alert")


def _client_ids(table: str, record_id: int) -> ColumnElement[bool] | None:
    """The condition 'Client is the client this record is about'; None for an unknown table."""
    if table == "client":
        return Client.id == record_id
    if table == "delivery":
        return Client.id.in_(
            select(Schedule.client_id)
            .join(Delivery, Delivery.schedule_id == Schedule.id)
            .where(Delivery.id == record_id)
        )
    if table == "alert":
        return Client.id.in_(select(Alert.client_id).where(Alert.id == record_id))
    return None


async def records_of_client(
    connection: AsyncConnection, *, client_id: int, records: Iterable[tuple[str, int]]
) -> bool:
    """Every record is about this (live) client."""
    return await _all_match(connection, records, Client.id == client_id)


async def records_of_therapist(
    connection: AsyncConnection, *, therapist_telegram_id: int, records: Iterable[tuple[str, int]]
) -> bool:
    """Every record is about a live client of this therapist."""
    return await _all_match(
        connection,
        records,
        Client.therapist_id.in_(
            select(Therapist.id).where(Therapist.telegram_id == therapist_telegram_id)
        ),
    )


async def _all_match(
    connection: AsyncConnection, records: Iterable[tuple[str, int]], owner: ColumnElement[bool]
) -> bool:
    for table, record_id in records:
        about = _client_ids(table, record_id)
        if about is None:
            return False
        found = (
            await connection.execute(
                select(func.count())
                .select_from(Client)
                .where(and_(about, owner, Client.status != ClientStatus.DELETED))
            )
        ).scalar_one()
        if found == 0:
            return False
    return True
