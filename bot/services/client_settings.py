"""A client's own settings: time zone, reminder times, check-in time, quiet hours, pause.

Every change goes through `bot.services.schedules` in the same transaction, so the schedule
rows the scheduler reads move at once. Multi-step choices (ticking reminder times, typing a
place or a time) keep their draft in `PendingInput`, keyed by Telegram id: it survives a
restart, expires on its own and never holds health data.

Onboarding (`bot.services.onboarding`) shares these steps; `Client.onboarding_step` says
whether a finished step should move the newcomer on.
"""

from __future__ import annotations

import asyncio
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import pending as pending_inputs
from bot.db.clients import live_client
from bot.db.engine import Database
from bot.db.models import Client, ClientStatus, PendingInput
from bot.domain.schedule_times import out_of_quiet_hours
from bot.domain.time_zones import is_time_zone, match_time_zones
from bot.services import schedules
from bot.services.pending import SETTINGS_KINDS, PendingKind

# How long a half-finished choice waits for the client. Onboarding waits longer: a newcomer
# may tap Agree and come back to finish the next day.
SETTINGS_PENDING_TTL = timedelta(hours=24)
ONBOARDING_PENDING_TTL = timedelta(days=7)

# Offered as buttons; anything else can be typed (issue 5: 08:00 / 12:30 / 19:00 + custom).
REMINDER_PRESETS: tuple[time, ...] = (time(8, 0), time(12, 30), time(19, 0))
CHECKIN_PRESETS: tuple[time, ...] = (time(8, 0), time(12, 0), time(18, 0), time(20, 0), time(21, 0))
QUIET_START_PRESETS: tuple[time, ...] = (time(21, 0), time(22, 0), time(23, 0))
QUIET_END_PRESETS: tuple[time, ...] = (time(6, 0), time(7, 0), time(8, 0), time(9, 0))
PAUSE_WEEKS = (1, 2)
MAX_REMINDER_TIMES = schedules.MAX_REMINDER_TIMES

# Typed times: "7:45", "07.45", "19h30", "7am", "7:30 pm", "1930". Anything longer is not a time.
_TYPED_TIME = re.compile(
    r"^\s*(?P<hour>\d{1,2})(?:\s*[:.h]\s*(?P<minute>\d{2})|(?P<compact>\d{2}))?\s*"
    r"(?P<ampm>[ap]\.?\s*m\.?)?\s*$",
    re.IGNORECASE,
)
MAX_TYPED_TIME_CHARS = 16


