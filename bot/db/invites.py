"""Invite rows: single-use, expiring links a therapist gives a new client (stored hashed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Invite, Therapist


async def claim_invite(
    session: AsyncSession, *, token_hash: str, now: datetime
) -> Row[int, int, str] | None:
    """Use the invite if it is unused and unexpired: (id, therapist_id, client_name), or None.
    One UPDATE … WHERE used_at IS NULL, so two taps on one link cannot both use it."""
    return (
        await session.execute(
            update(Invite)
            .where(
                Invite.token_hash == token_hash,
                Invite.used_at.is_(None),
                Invite.expires_at > now,
            )
            .values(used_at=now)
            .returning(Invite.id, Invite.therapist_id, Invite.client_name)
        )
    ).one_or_none()


async def link_invite_to_client(session: AsyncSession, *, invite_id: int, client_id: int) -> None:
    await session.execute(update(Invite).where(Invite.id == invite_id).values(client_id=client_id))


async def invite_state(
    session: AsyncSession, *, token_hash: str
) -> Row[datetime | None, datetime] | None:
    """(used_at, expires_at) of the invite with this token, or None."""
    return (
        await session.execute(
            select(Invite.used_at, Invite.expires_at).where(Invite.token_hash == token_hash)
        )
    ).one_or_none()


async def invite_with_therapist(
    session: AsyncSession, *, token_hash: str
) -> Row[str, datetime, datetime | None, str] | None:
    """(client_name, expires_at, used_at, therapist display_name) of the invite, or None."""
    return (
        await session.execute(
            select(Invite.client_name, Invite.expires_at, Invite.used_at, Therapist.display_name)
            .join(Therapist, Therapist.id == Invite.therapist_id)
            .where(Invite.token_hash == token_hash)
        )
    ).one_or_none()
