"""A client's (and a therapist's) schedule rows: created, moved, paused and resumed here.

Schedules are rows with an indexed `next_fire_at` (DESIGN.md, "The scheduling engine"); the
tick in `scheduler/` claims the due ones. Every function here takes the caller's session (so
it joins the caller's transaction, e.g. onboarding's) and an explicit `now`, and leaves each
row's `next_fire_at` consistent with the client's state: NULL whenever nothing should fire.

Kinds and rows:

* `exercise_reminder` — one row per reminder time of day (`local_times` holds that one
  time). The rows sorted by time are the client's slots 0, 1, 2...; slot *i* lists the active
  prescriptions with `times_per_day > i`, and its `days_mask` is the union of their days, so a
  slot with nothing prescribed never fires. Call `sync_client_schedules` after changing
  prescriptions.
* `checkin` — one row, daily at the check-in time.
* `weekly_sbi` — one row, Sundays at the check-in time.
* `therapist_summary` — one row per therapist, Mondays 08:00 in the therapist's zone.
* Follow-up nudges are derived from deliveries by the tick, not stored as rows.

Bulk: `import_schedules` inserts many rows at once (a therapist's import of an existing
client list, a migration from another system, the benchmarks): `next_fire_at` is worked out
once per distinct (times, days, zone), not once per row, and rows go in as executemany
INSERTs in chunks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import clients as client_rows
from bot.db import schedules as schedule_rows
from bot.db import therapists
from bot.db.models import Client, ClientStatus, Schedule, ScheduleKind
from bot.db.prescriptions import active_prescriptions
from bot.domain.adherence import week_start_of
from bot.domain.schedule_times import (
    answered_prompt_next_fire,
    first_fire_after,
    format_local_times,
    local_day,
    out_of_quiet_hours,
    parse_local_times,
)

__all__ = [
    "ALL_DAYS",
    "DEFAULT_CHECKIN_TIME",
    "DEFAULT_REMINDER_TIMES",
    "MAX_REMINDER_TIMES",
    "SBI_DAYS_MASK",
    "SUMMARY_DAYS_MASK",
    "SUMMARY_TIME",
    "BlockedClient",
    "ScheduleError",
    "ScheduleImport",
    "checkin_time",
    "ensure_therapist_summary_schedule",
    "import_schedules",
    "mark_client_blocked",
    "pause_client_schedules",
    "reminder_times",
    "resume_client_schedules",
    "resume_due_paused_clients",
    "set_checkin_time",
    "set_client_timezone",
    "set_reminder_times",
    "skip_answered_prompts",
    "stop_client_schedules",
    "sync_client_schedules",
]

ALL_DAYS = 0b111_1111  # bit 0 = Monday ... bit 6 = Sunday
DEFAULT_REMINDER_TIMES: tuple[time, ...] = (time(8, 0), time(19, 0))
# Used, in this order, when a prescription asks for more times a day than the client chose.
EXTRA_REMINDER_TIMES: tuple[time, ...] = (time(13, 0), time(16, 0), time(11, 0), time(21, 0))
# The exercise library allows 1-6 times a day (bot/content.py TIMES_PER_DAY_RANGE).
MAX_REMINDER_TIMES = 6
DEFAULT_CHECKIN_TIME = time(20, 0)
SBI_DAYS_MASK = 1 << 6  # Sunday: the SBI is a weekly questionnaire
SUMMARY_TIME = time(8, 0)
SUMMARY_DAYS_MASK = 1 << 0  # Monday morning, before the therapist's week starts
# Rows per executemany INSERT in `import_schedules` (also the client ids in one `IN (...)`,
# well under SQLite's 32,766 and asyncpg's 32,767 bound-parameter caps).
IMPORT_CHUNK = 1_000


class ScheduleError(ValueError):
    """A request a user could correct (a bad zone, too many times); the message says how."""


def _zone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"{tz!r} is not a time zone such as Europe/London") from None
    return tz


async def _client(session: AsyncSession, client_id: int) -> Client:
    client = await session.get(Client, client_id, with_for_update=False)
    if client is None:
        raise LookupError(f"client {client_id} does not exist")
    return client


async def _client_schedules(session: AsyncSession, client_id: int) -> list[Schedule]:
    return await schedule_rows.client_schedules(session, client_id)


def _active_reminder_rows(rows: Sequence[Schedule]) -> list[Schedule]:
    reminders = [r for r in rows if r.kind is ScheduleKind.EXERCISE_REMINDER and r.active]
    return sorted(reminders, key=lambda r: (r.local_times, r.id))


async def reminder_times(session: AsyncSession, *, client_id: int) -> tuple[time, ...]:
    """The client's reminder times of day, earliest first (slot 0, slot 1, ...)."""
    rows = _active_reminder_rows(await _client_schedules(session, client_id))
    return tuple(parse_local_times(r.local_times)[0] for r in rows)


