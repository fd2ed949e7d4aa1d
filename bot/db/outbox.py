"""The outbox ledger's SQL: write a message with its event, claim, record how it ended.

Services call `enqueue` inside the transaction of the event that causes the message (the
red flag, the alert, the relayed text), so the message exists exactly when the event does.
The dispatcher claims queued rows (`claim_queued`, SKIP LOCKED on PostgreSQL), checks who may
receive each one at that moment and records `sent` / `failed` / `withheld`. Periodic jobs claim
their slot here too (`claim_job_slot`): one row per (job, slot), whoever inserts it runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.dialect import dialect_name, insert_for
from bot.db.models import Audit, Client, MessageRelay, OutboxMessage, OutboxStatus, Therapist
from bot.domain.recipients import Audience

# Claimed but neither sent nor released (the process died): taken again after this long.
LEASE = timedelta(minutes=10)
# A row claimed this many times without an outcome is given up as failed.
MAX_CLAIMS = 2
RELEASED = "released"
DISCLOSED = "disclosed"


@dataclass(frozen=True)
class OutboxRow:
    """A claimed outbox message with who may receive it right now."""

    id: int
    kind: str
    urgent: bool
    chat_id: int
    client_id: int | None
    audience: Audience
    payload: dict[str, Any]
    # The client's chat and their current therapist's chat, read at claim time.
    client_chat: int | None
    own_therapist_chat: int | None
    # The client's zone and quiet hours, read at claim time (None: no client).
    client_timezone: str | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    chat_id: int,
    audience: Audience,
    payload: dict[str, Any],
    now: datetime,
    client_id: int | None = None,
    urgent: bool = False,
    dedupe_key: str | None = None,
) -> int | None:
    """Queue one message in the caller's transaction; None if `dedupe_key` was already used."""
    stmt = insert_for(session, OutboxMessage.__table__).values(
        kind=kind,
        urgent=urgent,
        chat_id=chat_id,
        client_id=client_id,
        audience=audience.value,
        payload=payload,
        dedupe_key=dedupe_key,
        status=OutboxStatus.QUEUED,
        attempts=0,
        created_at=now,
    )
    if dedupe_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.execute(stmt.returning(OutboxMessage.id))
    return result.scalar_one_or_none()


async def record_sent_directly(
    session: AsyncSession,
    *,
    kind: str,
    chat_id: int,
    audience: Audience,
    now: datetime,
    telegram_message_id: int | None,
    client_id: int | None = None,
    dedupe_key: str | None = None,
    sent_at: datetime | None = None,
    disclosed: bool = False,
) -> None:
    """A message the bot had to send at once (the emergency advice, a red-flag alert while
    the database was down), entered in the ledger as sent; `disclosed`: it carried
    `client_id`'s data to `chat_id`, audited as every disclosure is."""
    stmt = insert_for(session, OutboxMessage.__table__).values(
        kind=kind,
        urgent=True,
        chat_id=chat_id,
        client_id=client_id,
        audience=audience.value,
        payload={},
        dedupe_key=dedupe_key,
        status=OutboxStatus.SENT,
        attempts=1,
        created_at=now,
        claimed_at=sent_at or now,
        sent_at=sent_at or now,
        telegram_message_id=telegram_message_id,
    )
    if dedupe_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
    await session.execute(stmt)
    if disclosed and client_id is not None:
        _audit_disclosure(session, chat_id=chat_id, client_id=client_id, kind=kind, now=now)


def _audit_disclosure(
    session: AsyncSession, *, chat_id: int, client_id: int, kind: str, now: datetime
) -> None:
    """Who received which client's data, and what kind of message — never the content."""
    session.add(
        Audit(
            actor_telegram_id=chat_id,
            action=DISCLOSED,
            subject_client_id=client_id,
            detail=kind,
            at=now,
        )
    )