class SettingsError(ValueError):
    """The request cannot be applied as asked; `reason` says why, for the handler to word."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TypedOutcome(enum.StrEnum):
    ZONE_SET = "zone_set"
    ZONE_CHOICES = "zone_choices"
    ZONE_UNKNOWN = "zone_unknown"
    REMINDER_ADDED = "reminder_added"
    REMINDER_FULL = "reminder_full"
    TIME_NOT_UNDERSTOOD = "time_not_understood"
    CHECKIN_SET = "checkin_set"


@dataclass(frozen=True)
class ClientSettings:
    client_id: int
    timezone: str
    reminder_times: tuple[time, ...]
    checkin_time: time
    quiet_start: time | None
    quiet_end: time | None
    status: ClientStatus
    paused_until: date | None
    onboarding_step: str | None

    @property
    def onboarding(self) -> bool:
        return self.onboarding_step is not None


@dataclass(frozen=True)
class MovedTime:
    """A time the client chose that falls in their quiet hours, and where it went instead."""

    what: str  # "reminder" or "checkin"
    asked: time
    placed: time


def _moved(
    what: str, asked: Sequence[time], start: time | None, end: time | None
) -> tuple[MovedTime, ...]:
    return tuple(
        MovedTime(what, at, placed)
        for at in sorted(set(asked))
        if (placed := out_of_quiet_hours(at, start, end)) != at
    )


@dataclass(frozen=True)
class QuietHoursChange:
    settings: ClientSettings
    # Reminder and check-in times that fell inside the new quiet hours and were moved.
    moved: tuple[MovedTime, ...]


@dataclass(frozen=True)
class ZoneChange:
    settings: ClientSettings
    # True when this choice finished onboarding's time-zone step: reminder times come next.
    onboarding_next: bool


@dataclass(frozen=True)
class ReminderDraft:
    times: tuple[time, ...]
    awaiting_custom: bool
    onboarding: bool
    # Times the draft started with that a typed time replaced: still offered as buttons, so
    # the client can keep them with one tap.
    replaced: tuple[time, ...] = ()
    # Whether the client ticked or unticked anything yet: until then a typed time replaces
    # the ticked ones instead of adding to them.
    touched: bool = False


@dataclass(frozen=True)
class TypedAnswer:
    """What a typed message meant for a pending choice."""

    outcome: TypedOutcome
    settings: ClientSettings | None = None
    onboarding_next: bool = False
    zones: tuple[str, ...] = ()
    draft: ReminderDraft | None = None
    moved: tuple[MovedTime, ...] = ()


def parse_time_of_day(text: str) -> time | None:
    """A wall-clock time typed by a person, or None if it is not one."""
    if len(text) > MAX_TYPED_TIME_CHARS:
        return None
    found = _TYPED_TIME.match(text)
    if found is None:
        return None
    hour = int(found["hour"])
    minute = int(found["minute"] or found["compact"] or 0)
    if found["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if found["ampm"].lower().startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def format_time(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


# ---------------------------------------------------------------- reading


async def _settings_of(session: AsyncSession, client: Client) -> ClientSettings:
    return ClientSettings(
        client_id=client.id,
        timezone=client.timezone,
        reminder_times=await schedules.reminder_times(session, client_id=client.id),
        checkin_time=await schedules.checkin_time(session, client_id=client.id),
        quiet_start=client.quiet_start,
        quiet_end=client.quiet_end,
        status=client.status,
        paused_until=client.paused_until,
        onboarding_step=client.onboarding_step,
    )


async def current_settings(db: Database, *, telegram_id: int) -> ClientSettings | None:
    async with db.sessions() as session:
        client = await live_client(session, telegram_id)
        return None if client is None else await _settings_of(session, client)


# ---------------------------------------------------------------- pending input


def _ttl(client: Client) -> timedelta:
    return ONBOARDING_PENDING_TTL if client.onboarding_step else SETTINGS_PENDING_TTL


# ---------------------------------------------------------------- time zone


async def ask_time_zone(db: Database, *, telegram_id: int, now: datetime) -> ClientSettings | None:
    """The next typed message is a place or zone name."""
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return None
        await pending_inputs.put_pending(
            session,
            telegram_id=telegram_id,
            kind=PendingKind.TIME_ZONE,
            payload={},
            expires_at=now + _ttl(client),
        )
        return await _settings_of(session, client)


async def _apply_time_zone(
    session: AsyncSession, client: Client, zone: str, now: datetime
) -> ZoneChange:
    if not is_time_zone(zone):
        raise SettingsError("unknown_zone")
    await schedules.set_client_timezone(session, client_id=client.id, tz=zone, now=now)
    await pending_inputs.clear_pending(session, client.telegram_id, {PendingKind.TIME_ZONE})
    onboarding_next = client.onboarding_step == "timezone"
    if onboarding_next:
        # Onboarding moves on to reminder times, starting from the current ones.
        client.onboarding_step = "reminders"
        times = await schedules.reminder_times(session, client_id=client.id)
        await _save_draft(session, client, times, custom=False, now=now)
    return ZoneChange(await _settings_of(session, client), onboarding_next)


async def change_time_zone(
    db: Database, *, telegram_id: int, zone: str, now: datetime
) -> ZoneChange | None:
    """Set the zone (a button's value is re-checked against the tz database)."""
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return None
        return await _apply_time_zone(session, client, zone, now)


# ---------------------------------------------------------------- reminder times


def _times_of(raw: object) -> tuple[time, ...]:
    values = raw if isinstance(raw, list) else []
    return tuple(sorted({t for t in (parse_time_of_day(str(v)) for v in values) if t is not None}))


def _draft_of(row: PendingInput, client: Client) -> ReminderDraft:
    return ReminderDraft(
        times=_times_of(row.payload.get("times", [])),
        awaiting_custom=bool(row.payload.get("custom", False)),
        onboarding=client.onboarding_step == "reminders",
        replaced=_times_of(row.payload.get("replaced", [])),
        touched=_draft_touched(row),
    )


def _draft_touched(row: PendingInput) -> bool:
    """Whether the client ticked or unticked anything in this draft (else it still holds
    the times it started with, which a typed time replaces)."""
    return bool(row.payload.get("touched", False))


async def _save_draft(
    session: AsyncSession,
    client: Client,
    times: Sequence[time],
    *,
    custom: bool,
    now: datetime,
    touched: bool = False,
    replaced: Sequence[time] = (),
) -> ReminderDraft:
    await pending_inputs.put_pending(
        session,
        telegram_id=client.telegram_id,
        kind=PendingKind.REMINDER_TIMES,
        payload={
            "times": [format_time(t) for t in sorted(set(times))],
            "custom": custom,
            "touched": touched,
            "replaced": [format_time(t) for t in sorted(set(replaced))],
        },
        expires_at=now + _ttl(client),
    )
    return ReminderDraft(
        times=tuple(sorted(set(times))),
        awaiting_custom=custom,
        onboarding=client.onboarding_step == "reminders",
        replaced=tuple(sorted(set(replaced))),
        touched=touched,
    )


async def _open_draft(
    session: AsyncSession, telegram_id: int, now: datetime
) -> tuple[Client, ReminderDraft] | None:
    """The client and the reminder-time draft they have open; None when none is (stale)."""
    client = await live_client(session, telegram_id)
    row = None if client is None else await pending_inputs.awaited_row(session, telegram_id, now)
    if client is None or row is None or row.kind != PendingKind.REMINDER_TIMES:
        return None
    return client, _draft_of(row, client)


async def start_reminder_draft(
    db: Database, *, telegram_id: int, now: datetime
) -> ReminderDraft | None:
    """Begin choosing reminder times from the client's current ones."""
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return None
        times = await schedules.reminder_times(session, client_id=client.id)
        return await _save_draft(session, client, times, custom=False, now=now)


async def toggle_reminder_time(
    db: Database, *, telegram_id: int, at: time, now: datetime
) -> ReminderDraft | None:
    """Tick or untick one time; None when no draft is open (a stale button)."""
    async with db.sessions.begin() as session:
        opened = await _open_draft(session, telegram_id, now)
        if opened is None:
            return None
        client, draft = opened
        times = set(draft.times) ^ {at}
        if len(times) > MAX_REMINDER_TIMES:
            raise SettingsError("too_many_times")
        return await _save_draft(
            session,
            client,
            sorted(times),
            custom=False,
            now=now,
            touched=True,
            replaced=draft.replaced,
        )


async def ask_custom_reminder_time(
    db: Database, *, telegram_id: int, now: datetime
) -> ReminderDraft | None:
    async with db.sessions.begin() as session:
        opened = await _open_draft(session, telegram_id, now)
        if opened is None:
            return None
        client, draft = opened
        return await _save_draft(
            session,
            client,
            draft.times,
            custom=True,
            now=now,
            touched=draft.touched,
            replaced=draft.replaced,
        )


@dataclass(frozen=True)
class SavedReminders:
    times: tuple[time, ...]
    # True when this save finished the onboarding step: the red-flag screen comes next.
    onboarding_next: bool
    # Chosen times that fell inside the client's quiet hours, and where they went.
    moved: tuple[MovedTime, ...] = ()


async def save_reminder_draft(
    db: Database, *, telegram_id: int, now: datetime
) -> SavedReminders | None:
    """Apply the ticked times to the schedule rows; None when there was no open draft."""
    async with db.sessions.begin() as session:
        opened = await _open_draft(session, telegram_id, now)
        if opened is None:
            return None
        client, draft = opened
        if not draft.times:
            raise SettingsError("no_times")
        saved = await schedules.set_reminder_times(
            session, client_id=client.id, times=draft.times, now=now
        )
        await pending_inputs.clear_pending(session, telegram_id, SETTINGS_KINDS)
        onboarding_next = client.onboarding_step == "reminders"
        if onboarding_next:
            client.onboarding_step = "red_flags"
        moved = _moved("reminder", draft.times, client.quiet_start, client.quiet_end)
        return SavedReminders(times=saved, onboarding_next=onboarding_next, moved=moved)


# ---------------------------------------------------------------- check-in time, quiet hours


async def ask_checkin_time(db: Database, *, telegram_id: int, now: datetime) -> bool:
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return False
        await pending_inputs.put_pending(
            session,
            telegram_id=telegram_id,
            kind=PendingKind.CHECKIN_TIME,
            payload={},
            expires_at=now + _ttl(client),
        )
        return True


async def _apply_checkin_time(
    session: AsyncSession, client: Client, at: time, now: datetime
) -> ClientSettings:
    await schedules.set_checkin_time(session, client_id=client.id, at=at, now=now)
    await pending_inputs.clear_pending(session, client.telegram_id, {PendingKind.CHECKIN_TIME})
    return await _settings_of(session, client)


async def change_checkin_time(
    db: Database, *, telegram_id: int, at: time, now: datetime
) -> ClientSettings | None:
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return None
        return await _apply_checkin_time(session, client, at, now)


async def change_quiet_hours(
    db: Database, *, telegram_id: int, start: time | None, end: time | None, now: datetime
) -> QuietHoursChange | None:
    """Set both ends (or clear both with None); a one-sided window is refused.

    Reminder and check-in times inside the new quiet hours move to the nearer edge of them
    (`bot.domain.schedule_times.out_of_quiet_hours`), so nothing the bot sends by itself
    lands in them; the change lists each move for the client to see.
    """
    if (start is None) != (end is None) or (start is not None and start == end):
        raise SettingsError("quiet_hours_incomplete")
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return None
        before = await _settings_of(session, client)
        client.quiet_start, client.quiet_end = start, end
        await session.flush()
        await schedules.sync_client_schedules(session, client_id=client.id, now=now)
        moved = _moved("reminder", before.reminder_times, start, end) + _moved(
            "checkin", (before.checkin_time,), start, end
        )
        return QuietHoursChange(await _settings_of(session, client), moved)


# ---------------------------------------------------------------- pause / resume


async def pause(
    db: Database, *, telegram_id: int, weeks: int | None, now: datetime
) -> ClientSettings | None:
    """Pause for 1 or 2 weeks (resuming on that local date) or until the client resumes."""
    if weeks is not None and weeks not in PAUSE_WEEKS:
        raise SettingsError("bad_pause")
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return None
        if client.status is ClientStatus.BLOCKED:
            raise SettingsError("blocked")
        until = None
        if weeks is not None:
            until = now.astimezone(ZoneInfo(client.timezone)).date() + timedelta(weeks=weeks)
        await schedules.pause_client_schedules(session, client_id=client.id, until=until, now=now)
        return await _settings_of(session, client)


async def resume(
    db: Database, *, telegram_id: int, now: datetime
) -> tuple[bool, ClientSettings] | None:
    """Resume from the next slot; the flag says whether the client was paused at all."""
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return None
        was_paused = client.status is ClientStatus.PAUSED
        if was_paused:
            await schedules.resume_client_schedules(session, client_id=client.id, now=now)
        return was_paused, await _settings_of(session, client)


# ---------------------------------------------------------------- typed answers


async def answer_typed_text(
    db: Database, *, telegram_id: int, text: str, now: datetime, home_zone: str | None = None
) -> TypedAnswer | None:
    """Interpret a typed message for a pending choice; None when it is not for one of ours.

    A message that mentions a red flag never comes here: the text router's red-flag screen
    takes it first (bot.handlers.text). `home_zone` (the practice's DEFAULT_TIMEZONE) makes a
    typed city of the practice's country win over namesakes abroad.
    """
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        row = (
            None if client is None else await pending_inputs.awaited_row(session, telegram_id, now)
        )
        if client is None or row is None or row.kind not in SETTINGS_KINDS:
            return None
        if row.kind == PendingKind.TIME_ZONE:
            # The first lookup loads the city list (tens of ms): off the event loop.
            zones = await asyncio.to_thread(match_time_zones, text, home_zone=home_zone)
            if len(zones) == 1:
                change = await _apply_time_zone(session, client, zones[0], now)
                return TypedAnswer(
                    TypedOutcome.ZONE_SET,
                    settings=change.settings,
                    zones=zones,
                    onboarding_next=change.onboarding_next,
                )
            outcome = TypedOutcome.ZONE_CHOICES if zones else TypedOutcome.ZONE_UNKNOWN
            return TypedAnswer(outcome, zones=zones)
        at = parse_time_of_day(text)
        if row.kind == PendingKind.CHECKIN_TIME:
            if at is None:
                return TypedAnswer(TypedOutcome.TIME_NOT_UNDERSTOOD)
            settings = await _apply_checkin_time(session, client, at, now)
            moved = _moved("checkin", (at,), client.quiet_start, client.quiet_end)
            return TypedAnswer(TypedOutcome.CHECKIN_SET, settings=settings, moved=moved)
        draft = _draft_of(row, client)
        if at is None:
            if draft.awaiting_custom:
                return TypedAnswer(TypedOutcome.TIME_NOT_UNDERSTOOD, draft=draft)
            return None
        if draft.touched:
            if at not in draft.times and len(draft.times) >= MAX_REMINDER_TIMES:
                return TypedAnswer(TypedOutcome.REMINDER_FULL, draft=draft)
            times, replaced = [*draft.times, at], draft.replaced
        else:
            # The client has not picked anything yet: the time they typed is their choice,
            # not an addition to the defaults. The defaults stay one tap away.
            times, replaced = [at], tuple(t for t in draft.times if t != at)
        draft = await _save_draft(
            session, client, times, custom=False, now=now, touched=True, replaced=replaced
        )
        return TypedAnswer(TypedOutcome.REMINDER_ADDED, draft=draft)
