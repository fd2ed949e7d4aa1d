"""Trend-alert rows: stored once per open episode, and who is told of them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import insert_for
from bot.db.models import Alert, Client, ClientStatus, Therapist

# The partial unique index `uq_alert_open_episode` (an open episode is stored once).
OPEN_EPISODE = text("acknowledged_at IS NULL AND kind <> 'red_flag'")


def clients_among(client_ids: Collection[int]) -> Select[Any]:
    """The id query of these clients, where a report takes a set of clients."""
    return select(Client.id).where(Client.id.in_(sorted(client_ids)))


async def names_and_therapists(
    session: AsyncSession, *, clients: Select[Any]
) -> list[Row[int, str, int]]:
    """(client id, display name, their therapist's Telegram id) of `clients`."""
    rows = await session.execute(
        select(Client.id, Client.display_name, Therapist.telegram_id)
        .join(Therapist, Therapist.id == Client.therapist_id)
        .where(Client.id.in_(clients))
    )
    return list(rows.all())


async def client_names(session: AsyncSession, *, clients: Select[Any]) -> dict[int, str]:
    rows = await session.execute(
        select(Client.id, Client.display_name).where(Client.id.in_(clients))
    )
    return {row.id: row.display_name for row in rows}


async def active_clients_in_zones(
    session: AsyncSession, zones: Collection[str]
) -> list[Row[int, str, datetime]]:
    """(id, timezone, created_at) of the active clients living in these time zones."""
    rows = await session.execute(
        select(Client.id, Client.timezone, Client.created_at).where(
            Client.status == ClientStatus.ACTIVE, Client.timezone.in_(sorted(zones))
        )
    )
    return list(rows.all())


async def store_open_alert(session: AsyncSession, values: dict[str, Any]) -> int:
    """Store the alert, or refresh the open one of the same client, kind and episode (the
    schema holds each open episode once); its id."""
    statement = (
        insert_for(session, Alert.__table__)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["client_id", "kind", "episode_key"],
            index_where=OPEN_EPISODE,
            set_={k: v for k, v in values.items() if k not in ("client_id", "kind")},
        )
        .returning(Alert.id)
    )
    return int((await session.execute(statement)).scalar_one())