def sendable(*, now: Any, orphaned: Any) -> Any:
    """The rows `claim_queued` takes at `now`: queued (and not held to the end of quiet
    hours), released at shutdown, or claimed before `orphaned` (now minus the lease). Each
    a datetime or a bound parameter: the scheduler's idle look asks whether any row exists
    with this same condition."""
    return and_(
        OutboxMessage.chat_id.is_not(None),
        or_(
            and_(
                OutboxMessage.status == OutboxStatus.QUEUED,
                or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
            ),
            and_(
                OutboxMessage.status == OutboxStatus.CLAIMED,
                or_(
                    OutboxMessage.last_error == RELEASED,
                    OutboxMessage.claimed_at < orphaned,
                ),
            ),
        ),
    )


async def claim_queued(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    lease: timedelta = LEASE,
    hold_until: Callable[[OutboxRow], datetime | None] | None = None,
) -> tuple[list[OutboxRow], int]:
    """Claim up to `limit` sendable rows, urgent first then oldest; also the ones released at
    shutdown and the ones whose claim outlived the lease. Returns the rows and how many
    rows were given up as failed (claimed `MAX_CLAIMS` times already).

    A row for which `hold_until` names a later time (a message to a client in their quiet
    hours) is not claimed: it stays queued, untouched by attempts, until that time.
    Rows held earlier are not even read until their time comes."""
    client = aliased(Client)
    therapist = aliased(Therapist)
    stmt = (
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.urgent,
            OutboxMessage.chat_id,
            OutboxMessage.client_id,
            OutboxMessage.audience,
            OutboxMessage.payload,
            OutboxMessage.attempts,
            client.telegram_id.label("client_chat"),
            therapist.telegram_id.label("therapist_chat"),
            client.timezone.label("client_timezone"),
            client.quiet_start,
            client.quiet_end,
        )
        .outerjoin(client, client.id == OutboxMessage.client_id)
        .outerjoin(therapist, therapist.id == client.therapist_id)
        .where(sendable(now=now, orphaned=now - lease))
        .order_by(OutboxMessage.urgent.desc(), OutboxMessage.id)
        .limit(limit)
    )
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=OutboxMessage)
    rows = (await session.execute(stmt)).all()
    claimed: list[OutboxRow] = []
    given_up: list[int] = []
    held: dict[datetime, list[int]] = {}
    for row in rows:
        if row.attempts >= MAX_CLAIMS:
            given_up.append(row.id)
            continue
        outbox_row = OutboxRow(
            id=row.id,
            kind=row.kind,
            urgent=row.urgent,
            chat_id=row.chat_id,
            client_id=row.client_id,
            audience=Audience(row.audience),
            payload=dict(row.payload),
            client_chat=row.client_chat,
            own_therapist_chat=row.therapist_chat,
            client_timezone=row.client_timezone,
            quiet_start=row.quiet_start,
            quiet_end=row.quiet_end,
        )
        until = hold_until(outbox_row) if hold_until is not None else None
        if until is not None and until > now:
            held.setdefault(until, []).append(row.id)
            continue
        claimed.append(outbox_row)
    for until, ids in held.items():
        # Back to queued (a row released at shutdown too), with its claim count as it was.
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=OutboxStatus.QUEUED, not_before=until, last_error=None)
        )
    if given_up:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(given_up))
            .values(status=OutboxStatus.FAILED, last_error="lease_expired")
        )
    if claimed:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([r.id for r in claimed]))
            .values(
                status=OutboxStatus.CLAIMED,
                claimed_at=now,
                attempts=OutboxMessage.attempts + 1,
                last_error=None,
            )
        )
    return claimed, len(given_up)


async def mark_withheld(session: AsyncSession, *, ids: list[int], reason: str) -> None:
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=OutboxStatus.WITHHELD, last_error=reason[:64], payload={})
        )


