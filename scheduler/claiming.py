"""Claiming: due rows become delivery rows, in bounded batches, exactly once.

One batch is one transaction: select up to `batch_size` due schedules (on PostgreSQL with
`FOR UPDATE SKIP LOCKED`, so several instances share the load; SQLite transactions begin
IMMEDIATE, see bot/db/engine.py), insert one `delivery` per slot with
`ON CONFLICT (schedule_id, slot) DO NOTHING` (the unique slot is the last line of defence
against a double send), and advance every `next_fire_at` in one bulk UPDATE. Only deliveries
this transaction inserted are sent.

Look-ahead: `claim_due_slots(..., until=now + lookahead)` also claims slots due up to `until`.
Their delivery rows are the real slot's (same unique key, `claimed_at` = the claim time, so
earlier than the slot); `classify_slot` counts a future slot as on time, and the dispatcher
holds such a message until its slot. The lease (10 min, from `claimed_at`) covers the hold
(at most the look-ahead, seconds) plus the paced fan-out, so a live held delivery is never
taken for an orphan, and one orphaned by a crash is re-sent once like any other.

Cost (the tick must not block the event loop for more than 100 ms, DESIGN.md): a batch's
rows mostly share a few (local times, days, zone, slot) shapes, so the CronTrigger maths runs
once per distinct shape per pass (`SlotMemo`), in slices with a yield between; the delivery
INSERT and the schedule UPDATE are executemany statements whose SQL is compiled once and
cached, not a statement with thousands of bound parameters rebuilt every batch.

Catch-up (issue 6, point 5): a slot claimed within a minute of its time is on time
(`bot.domain.schedule_times.classify_slot`);
one missed by less than the catch-up window is sent marked late; older ones are recorded
`missed` and never sent. A schedule sends at most its latest slot, and a client gets at most
one late message per catch-up window. A delivery claimed but never sent (the process died)
is re-sent once after its lease expires, then given up as `failed`. A snooze fires only for
an active client: one that comes due while the client is paused or blocked is dropped.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, bindparam, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox as ledger
from bot.db.dialect import dialect_name, insert_for
from bot.db.engine import Database
from bot.db.models import (
    Client,
    ClientStatus,
    Delivery,
    DeliveryStatus,
    ExerciseLog,
    OutboxMessage,
    Schedule,
    ScheduleKind,
    Therapist,
)
from bot.db.sqlite_connection import reads_in_place
from bot.domain.schedule_times import (
    classify_slot,
    first_fire_after,
    is_within_quiet_hours,
    local_day,
)

if TYPE_CHECKING:
    # Only a type here: the engine takes its policy as values, and a process that runs the
    # engine without the bot's settings (a benchmark, a test) need not load pydantic.
    from bot.config import Settings

__all__ = [
    "Claim",
    "ClaimPolicy",
    "DueCheck",
    "Purpose",
    "SlotMemo",
    "claim_due_slots",
    "claim_follow_ups",
    "claim_snoozed",
    "reclaim_unsent",
]

# `last_error` of a delivery a stopping dispatcher handed back unsent.
RELEASED = "released"
# A slot further back than this is not even recorded as missed after a long outage: the
# ledger keeps a week of "missed" (what adherence looks at), not months of rows.
LOOK_BACK = timedelta(days=7)
# At most this many slots are walked per schedule per claim (7 days of a daily schedule).
MAX_SLOTS_PER_SCHEDULE = 8
# Distinct schedule shapes worked out between two yields to the event loop (~0.1-0.2 ms each).
SLOTS_SLICE = 100


class Purpose(enum.StrEnum):
    SLOT = "slot"  # a schedule's slot, first send
    RESEND = "resend"  # claimed before a crash, never sent: the one re-send
    SNOOZE = "snooze"  # the client pressed "Snooze 30 min"
    FOLLOW_UP = "follow_up"  # nothing logged a while after an exercise reminder


@dataclass(frozen=True)
class ClaimPolicy:
    batch_size: int = 500
    catch_up_window: timedelta = timedelta(minutes=120)
    follow_up_after: timedelta = timedelta(minutes=180)
    # Longer than the slowest paced fan-out (10,000 messages at 30/s is 5.5 min), so a
    # delivery still waiting in a live dispatcher's queue is never taken for an orphan.
    lease: timedelta = timedelta(minutes=10)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaimPolicy:
        return cls(
            batch_size=settings.claim_batch_size,
            catch_up_window=timedelta(minutes=settings.catch_up_window_minutes),
            follow_up_after=timedelta(minutes=settings.follow_up_after_minutes),
        )


@dataclass(frozen=True)
class Claim:
    """One claimed piece of work: a delivery to send (or recorded missed) and why."""

    delivery_id: int
    schedule_id: int
    kind: ScheduleKind
    slot: datetime
    status: DeliveryStatus
    late: bool
    purpose: Purpose
    chat_id: int | None
    client_id: int | None
    therapist_id: int | None
    timezone: str

    @property
    def to_send(self) -> bool:
        return self.status is DeliveryStatus.CLAIMED


def _classify(slot: datetime, now: datetime, policy: ClaimPolicy) -> DeliveryStatus | None:
    """CLAIMED (send on time), None (send marked late) or MISSED (record, never send)."""
    timing = classify_slot(slot, now, policy.catch_up_window)
    if timing == "on_time":
        return DeliveryStatus.CLAIMED
    if timing == "late":
        return None
    return DeliveryStatus.MISSED


def due_slots(row: Any, now: datetime) -> tuple[list[datetime], datetime | None]:
    """Slots of `row` due at `now` (oldest first, within the look-back) and the next one."""
    first: datetime | None = row.next_fire_at
    floor = now - LOOK_BACK
    if first is not None and first < floor:
        first = first_fire_after(
            local_times=row.local_times,
            days_mask=row.days_mask,
            timezone=row.timezone,
            after=floor - timedelta(microseconds=1),
        )
    slots: list[datetime] = []
    slot = first
    while slot is not None and slot <= now and len(slots) < MAX_SLOTS_PER_SCHEDULE:
        slots.append(slot)
        slot = first_fire_after(
            local_times=row.local_times, days_mask=row.days_mask, timezone=row.timezone, after=slot
        )
    if slot is not None and slot <= now:
        slot = first_fire_after(
            local_times=row.local_times, days_mask=row.days_mask, timezone=row.timezone, after=now
        )
    return slots, slot


SlotKey = tuple[str, int, str, datetime | None]


def _slot_key(row: Any) -> SlotKey:
    return (row.local_times, row.days_mask, row.timezone, row.next_fire_at)


class SlotMemo:
    """`due_slots` for one pass, worked out once per distinct schedule shape.

    The answer depends only on (local times, days, zone, next_fire_at) and the pass's `now`;
    10,000 reminders due at 09:00 in one zone are one computation, not 10,000 (each is one
    or more CronTrigger look-ups of ~100 µs). Lives for one pass only: `now` is fixed.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._known: dict[SlotKey, tuple[list[datetime], datetime | None]] = {}

    async def resolve(self, rows: Sequence[Any]) -> list[tuple[list[datetime], datetime | None]]:
        missing = list(dict.fromkeys(k for k in map(_slot_key, rows) if k not in self._known))
        for start in range(0, len(missing), SLOTS_SLICE):
            if start:
                await asyncio.sleep(0)
            for key in missing[start : start + SLOTS_SLICE]:
                self._known[key] = due_slots(_Shape(*key), self.now)
        return [self._known[_slot_key(row)] for row in rows]