async def checkin_time(session: AsyncSession, *, client_id: int) -> time:
    rows = await _client_schedules(session, client_id)
    for row in rows:
        if row.kind is ScheduleKind.CHECKIN:
            return parse_local_times(row.local_times)[0]
    return DEFAULT_CHECKIN_TIME


def _new_row(
    client: Client, kind: ScheduleKind, at: time, days_mask: int, now: datetime
) -> Schedule:
    return Schedule(
        client_id=client.id,
        kind=kind,
        local_times=format_local_times([at]),
        days_mask=days_mask,
        timezone=client.timezone,
        active=True,
        next_fire_at=None,
        created_at=now,
        updated_at=now,
    )


async def _place_reminder_rows(
    session: AsyncSession,
    client: Client,
    rows: list[Schedule],
    times: Sequence[time],
    now: datetime,
) -> None:
    """Make the active reminder rows exactly `times`, reusing rows (and their ledgers)."""
    wanted = sorted(set(times))
    reminders = sorted(
        (r for r in rows if r.kind is ScheduleKind.EXERCISE_REMINDER),
        key=lambda r: (not r.active, r.local_times, r.id),
    )
    for index, at in enumerate(wanted):
        if index < len(reminders):
            row = reminders[index]
            row.local_times, row.active, row.updated_at = format_local_times([at]), True, now
        else:
            row = _new_row(client, ScheduleKind.EXERCISE_REMINDER, at, ALL_DAYS, now)
            session.add(row)
            rows.append(row)
    # Rows no longer wanted are switched off, not deleted: their deliveries stay in the ledger.
    for row in reminders[len(wanted) :]:
        if row.active:
            row.active, row.next_fire_at, row.updated_at = False, None, now


async def sync_client_schedules(session: AsyncSession, *, client_id: int, now: datetime) -> None:
    """Bring every schedule row of the client in line with their state and prescriptions.

    Creates missing rows with the defaults (reminders 08:00 and 19:00, check-in 20:00, SBI on
    Sundays at the check-in time), adds a reminder time when a prescription asks for more
    times a day than the client has, and recomputes each `next_fire_at` (NULL unless the
    client is active).
    """
    client = await _client(session, client_id)
    rows = await _client_schedules(session, client_id)
    prescriptions = await active_prescriptions(session, client_id=client_id, now=now)

    current = [parse_local_times(r.local_times)[0] for r in _active_reminder_rows(rows)]
    if not current:
        current = list(DEFAULT_REMINDER_TIMES)
    needed = max((p.times_per_day for p in prescriptions), default=0)
    for extra in EXTRA_REMINDER_TIMES:
        if len(current) >= min(needed, MAX_REMINDER_TIMES):
            break
        if extra not in current:
            current.append(extra)
    current = [_outside_quiet(client, at) for at in current]
    await _place_reminder_rows(session, client, rows, current, now)

    checkin = next((r for r in rows if r.kind is ScheduleKind.CHECKIN), None)
    if checkin is None:
        checkin = _new_row(client, ScheduleKind.CHECKIN, DEFAULT_CHECKIN_TIME, ALL_DAYS, now)
        session.add(checkin)
        rows.append(checkin)
    if not any(r.kind is ScheduleKind.WEEKLY_SBI for r in rows):
        at = parse_local_times(checkin.local_times)[0]
        rows.append(_new_row(client, ScheduleKind.WEEKLY_SBI, at, SBI_DAYS_MASK, now))
        session.add(rows[-1])
    for row in rows:
        if row.kind in (ScheduleKind.CHECKIN, ScheduleKind.WEEKLY_SBI):
            row.local_times = format_local_times(
                [_outside_quiet(client, parse_local_times(row.local_times)[0])]
            )

    for index, row in enumerate(_active_reminder_rows(rows)):
        mask = 0
        for prescription in prescriptions:
            if prescription.times_per_day > index:
                mask |= prescription.days_mask
        row.days_mask = mask
    _reschedule(client, rows, now)
    await _skip_answered(session, client, rows, now)
    await session.flush()


def _outside_quiet(client: Client, at: time) -> time:
    """Where a message at `at` goes so that it never falls in the client's quiet hours."""
    return out_of_quiet_hours(at, client.quiet_start, client.quiet_end)


def _reschedule(client: Client, rows: Sequence[Schedule], now: datetime) -> None:
    firing = client.status is ClientStatus.ACTIVE
    for row in rows:
        row.timezone = client.timezone
        row.updated_at = now
        if firing and row.active:
            row.next_fire_at = first_fire_after(
                local_times=row.local_times,
                days_mask=row.days_mask,
                timezone=row.timezone,
                after=now,
            )
        else:
            row.next_fire_at = None