async def mark_sent(
    session: AsyncSession,
    *,
    outbox_id: int,
    telegram_message_id: int,
    now: datetime,
    disclosure: tuple[int, str] | None,
    relay: tuple[int, str] | None = None,
) -> None:
    """Sent: the content leaves the ledger; a disclosure of a client's data is audited
    (who received it, which client, what kind — never the content); a relayed message is
    remembered so a reply to it is routed back."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(
            status=OutboxStatus.SENT,
            telegram_message_id=telegram_message_id,
            sent_at=now,
            last_error=None,
            payload={},
        )
    )
    row = await session.get(OutboxMessage, outbox_id)
    if disclosure is not None and row is not None and row.chat_id is not None:
        client_id, kind = disclosure
        _audit_disclosure(session, chat_id=row.chat_id, client_id=client_id, kind=kind, now=now)
    if relay is not None and row is not None and row.chat_id is not None:
        client_id, direction = relay
        session.add(
            MessageRelay(
                client_id=client_id,
                direction=direction,
                chat_id=row.chat_id,
                message_id=telegram_message_id,
                created_at=now,
            )
        )


async def mark_failed(session: AsyncSession, *, outbox_id: int, error: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(status=OutboxStatus.FAILED, last_error=error[:64])
    )


async def release(session: AsyncSession, *, ids: list[int], tried: bool) -> None:
    """Hand claimed rows back (we are stopping): the next start takes them at once. One that
    never left (`tried=False`) gets its claim back, so it keeps its one re-send."""
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.CLAIMED)
            .values(
                last_error=RELEASED,
                attempts=OutboxMessage.attempts - (0 if tried else 1),
            )
        )


async def claim_job_slot(session: AsyncSession, *, job: str, slot: datetime, now: datetime) -> bool:
    """True for exactly one caller per (job, slot), across every instance and restart."""
    stmt = (
        insert_for(session, OutboxMessage.__table__)
        .values(
            kind=f"job:{job}"[:32],
            urgent=False,
            chat_id=None,
            client_id=None,
            audience=Audience.STAFF.value,
            payload={},
            dedupe_key=f"job:{job}:{slot.isoformat()}"[:96],
            status=OutboxStatus.DONE,
            attempts=1,
            created_at=now,
            claimed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def latest_job_slot(session: AsyncSession, *, job: str, before: datetime) -> datetime | None:
    """The latest slot of `job` claimed before `before` (by any instance), or None."""
    prefix = f"job:{job}:"
    keys = await session.scalars(
        select(OutboxMessage.dedupe_key)
        .where(
            OutboxMessage.kind == f"job:{job}"[:32],
            OutboxMessage.dedupe_key < f"{prefix}{before.isoformat()}"[:96],
            OutboxMessage.dedupe_key >= prefix,
        )
        .order_by(OutboxMessage.dedupe_key.desc())
        .limit(1)
    )
    key = keys.first()
    return None if key is None else datetime.fromisoformat(key.removeprefix(prefix))


async def record_heartbeat(session: AsyncSession, *, key: str, now: datetime) -> None:
    """A running bot's tick: `python -m bot health` reads how long ago the last one was."""
    stmt = insert_for(session, OutboxMessage.__table__).values(
        kind="heartbeat",
        urgent=False,
        chat_id=None,
        client_id=None,
        audience=Audience.STAFF.value,
        payload={},
        dedupe_key=key,
        status=OutboxStatus.DONE,
        attempts=0,
        created_at=now,
        claimed_at=now,
    )
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["dedupe_key"], set_={"claimed_at": now})
    )


async def clear_heartbeat(session: AsyncSession, *, key: str) -> None:
    """A bot that stops cleanly is not running: health no longer expects ticks."""
    await session.execute(delete(OutboxMessage).where(OutboxMessage.dedupe_key == key))


async def readdress_queued(
    session: AsyncSession, *, client_ids: Collection[int], from_chat: int, to_chat: int
) -> int:
    """Queued (unsent) messages about these clients to `from_chat` go to `to_chat` instead;
    how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.client_id.in_(list(client_ids)),
            OutboxMessage.chat_id == from_chat,
            OutboxMessage.status == OutboxStatus.QUEUED,
        )
        .values(chat_id=to_chat)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