@dataclass(frozen=True)
class _Shape:
    local_times: str
    days_mask: int
    timezone: str
    next_fire_at: datetime | None


async def _clients_with_recent_late(
    session: AsyncSession, client_ids: set[int], now: datetime, policy: ClaimPolicy
) -> set[int]:
    if not client_ids:
        return set()
    result = await session.execute(
        select(Schedule.client_id)
        .join(Delivery, Delivery.schedule_id == Schedule.id)
        .where(
            Schedule.client_id.in_(client_ids),
            Delivery.late.is_(True),
            Delivery.status.in_([DeliveryStatus.CLAIMED, DeliveryStatus.SENT]),
            Delivery.claimed_at >= now - policy.catch_up_window,
        )
        .distinct()
    )
    return {cid for cid in result.scalars() if cid is not None}


def _one_late_per_client(planned: list[dict[str, Any]], already_late: set[int]) -> None:
    """Keep each client's latest late slot (unless one went out recently); the rest: missed."""
    latest: dict[int, dict[str, Any]] = {}
    for item in planned:
        client_id = item["_client_id"]
        if not item["late"] or item["status"] is not DeliveryStatus.CLAIMED or client_id is None:
            continue
        if client_id in already_late:
            item["status"] = DeliveryStatus.MISSED
            continue
        best = latest.get(client_id)
        if best is None or item["slot"] > best["slot"]:
            if best is not None:
                best["status"] = DeliveryStatus.MISSED
            latest[client_id] = item
        else:
            item["status"] = DeliveryStatus.MISSED


