"""A new client's first steps: consent, time zone, reminder times, red-flag screen, done.

Nothing about a person is stored before they agree (UK GDPR explicit consent for health data,
DESIGN.md "Safety, privacy"): the invite token rides in the consent button itself. Agreeing
uses the invite and creates the client in one transaction; `Client.onboarding_step` then walks
"timezone" → "reminders" → "red_flags" → NULL (done).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.exc import IntegrityError

from bot.db import invites as invite_rows
from bot.db import outbox, reports, therapists
from bot.db import pending as pending_inputs
from bot.db.clients import live_client, one_client
from bot.db.engine import Database
from bot.db.models import Client, ClientStatus
from bot.domain.recipients import Audience
from bot.services import schedules
from bot.services.client_settings import ONBOARDING_PENDING_TTL, format_time
from bot.services.invites import TOKEN_PATTERN, InviteStatus, hash_token
from bot.services.kinds import CLIENT_JOINED
from bot.services.pending import PendingKind

STEP_TIME_ZONE = "timezone"
STEP_REMINDERS = "reminders"
STEP_RED_FLAGS = "red_flags"


@dataclass(frozen=True)
class Consent:
    status: InviteStatus
    client_id: int | None = None
    # True only for the press that created the client; a double tap gets False.
    created: bool = False
    onboarding_step: str | None = None


@dataclass(frozen=True)
class OnboardingDone:
    client_id: int
    therapist_telegram_id: int | None
    client_name: str
    reminder_times: tuple[time, ...]
    checkin_time: time
    # No exercises prescribed yet: no exercise reminders come until the therapist prescribes.
    has_prescription: bool = True


async def give_consent(
    db: Database,
    *,
    token: str,
    telegram_id: int,
    timezone: str,
    consent_version: str,
    now: datetime,
) -> Consent:
    """Consent given: use the invite and create the client (with default schedules), or neither.

    The invite is claimed with a conditional UPDATE (still unused, not expired), so of two
    concurrent presses only one wins; the unique `client.telegram_id` backs that up.
    """
    if not TOKEN_PATTERN.match(token):
        return Consent(status=InviteStatus.UNKNOWN)
    token_hash = hash_token(token)
    try:
        async with db.sessions.begin() as session:
            if await live_client(session, telegram_id) is None:
                claimed = await invite_rows.claim_invite(session, token_hash=token_hash, now=now)
                if claimed is not None:
                    client = Client(
                        therapist_id=claimed.therapist_id,
                        telegram_id=telegram_id,
                        display_name=claimed.client_name,
                        timezone=timezone,
                        status=ClientStatus.ACTIVE,
                        consent_version=consent_version,
                        consent_at=now,
                        onboarding_step=STEP_TIME_ZONE,
                        created_at=now,
                    )
                    session.add(client)
                    await session.flush()
                    await invite_rows.link_invite_to_client(
                        session, invite_id=claimed.id, client_id=client.id
                    )
                    await schedules.sync_client_schedules(session, client_id=client.id, now=now)
                    await pending_inputs.put_pending(
                        session,
                        telegram_id=telegram_id,
                        kind=PendingKind.TIME_ZONE,
                        payload={},
                        expires_at=now + ONBOARDING_PENDING_TTL,
                    )
                    return Consent(
                        status=InviteStatus.VALID,
                        client_id=client.id,
                        created=True,
                        onboarding_step=STEP_TIME_ZONE,
                    )
    except IntegrityError:
        # The same person became a client in a concurrent transaction (a double tap on
        # PostgreSQL); everything here was rolled back, the invite included.
        pass
    return await _why_not(db, token_hash=token_hash, telegram_id=telegram_id, now=now)


async def _why_not(db: Database, *, token_hash: str, telegram_id: int, now: datetime) -> Consent:
    async with db.sessions() as session:
        existing = await live_client(session, telegram_id)
        if existing is not None:
            return Consent(
                status=InviteStatus.ALREADY_CLIENT,
                client_id=existing.id,
                onboarding_step=existing.onboarding_step,
            )
        invite = await invite_rows.invite_state(session, token_hash=token_hash)
    if invite is None:
        return Consent(status=InviteStatus.UNKNOWN)
    if invite.used_at is not None:
        return Consent(status=InviteStatus.USED)
    if invite.expires_at <= now:
        return Consent(status=InviteStatus.EXPIRED)
    return Consent(status=InviteStatus.UNKNOWN)


async def finish_onboarding(
    db: Database, *, telegram_id: int, now: datetime
) -> OnboardingDone | None:
    """Mark onboarding complete (after the red-flag screen) and queue the therapist's notice;
    None if it already was."""
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None or client.onboarding_step is None:
            return None
        client.onboarding_step = None
        therapist_telegram_id = await therapists.therapist_telegram_id(session, client.therapist_id)
        done = OnboardingDone(
            client_id=client.id,
            therapist_telegram_id=therapist_telegram_id,
            client_name=client.display_name,
            reminder_times=await schedules.reminder_times(session, client_id=client.id),
            checkin_time=await schedules.checkin_time(session, client_id=client.id),
            has_prescription=bool(
                await reports.clients_with_prescription(
                    session, clients=one_client(client.id), now=now
                )
            ),
        )
        if therapist_telegram_id is not None:
            await outbox.enqueue(
                session,
                kind=CLIENT_JOINED,
                chat_id=therapist_telegram_id,
                audience=Audience.THERAPIST,
                client_id=client.id,
                payload={
                    "client_name": client.display_name,
                    "client_id": client.id,
                    "has_prescription": done.has_prescription,
                },
                now=now,
            )
        return done


async def onboarding_step(db: Database, *, telegram_id: int) -> str | None:
    """Where an unfinished newcomer left off (None when done or not a client)."""
    async with db.sessions() as session:
        client = await live_client(session, telegram_id)
        return None if client is None else client.onboarding_step


@dataclass(frozen=True)
class ResumePoint:
    step: str
    client_id: int
    # The reminder times ticked so far (for the "reminders" step).
    reminder_times: tuple[time, ...] = ()


async def resume_onboarding(db: Database, *, telegram_id: int, now: datetime) -> ResumePoint | None:
    """Re-open the step an unfinished newcomer left; None when there is nothing to resume.

    A client who had blocked the bot (403) and writes /start again has unblocked it: they
    are active again and their reminders resume from the next slot (as the therapist was
    told they would be).
    """
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is not None and client.status is ClientStatus.BLOCKED:
            await schedules.resume_client_schedules(session, client_id=client.id, now=now)
        if client is None or client.onboarding_step is None:
            return None
        step = client.onboarding_step
        if step == STEP_TIME_ZONE:
            await pending_inputs.put_pending(
                session,
                telegram_id=telegram_id,
                kind=PendingKind.TIME_ZONE,
                payload={},
                expires_at=now + ONBOARDING_PENDING_TTL,
            )
            return ResumePoint(step=step, client_id=client.id)
        if step == STEP_REMINDERS:
            times = await schedules.reminder_times(session, client_id=client.id)
            await pending_inputs.put_pending(
                session,
                telegram_id=telegram_id,
                kind=PendingKind.REMINDER_TIMES,
                payload={"times": [format_time(t) for t in times], "custom": False},
                expires_at=now + ONBOARDING_PENDING_TTL,
            )
            return ResumePoint(step=step, client_id=client.id, reminder_times=times)
        return ResumePoint(step=step, client_id=client.id)
