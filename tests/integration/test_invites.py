"""Invite tokens and consent against the real databases: hashed, expiring, single-use, and
two simultaneous "I agree" presses make one client."""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import Client, Invite, PendingInput, Schedule
from bot.services.invites import InviteStatus, check_invite, create_invite
from bot.services.onboarding import give_consent

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
THERAPIST = 900_001


async def new_invite(db: Database, name: str = "Alex Smith", ttl_days: int = 7) -> str:
    created = await create_invite(
        db,
        therapist_telegram_id=THERAPIST,
        therapist_name="Terry",
        client_name=name,
        default_timezone="Europe/London",
        ttl_days=ttl_days,
        now=NOW,
    )
    return created.token


async def consent(db: Database, token: str, telegram_id: int, now: datetime = NOW) -> InviteStatus:
    result = await give_consent(
        db,
        token=token,
        telegram_id=telegram_id,
        timezone="Europe/London",
        consent_version="test-v1",
        now=now,
    )
    return result.status


async def test_tokens_are_random_url_safe_short_enough_and_stored_only_as_sha256(
    db: Database,
) -> None:
    tokens = [await new_invite(db, f"Client {i}") for i in range(20)]

    assert len(set(tokens)) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", token) for token in tokens)  # 192 bits
    async with db.sessions() as session:
        hashes = set((await session.execute(select(Invite.token_hash))).scalars())
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}


async def test_a_valid_token_is_recognised_without_storing_anything(db: Database) -> None:
    token = await new_invite(db)
    check = await check_invite(db, token=token, telegram_id=1, now=NOW)
    assert check.status is InviteStatus.VALID and check.client_name == "Alex Smith"
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Client)) == 0
        assert await session.scalar(select(func.count()).select_from(PendingInput)) == 0


async def test_an_invite_expires_after_its_ttl(db: Database) -> None:
    token = await new_invite(db, ttl_days=7)
    later = NOW + timedelta(days=7)
    assert (await check_invite(db, token=token, telegram_id=1, now=later)).status is (
        InviteStatus.EXPIRED
    )
    assert await consent(db, token, 1, now=later) is InviteStatus.EXPIRED


async def test_an_invite_works_once(db: Database) -> None:
    token = await new_invite(db)
    assert await consent(db, token, 1) is InviteStatus.VALID
    assert await consent(db, token, 2) is InviteStatus.USED
    assert (await check_invite(db, token=token, telegram_id=2, now=NOW)).status is (
        InviteStatus.USED
    )


async def test_consent_creates_the_client_with_default_schedules_in_one_go(db: Database) -> None:
    token = await new_invite(db)
    assert await consent(db, token, 1) is InviteStatus.VALID
    async with db.sessions() as session:
        client = (await session.execute(select(Client))).scalar_one()
        kinds = {row.kind.value for row in (await session.execute(select(Schedule))).scalars()}
    assert (client.consent_version, client.consent_at) == ("test-v1", NOW)
    assert client.onboarding_step == "timezone"
    assert kinds == {"exercise_reminder", "checkin", "weekly_sbi"}


async def test_two_simultaneous_agrees_make_exactly_one_client(db: Database) -> None:
    token = await new_invite(db)

    results = await asyncio.gather(*(consent(db, token, 42) for _ in range(4)))

    assert sorted(results).count(InviteStatus.VALID) == 1
    assert set(results) <= {InviteStatus.VALID, InviteStatus.ALREADY_CLIENT}
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Client)) == 1


async def test_two_people_racing_for_one_link_leave_one_client(db: Database) -> None:
    token = await new_invite(db)

    results = await asyncio.gather(consent(db, token, 1), consent(db, token, 2))

    assert sorted(results) == sorted([InviteStatus.VALID, InviteStatus.USED])
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Client)) == 1


async def test_made_up_and_malformed_tokens_are_unknown(db: Database) -> None:
    await new_invite(db)
    for token in ("", "short", "x" * 65, "has spaces in it 123456", "a" * 32):
        assert (await check_invite(db, token=token, telegram_id=1, now=NOW)).status is (
            InviteStatus.UNKNOWN
        )
        assert await consent(db, token, 1) is InviteStatus.UNKNOWN
