"""Invite links: created by the therapist, redeemed once by a new client who consents.

Tokens follow DESIGN.md ("Safety, privacy"): ≥ 128 bits of randomness, URL-safe, ≤ 64
characters (Telegram's limit for a /start parameter), single-use, expiring, and stored only as
a SHA-256 hash — a leaked database cannot be turned back into working links.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import invites as invite_rows
from bot.db.clients import live_client
from bot.db.engine import Database
from bot.db.models import Invite
from bot.services.identity import ensure_therapist

# 24 random bytes = 192 bits, encoded as 32 URL-safe characters (Telegram allows up to 64 in
# a deep-link start parameter, from the set A-Z a-z 0-9 _ -).
TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CLIENT_NAME_MAX = 128


class InviteStatus(enum.StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    ALREADY_CLIENT = "already_client"


class InvalidClientNameError(ValueError):
    """The name is empty or longer than the column allows."""


@dataclass(frozen=True)
class NewInvite:
    token: str
    client_name: str
    expires_at: datetime


@dataclass(frozen=True)
class InviteCheck:
    status: InviteStatus
    client_name: str | None = None
    therapist_name: str | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def clean_client_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > CLIENT_NAME_MAX:
        raise InvalidClientNameError(raw)
    return name


async def create_invite(
    db: Database,
    *,
    therapist_telegram_id: int,
    therapist_name: str,
    client_name: str,
    default_timezone: str,
    ttl_days: int,
    now: datetime,
) -> NewInvite:
    """A fresh single-use invite for `client_name`; the token is returned once, never stored."""
    name = clean_client_name(client_name)
    therapist_id = await ensure_therapist(
        db,
        telegram_id=therapist_telegram_id,
        display_name=therapist_name,
        timezone=default_timezone,
        now=now,
    )
    token = new_token()
    expires_at = now + timedelta(days=ttl_days)
    async with db.sessions.begin() as session:
        session.add(
            Invite(
                therapist_id=therapist_id,
                token_hash=hash_token(token),
                client_name=name,
                created_at=now,
                expires_at=expires_at,
                used_at=None,
            )
        )
    return NewInvite(token=token, client_name=name, expires_at=expires_at)


async def _registered(db: Database, telegram_id: int) -> bool:
    async with db.sessions() as session:
        return await live_client(session, telegram_id) is not None


async def check_invite(db: Database, *, token: str, telegram_id: int, now: datetime) -> InviteCheck:
    """What a tapped link means for this user. Reads only: nothing is stored before consent."""
    if await _registered(db, telegram_id):
        return InviteCheck(status=InviteStatus.ALREADY_CLIENT)
    if not TOKEN_PATTERN.match(token):
        return InviteCheck(status=InviteStatus.UNKNOWN)
    async with db.sessions() as session:
        row = await invite_rows.invite_with_therapist(session, token_hash=hash_token(token))
    if row is None:
        return InviteCheck(status=InviteStatus.UNKNOWN)
    if row.used_at is not None:
        return InviteCheck(status=InviteStatus.USED)
    if row.expires_at <= now:
        return InviteCheck(status=InviteStatus.EXPIRED)
    return InviteCheck(
        status=InviteStatus.VALID, client_name=row.client_name, therapist_name=row.display_name
    )
