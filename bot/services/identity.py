"""Who is this Telegram user to us: the therapist, a client, or a stranger."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.clients import live_client_row
from bot.db.engine import Database
from bot.db.models import ClientStatus, Therapist
from bot.db.therapists import therapist_by_telegram_id


class Role(enum.StrEnum):
    THERAPIST = "therapist"
    CLIENT = "client"
    STRANGER = "stranger"


@dataclass(frozen=True)
class Identity:
    telegram_id: int
    role: Role
    client_id: int | None = None
    client_status: ClientStatus | None = None
    # A client's IANA time zone (their local day: e.g. is a check-in button still current).
    client_timezone: str | None = None


async def identify(db: Database, *, telegram_id: int, therapist_ids: frozenset[int]) -> Identity:
    if telegram_id in therapist_ids:
        return Identity(telegram_id=telegram_id, role=Role.THERAPIST)
    async with db.read() as connection:
        row = await live_client_row(connection, telegram_id)
    if row is None:
        return Identity(telegram_id=telegram_id, role=Role.STRANGER)
    return Identity(
        telegram_id=telegram_id,
        role=Role.CLIENT,
        client_id=row.id,
        client_status=row.status,
        client_timezone=row.timezone,
    )


async def therapist_row(
    session: AsyncSession, *, telegram_id: int, display_name: str, timezone: str, now: datetime
) -> Therapist:
    """The therapist's row, added (and flushed, so it has an id) on their first contact."""
    therapist = await therapist_by_telegram_id(session, telegram_id)
    if therapist is None:
        therapist = Therapist(
            telegram_id=telegram_id,
            display_name=display_name,
            practice_name="",
            timezone=timezone,
            created_at=now,
        )
        session.add(therapist)
        await session.flush()
    return therapist


async def ensure_therapist(
    db: Database, *, telegram_id: int, display_name: str, timezone: str, now: datetime
) -> int:
    """The therapist's row, created on their first contact; returns its id."""
    async with db.sessions.begin() as session:
        therapist = await therapist_row(
            session, telegram_id=telegram_id, display_name=display_name, timezone=timezone, now=now
        )
        return therapist.id
