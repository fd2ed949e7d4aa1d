"""Schedule maths: when a reminder next fires, in the client's own time zone.

The scheduler stores each schedule's `next_fire_at` in UTC and advances it with
`next_fire_at` below (DESIGN.md "The scheduling engine"). Wall-clock times are interpreted in
the client's IANA zone with `zoneinfo`, stepping through APScheduler's `CronTrigger`, then
corrected where CronTrigger's handling of daylight-saving changes is not what a client expects.

What CronTrigger (APScheduler 3.11) does at DST changes, verified in
tests/unit/test_schedule_times.py, and what this module does instead:

* Times that exist every day (09:00 in Europe/London): CronTrigger is right — 09:00 local on
  both sides of each change (08:00 UTC in summer, 09:00 UTC in winter). Used as is.
* A time that does not exist that day (01:30 on London's spring-forward day, when 01:00 GMT
  becomes 02:00 BST): CronTrigger returns the impossible wall time 01:30 with the pre-change
  offset, i.e. 01:30 UTC = **02:30 BST**, an hour late. Corrected to the first valid moment
  after the gap — **02:00 BST = 01:00 UTC** — "the next valid minute".
* A time that happens twice (01:30 on fall-back day, once in BST and again in GMT):
  CronTrigger fires **twice** (00:30 UTC, then 01:30 UTC when asked again after the first).
  Corrected to fire **once**, at the first occurrence (00:30 UTC); the repeat is skipped.
* A day skipped outright (found by the property test): when CronTrigger's search steps from
  one local day to the next *across* a spring-forward change, it adds the wall-clock
  difference as real time and lands an hour (the size of the gap) past local midnight, so it
  misses any time in the first hour of that next day. Examples: a Monday-Friday 00:30
  reminder in London, searched from Friday 27 March 2026, comes back for Tuesday 31 March
  instead of Monday 30 March; a Monday-only one comes back a week late. Corrected by checking
  the client's calendar between `after` and CronTrigger's answer (`_earliest_by_calendar`)
  and taking any earlier fire it finds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

# APScheduler 3 names weekdays mon..sun; we number them like `date.weekday()`: 0 = Monday.
_DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS: Final = frozenset(range(7))

# A reminder sent within a minute of its slot is on time: one scheduler tick is ~1 s, and
# Telegram's pacing (≤ 30 msg/s) clears even a 1,000-reminder burst inside a minute.
ON_TIME_TOLERANCE: Final = timedelta(seconds=60)

# Each retry below moves past one candidate (at least a whole day later); a handful suffices.
_MAX_CANDIDATES: Final = 16
_ONE_MICROSECOND: Final = timedelta(microseconds=1)

SlotTiming = Literal["on_time", "late", "missed"]


def zone(tz: str | ZoneInfo) -> ZoneInfo:
    """The `ZoneInfo` for an IANA name; `ValueError` (not `KeyError`) for an unknown one."""
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {tz!r}; use an IANA name like 'Europe/London'"
        ) from exc


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value!r}")


def _offset_at(instant: datetime, tz: ZoneInfo) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None  # zoneinfo always knows the offset of an aware instant
    return offset


def _end_of_gap(earliest: datetime, latest: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant in (earliest, latest] where `tz`'s offset changes (to the second)."""
    before = _offset_at(earliest, tz)
    low, high = earliest, latest
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _offset_at(middle, tz) == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0) if high.microsecond else high


WallTimeKind = Literal["ordinary", "repeated", "skipped"]


def wall_time_kind(wall: datetime, tz: ZoneInfo) -> WallTimeKind:
    """Whether naive local `wall` happens once, twice (fall-back) or never (spring-forward)."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first == second:
        return "ordinary"
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return "repeated"
    return "skipped"


def resolve_wall_time(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant at which a reminder set for naive local `wall` fires.

    * an ordinary wall time → its instant;
    * a repeated one (fall-back) → its first occurrence only;
    * a skipped one (spring-forward gap) → the end of the gap, the next valid minute.
    """
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if wall_time_kind(wall, tz) != "skipped":
        return min(first, second)
    # fold=0 reads a skipped time with the offset before the change, fold=1 with the one
    # after; the change itself lies between the two readings.
    return _end_of_gap(min(first, second), max(first, second), tz)