def _lock(stmt: Any, session: AsyncSession, *tables: Any) -> Any:
    if dialect_name(session) == "postgresql":
        return stmt.with_for_update(skip_locked=True, of=tables)
    return stmt


def _advance_statement() -> Any:
    table = cast(Table, Schedule.__table__)
    return (
        update(table)
        .where(table.c.id == bindparam("schedule_id"))
        .values(next_fire_at=bindparam("next_fire"), updated_at=bindparam("updated"))
    )


async def _claim_batch(
    db: Database,
    *,
    now: datetime,
    policy: ClaimPolicy,
    memo: SlotMemo | None = None,
    until: datetime | None = None,
) -> tuple[int, list[Claim]]:
    until = now if until is None else max(until, now)
    memo = memo if memo is not None else SlotMemo(until)
    async with db.sessions.begin() as session:
        stmt = (
            select(
                Schedule.id,
                Schedule.kind,
                Schedule.local_times,
                Schedule.days_mask,
                Schedule.timezone,
                Schedule.next_fire_at,
                Schedule.client_id,
                Schedule.therapist_id,
                Client.status.label("client_status"),
                Client.telegram_id.label("client_chat"),
                Therapist.telegram_id.label("therapist_chat"),
            )
            .outerjoin(Client, Client.id == Schedule.client_id)
            .outerjoin(Therapist, Therapist.id == Schedule.therapist_id)
            .where(Schedule.next_fire_at <= until)
            .order_by(Schedule.next_fire_at)
            .limit(policy.batch_size)
        )
        rows = (await session.execute(_lock(stmt, session, Schedule))).all()
        if not rows:
            return 0, []
        advanced = await memo.resolve(rows)

        planned: list[dict[str, Any]] = []
        moves: list[dict[str, Any]] = []
        for row, (slots, following) in zip(rows, advanced, strict=True):
            stopped = row.client_id is not None and row.client_status is not ClientStatus.ACTIVE
            moves.append(
                {"schedule_id": row.id, "next_fire": None if stopped else following, "updated": now}
            )
            if stopped:
                continue
            for index, slot in enumerate(slots):
                verdict = _classify(slot, now, policy)
                status = DeliveryStatus.MISSED if index < len(slots) - 1 else verdict
                planned.append(
                    {
                        "schedule_id": row.id,
                        "slot": slot,
                        "status": status or DeliveryStatus.CLAIMED,
                        "late": status is None,
                        "chat_id": row.client_chat if row.client_id else row.therapist_chat,
                        "_client_id": row.client_id,
                        "_row": row,
                    }
                )
        late_clients = {
            p["_client_id"] for p in planned if p["late"] and p["_client_id"] is not None
        }
        _one_late_per_client(
            planned, await _clients_with_recent_late(session, late_clients, now, policy)
        )

        claims: list[Claim] = []
        if planned:
            by_key = {(p["schedule_id"], p["slot"]): p for p in planned}
            values = [
                {
                    "schedule_id": p["schedule_id"],
                    "slot": p["slot"],
                    "status": p["status"],
                    "late": p["late"] and p["status"] is DeliveryStatus.CLAIMED,
                    "chat_id": p["chat_id"],
                    "attempts": 1 if p["status"] is DeliveryStatus.CLAIMED else 0,
                    "claimed_at": now,
                }
                for p in planned
            ]
            insert = (
                insert_for(session, Delivery.__table__)
                .on_conflict_do_nothing(index_elements=["schedule_id", "slot"])
                .returning(Delivery.id, Delivery.schedule_id, Delivery.slot, Delivery.late)
            )
            for inserted in (await session.execute(insert, values)).all():
                item = by_key[(inserted.schedule_id, inserted.slot)]
                row = item["_row"]
                claims.append(
                    Claim(
                        delivery_id=inserted.id,
                        schedule_id=row.id,
                        kind=row.kind,
                        slot=inserted.slot,
                        status=item["status"],
                        late=bool(inserted.late),
                        purpose=Purpose.SLOT,
                        chat_id=item["chat_id"],
                        client_id=row.client_id,
                        therapist_id=row.therapist_id,
                        timezone=row.timezone,
                    )
                )
        await session.execute(_advance_statement(), moves)
        return len(rows), claims