async def _skip_answered(
    session: AsyncSession, client: Client, rows: Sequence[Schedule], now: datetime
) -> None:
    """Move past any check-in or weekly prompt the client has already answered.

    A check-in done before its time (/pain at 17:30) means today's 20:00 prompt would ask the
    same question again; the weekly questionnaire done any day of the local Monday-Sunday
    week means that Sunday's prompt would too.
    """
    prompts = [
        r
        for r in rows
        if r.kind in (ScheduleKind.CHECKIN, ScheduleKind.WEEKLY_SBI) and r.next_fire_at is not None
    ]
    if not prompts:
        return
    today = local_day(now, client.timezone)
    week = week_start_of(today)
    checked_in, weekly_done = await schedule_rows.prompts_answered(
        session, client_id=client.id, day=today, week_start=week
    )
    for row in prompts:
        if row.kind is ScheduleKind.CHECKIN:
            answered = today if checked_in else None
        else:
            answered = week + timedelta(days=6) if weekly_done else None
        after = answered_prompt_next_fire(row.next_fire_at, answered, row.timezone)
        if after is not None:
            row.next_fire_at = first_fire_after(
                local_times=row.local_times,
                days_mask=row.days_mask,
                timezone=row.timezone,
                after=after,
            )
            row.updated_at = now


async def skip_answered_prompts(session: AsyncSession, *, client_id: int, now: datetime) -> None:
    """The client just answered a check-in or the weekly questionnaire: the prompt for the
    same day (or week) is not sent (see `_skip_answered`)."""
    client = await _client(session, client_id)
    if client.status is not ClientStatus.ACTIVE:
        return
    await _skip_answered(session, client, await _client_schedules(session, client_id), now)
    await session.flush()


async def set_reminder_times(
    session: AsyncSession, *, client_id: int, times: Sequence[time], now: datetime
) -> tuple[time, ...]:
    """Replace the client's reminder times (1-6 distinct times of day); returns them sorted,
    as placed: a time inside the client's quiet hours moves to the nearer edge of them."""
    distinct = sorted({t.replace(second=0, microsecond=0, tzinfo=None) for t in times})
    if not 1 <= len(distinct) <= MAX_REMINDER_TIMES:
        raise ScheduleError(f"choose between 1 and {MAX_REMINDER_TIMES} reminder times")
    client = await _client(session, client_id)
    rows = await _client_schedules(session, client_id)
    await _place_reminder_rows(session, client, rows, distinct, now)
    await session.flush()
    await sync_client_schedules(session, client_id=client_id, now=now)
    # Times inside quiet hours were moved out of them (`out_of_quiet_hours`).
    return await reminder_times(session, client_id=client_id)


async def set_checkin_time(
    session: AsyncSession, *, client_id: int, at: time, now: datetime
) -> None:
    """Move the daily check-in (and the weekly SBI, which follows it) to `at` local time,
    or to the nearer edge of the client's quiet hours when `at` falls inside them."""
    await sync_client_schedules(session, client_id=client_id, now=now)
    rows = await _client_schedules(session, client_id)
    client = await _client(session, client_id)
    at = _outside_quiet(client, at.replace(second=0, microsecond=0, tzinfo=None))
    for row in rows:
        if row.kind in (ScheduleKind.CHECKIN, ScheduleKind.WEEKLY_SBI):
            row.local_times = format_local_times([at])
    _reschedule(client, rows, now)
    await _skip_answered(session, client, rows, now)
    await session.flush()


async def set_client_timezone(
    session: AsyncSession, *, client_id: int, tz: str, now: datetime
) -> None:
    """The client moved: every schedule keeps its wall-clock times in the new zone."""
    client = await _client(session, client_id)
    client.timezone = _zone(tz)
    rows = await _client_schedules(session, client_id)
    _reschedule(client, rows, now)
    await _skip_answered(session, client, rows, now)
    await session.flush()


async def pause_client_schedules(
    session: AsyncSession, *, client_id: int, until: date | None, now: datetime
) -> None:
    """Pause the client; with `until`, the tick resumes them on that local date."""
    client = await _client(session, client_id)
    if client.status in (ClientStatus.BLOCKED, ClientStatus.DELETED):
        return
    client.status, client.paused_until = ClientStatus.PAUSED, until
    _reschedule(client, await _client_schedules(session, client_id), now)
    await session.flush()


async def resume_client_schedules(session: AsyncSession, *, client_id: int, now: datetime) -> None:
    """Resume from the next slot after `now`: nothing missed while paused is sent."""
    client = await _client(session, client_id)
    if client.status is ClientStatus.DELETED:
        return
    client.status, client.paused_until = ClientStatus.ACTIVE, None
    await sync_client_schedules(session, client_id=client_id, now=now)


async def stop_client_schedules(session: AsyncSession, *, client_id: int, now: datetime) -> None:
    """Nothing fires for this client any more (blocked the bot, erased)."""
    await schedule_rows.stop_firing(session, client_id=client_id, now=now)