def _corrected(candidate: datetime, tz: ZoneInfo) -> datetime | None:
    """CronTrigger's `candidate` as the instant to fire at, or None when it is the second
    occurrence of a repeated wall time (which must not fire again)."""
    wall = candidate.replace(tzinfo=None)
    instant = resolve_wall_time(wall, tz)
    if wall_time_kind(wall, tz) == "repeated" and candidate.astimezone(UTC) != instant:
        return None
    return instant


# Building a CronTrigger parses and compiles every field, about half the cost of a call; the
# scheduler advances thousands of rows per tick with a few distinct (time, days, zone) shapes.
# A trigger is immutable once built (get_next_fire_time reads it only), so memoising is safe.
@lru_cache(maxsize=4096)
def _trigger(local_time: time, days: frozenset[int], tz: ZoneInfo) -> CronTrigger:
    return CronTrigger(
        day_of_week=",".join(_DAY_NAMES[d] for d in sorted(days)),
        hour=local_time.hour,
        minute=local_time.minute,
        second=local_time.second,
        timezone=tz,
    )


def _next_for_time(trigger: CronTrigger, tz: ZoneInfo, after: datetime) -> datetime:
    search_from = after
    for _ in range(_MAX_CANDIDATES):
        # get_next_fire_time returns a time >= now (rounded up to the second): nudge past
        # `search_from` so the result is strictly later.
        candidate: datetime | None = trigger.get_next_fire_time(
            None, (search_from + _ONE_MICROSECOND).astimezone(tz)
        )
        if candidate is None:  # pragma: no cover - no end date is ever set
            break
        instant = _corrected(candidate, tz)
        if instant is not None and instant > after:
            return instant
        search_from = max(search_from, candidate.astimezone(UTC))
    raise RuntimeError(f"no fire time found after {after.isoformat()} in {tz.key}")


def _earliest_by_calendar(
    local_times: Sequence[time],
    days: frozenset[int],
    tz: ZoneInfo,
    after: datetime,
    until: datetime,
) -> datetime | None:
    """The earliest fire in (after, until) found by walking the client's local calendar."""
    first_day = after.astimezone(tz).date() - timedelta(days=1)
    last_day = until.astimezone(tz).date()
    earliest: datetime | None = None
    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        for local_time in local_times:
            instant = resolve_wall_time(datetime.combine(day, local_time), tz)
            if after < instant < until and (earliest is None or instant < earliest):
                earliest = instant
    return earliest


def next_fire_at(
    *,
    local_times: Sequence[time],
    days: Collection[int],
    tz: str | ZoneInfo,
    after: datetime,
) -> datetime:
    """The first moment strictly after `after` when a reminder at `local_times` on `days`
    (0 = Monday … 6 = Sunday, in the client's local calendar) fires, as an aware UTC datetime.

    DST-correct as described in the module docstring. Two local times that land on the same
    instant (01:30 and 02:00 on a spring-forward day) fire once.
    """
    _require_aware(after, "after")
    if not local_times:
        raise ValueError("a schedule needs at least one local time")
    day_set = frozenset(days)
    if not day_set or not day_set <= ALL_DAYS:
        raise ValueError(f"days must be a non-empty set of 0 (Monday) … 6 (Sunday), got {days!r}")
    for local_time in local_times:
        if local_time.tzinfo is not None:
            raise ValueError(f"local times are wall-clock times without a zone, got {local_time}")
        if local_time.microsecond:
            raise ValueError(f"local times are whole seconds, got {local_time}")
    tz_info = zone(tz)
    after_utc = after.astimezone(UTC)
    unique_times = sorted(set(local_times))
    proposed = min(
        _next_for_time(_trigger(local_time, day_set, tz_info), tz_info, after_utc)
        for local_time in unique_times
    )
    # CronTrigger can step over the first hour of the day after a spring-forward change
    # (module docstring); the client's calendar between the two instants has the last word.
    earlier = _earliest_by_calendar(unique_times, day_set, tz_info, after_utc, proposed)
    return proposed if earlier is None else earlier