async def claim_due_slots(
    db: Database,
    *,
    now: datetime,
    policy: ClaimPolicy,
    on_batch: Callable[[list[Claim]], Awaitable[None]] | None = None,
    until: datetime | None = None,
) -> list[Claim]:
    """Claim every schedule due by `until` (default `now`), batch after batch, yielding.

    `on_batch` gets each batch as soon as it is committed, so its messages can start going
    out while the next batch is claimed instead of after the whole pass. Slots after `now`
    (look-ahead) are claimed on time; sending them no earlier than their slot is the
    dispatcher's job.
    """
    claims: list[Claim] = []
    until = now if until is None else max(until, now)
    memo = SlotMemo(until)
    while True:
        count, batch = await _claim_batch(db, now=now, policy=policy, memo=memo, until=until)
        claims.extend(batch)
        if on_batch is not None and batch:
            await on_batch(batch)
        if count < policy.batch_size:
            return claims
        await asyncio.sleep(0)


async def reclaim_unsent(db: Database, *, now: datetime, policy: ClaimPolicy) -> list[Claim]:
    """Deliveries claimed longer than a lease ago (or released by a dispatcher that stopped)
    and never sent: re-send once, then give up.

    Batch after batch, like `claim_due_slots`: a crash in a large fan-out can leave far more
    than one batch behind, and one pass (`tick --at`) must re-send them all.
    """
    claims: list[Claim] = []
    while True:
        count, batch = await _reclaim_batch(db, now=now, policy=policy)
        claims.extend(batch)
        if count < policy.batch_size:
            return claims
        await asyncio.sleep(0)