async def resume_due_paused_clients(session: AsyncSession, *, now: datetime) -> list[int]:
    """Resume every paused client whose `paused_until` date has come in their own zone."""
    # A local date is at most one day ahead of the UTC date, so this bound never misses one.
    horizon = now.date().toordinal() + 1
    paused = await client_rows.paused_clients_until(session, by=date.fromordinal(horizon))
    due = [
        row.id
        for row in paused
        if row.paused_until is not None and row.paused_until <= local_day(now, row.timezone)
    ]
    for client_id in due:
        await resume_client_schedules(session, client_id=client_id, now=now)
    return due


async def ensure_therapist_summary_schedule(
    session: AsyncSession, *, therapist_id: int, tz: str, now: datetime
) -> None:
    """The therapist's weekly summary: Mondays 08:00 in their zone (created or moved)."""
    zone = _zone(tz)
    row = await schedule_rows.therapist_summary_schedule(session, therapist_id)
    if row is None:
        row = Schedule(
            therapist_id=therapist_id,
            kind=ScheduleKind.THERAPIST_SUMMARY,
            local_times=format_local_times([SUMMARY_TIME]),
            days_mask=SUMMARY_DAYS_MASK,
            timezone=zone,
            active=True,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    if row.timezone != zone or row.next_fire_at is None:
        row.timezone, row.updated_at = zone, now
        row.next_fire_at = first_fire_after(
            local_times=row.local_times, days_mask=row.days_mask, timezone=zone, after=now
        )
    await session.flush()


@dataclass(frozen=True)
class BlockedClient:
    """A client who has just blocked the bot, and whom to tell."""

    client_id: int
    display_name: str
    therapist_telegram_id: int


async def mark_client_blocked(
    session: AsyncSession, *, client_id: int, now: datetime
) -> BlockedClient | None:
    """Telegram said 403: mark the client blocked and stop their schedules.

    Returns who to tell only for the call that made the change, so the therapist hears once
    however many sends to that client fail.
    """
    changed = await client_rows.block_client(session, client_id)
    await stop_client_schedules(session, client_id=client_id, now=now)
    if changed is None:
        return None
    therapist_telegram_id = await therapists.therapist_telegram_id(session, changed.therapist_id)
    if therapist_telegram_id is None:  # the foreign key forbids it
        raise LookupError(f"client {client_id} has no therapist")
    return BlockedClient(client_id, changed.display_name, therapist_telegram_id)


@dataclass(frozen=True)
class ScheduleImport:
    """One schedule row to import: a client's (or, for the summary, a therapist's)."""

    kind: ScheduleKind
    local_times: tuple[time, ...]
    timezone: str
    days_mask: int = ALL_DAYS
    client_id: int | None = None
    therapist_id: int | None = None


async def import_schedules(
    session: AsyncSession, rows: Iterable[ScheduleImport], *, now: datetime
) -> int:
    """Insert many schedule rows in the caller's transaction; returns how many.

    Each row's `next_fire_at` is its first slot after `now`, NULL for a client who is not
    active (paused, blocked, deleted) — the same state the per-client functions leave.
    `rows` may be a generator: it is read `IMPORT_CHUNK` rows at a time, so memory stays flat
    however large the import. An unknown zone, a bad day mask or a row without exactly one
    owner raises `ScheduleError`; the caller's transaction then rolls back, leaving nothing.
    """
    fires: dict[tuple[str, int, str], datetime | None] = {}
    count = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, IMPORT_CHUNK)):
        if count:
            await asyncio.sleep(0)  # a large import never holds the event loop for long
        inactive = await client_rows.inactive_clients(
            session, {row.client_id for row in chunk if row.client_id is not None}
        )
        values = []
        for row in chunk:
            if (row.client_id is None) == (row.therapist_id is None):
                raise ScheduleError("each schedule belongs to exactly one client or therapist")
            if not 0 <= row.days_mask <= ALL_DAYS or not row.local_times:
                raise ScheduleError("a schedule needs a time of day and days 0-127")
            key = (format_local_times(row.local_times), row.days_mask, row.timezone)
            if key not in fires:
                fires[key] = first_fire_after(
                    local_times=key[0], days_mask=key[1], timezone=_zone(key[2]), after=now
                )
            values.append(
                {
                    "client_id": row.client_id,
                    "therapist_id": row.therapist_id,
                    "kind": row.kind,
                    "local_times": key[0],
                    "days_mask": row.days_mask,
                    "timezone": row.timezone,
                    "active": True,
                    "next_fire_at": None if row.client_id in inactive else fires[key],
                    "created_at": now,
                    "updated_at": now,
                }
            )
        await schedule_rows.insert_schedules(session, values)
        count += len(values)
    return count