def weekly_fire(*, weekday: int, local_time: time, tz: str | ZoneInfo, after: datetime) -> datetime:
    """Next fire of a once-a-week schedule, e.g. the therapist's Monday 08:00 summary."""
    return next_fire_at(local_times=(local_time,), days=frozenset({weekday}), tz=tz, after=after)


def format_local_times(times: Sequence[time]) -> str:
    """A schedule row's `local_times` as stored: "08:00,19:00"."""
    return ",".join(f"{t.hour:02d}:{t.minute:02d}" for t in times)


def parse_local_times(text: str) -> tuple[time, ...]:
    """The times of day in a stored `local_times` ("08:00,19:00")."""
    return tuple(time.fromisoformat(part) for part in text.split(",") if part)


def days_of_mask(days_mask: int) -> frozenset[int]:
    """Weekdays (0 = Monday ... 6 = Sunday) set in a `days_mask` (bit 0 = Monday)."""
    return frozenset(day for day in range(7) if days_mask & (1 << day))


def first_fire_after(
    *, local_times: str, days_mask: int, timezone: str, after: datetime
) -> datetime | None:
    """A stored schedule row's first slot strictly after `after` (aware UTC), or None if the
    row never fires (no day or no time)."""
    if days_mask == 0 or not local_times:
        return None
    return next_fire_at(
        local_times=parse_local_times(local_times),
        days=days_of_mask(days_mask),
        tz=timezone,
        after=after,
    )


def local_day(now: datetime, tz: str | ZoneInfo) -> date:
    """The client's calendar date at the instant `now`."""
    _require_aware(now, "now")
    return now.astimezone(zone(tz)).date()


def outside_quiet_hours_from(
    now: datetime, tz: str | ZoneInfo, start: time | None, end: time | None
) -> datetime:
    """The first moment at or after `now` when a message may go to a client with these quiet
    hours: `now` itself outside them, else when they end (the client's wall clock, DST-aware).

    For messages with no fixed time of day (a relayed reply, a notice) that the dispatcher
    would otherwise send in the middle of the client's night.
    """
    _require_aware(now, "now")
    tz_info = zone(tz)
    local = now.astimezone(tz_info)
    wall = local.time().replace(tzinfo=None)
    if start is None or end is None or not is_within_quiet_hours(wall, start, end):
        return now
    day = local.date() if wall < end else local.date() + timedelta(days=1)
    return resolve_wall_time(datetime.combine(day, end), tz_info)


def end_of_local_day(day: date, tz: str | ZoneInfo) -> datetime:
    """The first instant (UTC) of the local day after `day`: where `day` ends for the client."""
    return resolve_wall_time(datetime.combine(day + timedelta(days=1), time(0, 0)), zone(tz))


def answered_prompt_next_fire(
    next_fire: datetime | None, answered_through: date | None, tz: str | ZoneInfo
) -> datetime | None:
    """When a daily or weekly prompt should next fire, given the client already answered it.

    `answered_through` is the last local day the client's answer covers (today for a pain
    check-in done early; the week's Sunday for the weekly questionnaire). A fire on or before
    that day would ask the same question twice: the answer is the moment after which the next
    fire is searched. Returns None when `next_fire` can stay as it is.
    """
    if next_fire is None or answered_through is None:
        return None
    if local_day(next_fire, tz) > answered_through:
        return None
    return end_of_local_day(answered_through, tz) - timedelta(microseconds=1)


def is_within_quiet_hours(local_time: time, start: time, end: time) -> bool:
    """True when `local_time` is in [start, end); the range may wrap midnight (22:00-07:00).

    `start == end` means no quiet hours at all.
    """
    if start == end:
        return False
    if start < end:
        return start <= local_time < end
    return local_time >= start or local_time < end