async def _reclaim_batch(
    db: Database, *, now: datetime, policy: ClaimPolicy
) -> tuple[int, list[Claim]]:
    async with db.sessions.begin() as session:
        stmt = (
            select(
                Delivery.id,
                Delivery.schedule_id,
                Delivery.slot,
                Delivery.attempts,
                Delivery.chat_id,
                Schedule.kind,
                Schedule.client_id,
                Schedule.therapist_id,
                Schedule.timezone,
            )
            .join(Schedule, Schedule.id == Delivery.schedule_id)
            .where(
                Delivery.status == DeliveryStatus.CLAIMED,
                # Released by a dispatcher that stopped (SIGTERM): taken at once.
                or_(Delivery.claimed_at < now - policy.lease, Delivery.last_error == RELEASED),
            )
            .order_by(Delivery.claimed_at)
            .limit(policy.batch_size)
        )
        rows = (await session.execute(_lock(stmt, session, Delivery))).all()
        if not rows:
            return 0, []
        recent_late = await _clients_with_recent_late(
            session, {r.client_id for r in rows if r.client_id is not None}, now, policy
        )
        changes: list[dict[str, Any]] = []
        claims: list[Claim] = []
        for row in rows:
            verdict = _classify(row.slot, now, policy)
            late = verdict is None
            if row.attempts >= 2:
                changes.append(
                    {"id": row.id, "status": DeliveryStatus.FAILED, "last_error": "lease_expired"}
                )
                continue
            if verdict is DeliveryStatus.MISSED or (late and row.client_id in recent_late):
                changes.append({"id": row.id, "status": DeliveryStatus.MISSED})
                continue
            if late and row.client_id is not None:
                recent_late.add(row.client_id)
            changes.append(
                {
                    "id": row.id,
                    "attempts": row.attempts + 1,
                    "claimed_at": now,
                    "late": late,
                    "last_error": None,
                }
            )
            claims.append(
                Claim(
                    delivery_id=row.id,
                    schedule_id=row.schedule_id,
                    kind=row.kind,
                    slot=row.slot,
                    status=DeliveryStatus.CLAIMED,
                    late=late,
                    purpose=Purpose.RESEND,
                    chat_id=row.chat_id,
                    client_id=row.client_id,
                    therapist_id=row.therapist_id,
                    timezone=row.timezone,
                )
            )
        for change in changes:
            # Rows differ in which columns change, so one statement each; ≤ batch_size rows.
            values = {k: v for k, v in change.items() if k != "id"}
            await session.execute(
                update(Delivery).where(Delivery.id == change["id"]).values(**values)
            )
        return len(rows), claims


def _unlogged(delivery_id: Any) -> Any:
    return ~exists().where(ExerciseLog.delivery_id == delivery_id)


async def _take(
    session: AsyncSession, ids: Sequence[int], condition: Any, values: dict[str, Any]
) -> set[int]:
    """Set `values` on those of `ids` still matching `condition`; the ids this call won."""
    if not ids:
        return set()
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), condition)
        .values(**values)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


def _client_claim(row: Any, purpose: Purpose) -> Claim:
    return Claim(
        delivery_id=row.id,
        schedule_id=row.schedule_id,
        kind=ScheduleKind.EXERCISE_REMINDER,
        slot=row.slot,
        status=DeliveryStatus.CLAIMED,
        late=False,
        purpose=purpose,
        chat_id=row.chat_id,
        client_id=row.client_id,
        therapist_id=None,
        timezone=row.timezone,
    )


def _reminder_deliveries() -> Any:
    return (
        select(
            Delivery.id,
            Delivery.schedule_id,
            Delivery.slot,
            Delivery.chat_id,
            Schedule.client_id,
            Client.timezone,
            Client.quiet_start,
            Client.quiet_end,
        )
        .join(Schedule, Schedule.id == Delivery.schedule_id)
        .join(Client, Client.id == Schedule.client_id)
        .where(
            Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
            Delivery.status == DeliveryStatus.SENT,
            Client.status == ClientStatus.ACTIVE,
            _unlogged(Delivery.id),
        )
    )


async def claim_follow_ups(db: Database, *, now: datetime, policy: ClaimPolicy) -> list[Claim]:
    """Exercise reminders with nothing logged `follow_up_after` later: one nudge per slot,
    only on the slot's own local day and outside the client's quiet hours."""
    async with db.sessions.begin() as session:
        stmt = (
            _reminder_deliveries()
            .where(
                Delivery.follow_up_sent_at.is_(None),
                Delivery.snoozed_until.is_(None),
                Delivery.slot <= now - policy.follow_up_after,
                # A local day is at most ~26 h long: older slots can never be "same day".
                Delivery.slot > now - policy.follow_up_after - timedelta(hours=26),
            )
            .order_by(Delivery.slot)
            .limit(policy.batch_size)
        )
        rows = (await session.execute(stmt)).all()
        eligible = []
        for row in rows:
            zone = ZoneInfo(row.timezone)
            if local_day(row.slot, zone) != local_day(now, zone):
                continue
            quiet = row.quiet_start is not None and row.quiet_end is not None
            if quiet and is_within_quiet_hours(
                now.astimezone(zone).time().replace(tzinfo=None), row.quiet_start, row.quiet_end
            ):
                continue
            eligible.append(row)
        won = await _take(
            session,
            [r.id for r in eligible],
            and_(Delivery.follow_up_sent_at.is_(None), _unlogged(Delivery.id)),
            {"follow_up_sent_at": now},
        )
        return [_client_claim(r, Purpose.FOLLOW_UP) for r in eligible if r.id in won]


async def claim_snoozed(db: Database, *, now: datetime, policy: ClaimPolicy) -> list[Claim]:
    """Reminders snoozed until now or earlier: send them again once (if still not logged).

    A snooze that comes due while its client is paused or blocked is dropped, not kept for
    later: resuming sends nothing missed while paused. One that came due longer than the
    catch-up window ago (the bot was down) is dropped too, like any slot that old.
    """
    async with db.sessions.begin() as session:
        inactive = (
            select(Schedule.id)
            .join(Client, Client.id == Schedule.client_id)
            .where(Client.status != ClientStatus.ACTIVE)
        )
        await session.execute(
            update(Delivery)
            .where(
                Delivery.snoozed_until <= now,
                or_(
                    Delivery.snoozed_until < now - policy.catch_up_window,
                    Delivery.schedule_id.in_(inactive),
                ),
            )
            .values(snoozed_until=None)
            .execution_options(synchronize_session=False)
        )
        stmt = (
            _reminder_deliveries()
            .where(Delivery.snoozed_until <= now)
            .order_by(Delivery.snoozed_until)
            .limit(policy.batch_size)
        )
        rows = (await session.execute(stmt)).all()
        won = await _take(
            session,
            [r.id for r in rows],
            and_(Delivery.snoozed_until.is_not(None), Delivery.snoozed_until <= now),
            {"snoozed_until": None},
        )
        return [replace(_client_claim(r, Purpose.SNOOZE), late=False) for r in rows if r.id in won]


class DueCheck:
    """Whether a pass would find anything to do, in one read of indexes: a schedule due by
    `until`, a snooze due by `now`, a delivery to re-send, an outbox message to send.

    The periodic tick asks this every second and runs a pass only when the answer is yes,
    so a bot with nothing due costs one small query a second at any number of schedules
    (each EXISTS stops at its first index entry). Follow-ups and paused clients coming back
    depend on the clock rather than on a row changing; the tick runs those on its own
    cadence (`scheduler.tick.ROUTINE_EVERY`).

    Rows written by another process (a second instance, `python -m bot schedules import`)
    are seen by the next check like this process's own.
    """

    def __init__(self, policy: ClaimPolicy) -> None:
        now: Any = bindparam("now")
        until: Any = bindparam("until")
        # Claimed before these instants: the lease has run out (deliveries, outbox messages).
        orphaned: Any = bindparam("orphaned")
        outbox_orphaned: Any = bindparam("outbox_orphaned")
        self._lease = policy.lease
        self._statement = select(
            or_(
                exists().where(Schedule.next_fire_at <= until),
                exists().where(Delivery.snoozed_until <= now),
                exists().where(
                    Delivery.status == DeliveryStatus.CLAIMED,
                    or_(Delivery.claimed_at < orphaned, Delivery.last_error == RELEASED),
                ),
                exists()
                .where(ledger.sendable(now=now, orphaned=outbox_orphaned))
                .select_from(OutboxMessage),
            )
        )

    async def anything_due(self, db: Database, *, now: datetime, until: datetime) -> bool:
        # One read-only statement: on SQLite no transaction and no lock (`Database.read`),
        # run on the loop's own thread (each EXISTS stops at its first index entry).
        with reads_in_place():
            async with db.read() as connection:
                result = await connection.execute(
                    self._statement,
                    {
                        "now": now,
                        "until": max(until, now),
                        "orphaned": now - self._lease,
                        "outbox_orphaned": now - ledger.LEASE,
                    },
                )
                return bool(result.scalar())