# A message due inside quiet hours moves to the nearer edge of them: to when they end, or to
# this long before they start (an evening reminder still leaves time to exercise and wind
# down before the client's quiet time).
QUIET_LEAD: Final = timedelta(minutes=30)
_DAY_MINUTES: Final = 24 * 60


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def out_of_quiet_hours(at: time, start: time | None, end: time | None) -> time:
    """`at` if it is outside quiet hours [start, end), else the nearer edge of them.

    A time nearer the end moves to the end (07:00 with quiet hours 22:00-08:00 → 08:00); one
    nearer the start moves to `QUIET_LEAD` before it (22:30 → 21:30). No quiet hours (either
    end None, or start == end) leaves every time as it is. Every scheduled message to a client
    (exercise reminders, the check-in, the weekly questionnaire) is placed with this rule.
    """
    if start is None or end is None or not is_within_quiet_hours(at, start, end):
        return at
    since_start = (_minutes(at) - _minutes(start)) % _DAY_MINUTES
    until_end = (_minutes(end) - _minutes(at)) % _DAY_MINUTES
    before = (_minutes(start) - int(QUIET_LEAD.total_seconds() // 60)) % _DAY_MINUTES
    lead = time(before // 60, before % 60)
    if until_end <= since_start or is_within_quiet_hours(lead, start, end):
        return end
    return lead


def classify_slot(slot: datetime, now: datetime, catch_up_window: timedelta) -> SlotTiming:
    """How a reminder for `slot` sent at `now` stands.

    * "on_time": sent within `ON_TIME_TOLERANCE` (60 s) of its slot (or before it);
    * "late": later than that, but inside the catch-up window — still worth sending;
    * "missed": older than the catch-up window — recorded, never sent (DESIGN.md: "a reminder
      whose slot is older than the catch-up window is recorded `missed`, never flooded").
    """
    _require_aware(slot, "slot")
    _require_aware(now, "now")
    if catch_up_window < timedelta(0):
        raise ValueError(f"catch_up_window must not be negative, got {catch_up_window}")
    elapsed = now - slot
    if elapsed <= ON_TIME_TOLERANCE:
        return "on_time"
    if elapsed <= catch_up_window:
        return "late"
    return "missed"


def slot_is_late(slot: datetime, now: datetime, catch_up_window: timedelta) -> bool:
    return classify_slot(slot, now, catch_up_window) == "late"


def slot_is_missed(slot: datetime, now: datetime, catch_up_window: timedelta) -> bool:
    return classify_slot(slot, now, catch_up_window) == "missed"


# CLAIM_LOOKAHEAD_SECONDS' default: the periodic tick claims slots due this far ahead, so a
# burst is claimed by its minute; a few seconds covers claiming 10,000 rows. Defined here, not
# only in the settings, so the engine and its benchmark read it without loading the settings.
DEFAULT_CLAIM_LOOKAHEAD_SECONDS: Final = 5.0

# The day-end pass runs every quarter hour: every UTC offset in use is a whole number of
# quarter hours (+5:30 India, +5:45 Nepal, +12:45 Chatham), so each client's local midnight
# falls on a pass, and the pass after it never judges a day the client has not finished.
DAY_END_PASS_INTERVAL = timedelta(minutes=15)


def day_end_pass_slot(now: datetime) -> datetime:
    """The pass's instant at or before `now`: `now` rounded down to the quarter hour (UTC).

    A pass that fires late (a busy loop, a restart inside the quarter) still judges its slot.
    """
    _require_aware(now, "now")
    utc = now.astimezone(UTC)
    step = int(DAY_END_PASS_INTERVAL.total_seconds())
    seconds = utc.hour * 3600 + utc.minute * 60 + utc.second
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(seconds=seconds - seconds % step)


def days_finished_between(since: datetime, slot: datetime, tz: str | ZoneInfo) -> list[date]:
    """The client's local days that ended in `(since, slot]`, oldest first: every day from the
    one in progress at `since` up to, not including, the one in progress at `slot`."""
    _require_aware(since, "since")
    first, current = local_day(since, tz), local_day(slot, tz)
    return [first + timedelta(days=offset) for offset in range((current - first).days)]
