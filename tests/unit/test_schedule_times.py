"""Schedule maths in the client's zone, across daylight-saving changes (bot.domain.schedule_times).

Every instant here is written out; nothing reads the real clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.schedule_times import (
    ALL_DAYS,
    classify_slot,
    days_finished_between,
    is_within_quiet_hours,
    local_day,
    next_fire_at,
    out_of_quiet_hours,
    outside_quiet_hours_from,
    resolve_wall_time,
    slot_is_late,
    slot_is_missed,
    wall_time_kind,
    weekly_fire,
)

LONDON = "Europe/London"
SYDNEY = "Australia/Sydney"
NEW_YORK = "America/New_York"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A naive local wall-clock time (what a client means by "01:30 on Sunday")."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


def fires(
    local_times: Sequence[time],
    tz: str,
    after: datetime,
    count: int,
    days: frozenset[int] = ALL_DAYS,
) -> list[datetime]:
    """The next `count` fire times, each computed from the one before (as the scheduler does)."""
    result: list[datetime] = []
    for _ in range(count):
        after = next_fire_at(local_times=local_times, days=days, tz=tz, after=after)
        result.append(after)
    return result


# --- what APScheduler's CronTrigger does on its own (pinned, so an upgrade that changes it shows)


def test_crontrigger_alone_fires_a_skipped_time_an_hour_late() -> None:
    london = ZoneInfo(LONDON)
    trigger = CronTrigger(hour=1, minute=30, timezone=london)
    fire = trigger.get_next_fire_time(None, utc(2026, 3, 28, 12).astimezone(london))
    assert fire.astimezone(UTC) == utc(2026, 3, 29, 1, 30)  # 02:30 BST, not 02:00


def test_crontrigger_alone_fires_a_repeated_time_twice() -> None:
    london = ZoneInfo(LONDON)
    trigger = CronTrigger(hour=1, minute=30, timezone=london)
    first = trigger.get_next_fire_time(None, utc(2026, 10, 24, 12).astimezone(london))
    again = trigger.get_next_fire_time(None, (first + timedelta(microseconds=1)).astimezone(london))
    assert first.astimezone(UTC) == utc(2026, 10, 25, 0, 30)  # 01:30 BST
    assert again.astimezone(UTC) == utc(2026, 10, 25, 1, 30)  # 01:30 GMT, the same day


def test_crontrigger_alone_skips_the_first_hour_of_the_day_after_spring_forward() -> None:
    london = ZoneInfo(LONDON)
    weekdays = CronTrigger(day_of_week="mon-fri", hour=0, minute=30, timezone=london)
    fire = weekdays.get_next_fire_time(None, utc(2026, 3, 27, 12).astimezone(london))
    assert fire.astimezone(UTC) == utc(2026, 3, 30, 23, 30)  # Tuesday 00:30 BST, not Monday
    sydney = ZoneInfo(SYDNEY)
    mondays = CronTrigger(day_of_week="mon", hour=0, minute=30, timezone=sydney)
    fire = mondays.get_next_fire_time(None, utc(2015, 10, 3, 12).astimezone(sydney))
    assert fire.astimezone(UTC) == utc(2015, 10, 11, 13, 30)  # a week late


def test_the_day_after_spring_forward_keeps_its_early_morning_reminder() -> None:
    assert fires([time(0, 30)], LONDON, utc(2026, 3, 27, 12), 2, frozenset(range(5))) == [
        utc(2026, 3, 29, 23, 30),  # Monday 30 March 00:30 BST
        utc(2026, 3, 30, 23, 30),  # Tuesday
    ]
    assert next_fire_at(
        local_times=[time(0, 30)], days={MON}, tz=SYDNEY, after=utc(2015, 10, 3, 12)
    ) == utc(2015, 10, 4, 13, 30)  # Monday 5 October 00:30 AEDT


# --- Europe/London, 2026: clocks go forward 29 March 01:00 GMT, back 25 October 02:00 BST


def test_nine_am_stays_nine_am_local_across_spring_forward() -> None:
    result = fires([time(9)], LONDON, utc(2026, 3, 27, 12), 4)
    assert result == [
        utc(2026, 3, 28, 9),  # GMT
        utc(2026, 3, 29, 8),  # BST from today
        utc(2026, 3, 30, 8),
        utc(2026, 3, 31, 8),
    ]
    assert {r.astimezone(ZoneInfo(LONDON)).time() for r in result} == {time(9)}


def test_nine_am_stays_nine_am_local_across_fall_back() -> None:
    result = fires([time(9)], LONDON, utc(2026, 10, 23, 12), 4)
    assert result == [
        utc(2026, 10, 24, 8),  # BST
        utc(2026, 10, 25, 9),  # GMT from today
        utc(2026, 10, 26, 9),
        utc(2026, 10, 27, 9),
    ]


def test_a_time_skipped_by_spring_forward_fires_at_the_next_valid_minute() -> None:
    assert fires([time(1, 30)], LONDON, utc(2026, 3, 28, 12), 2) == [
        utc(2026, 3, 29, 1, 0),  # 02:00 BST, the first minute after the gap
        utc(2026, 3, 30, 0, 30),  # 01:30 BST as usual
    ]


def test_a_time_repeated_by_fall_back_fires_once() -> None:
    assert fires([time(1, 30)], LONDON, utc(2026, 10, 24, 12), 2) == [
        utc(2026, 10, 25, 0, 30),  # 01:30 BST, the first 01:30
        utc(2026, 10, 26, 1, 30),  # not 01:30 GMT the same morning
    ]


def test_a_schedule_set_up_during_the_repeated_hour_waits_for_tomorrow() -> None:
    # 00:45 UTC is 01:45 BST: today's 01:30 has passed, and its repeat is not a second chance
    assert next_fire_at(
        local_times=[time(1, 30)], days=ALL_DAYS, tz=LONDON, after=utc(2026, 10, 25, 0, 45)
    ) == utc(2026, 10, 26, 1, 30)


def test_two_times_that_land_on_the_same_instant_fire_once() -> None:
    # 01:30 does not exist on 29 March and moves to 02:00 BST — the other reminder's time
    assert fires([time(1, 30), time(2, 0)], LONDON, utc(2026, 3, 28, 12), 2) == [
        utc(2026, 3, 29, 1, 0),
        utc(2026, 3, 30, 0, 30),
    ]


def test_wall_time_kinds_on_the_london_change_days() -> None:
    london = ZoneInfo(LONDON)
    assert wall_time_kind(wall(2026, 3, 29, 1, 30), london) == "skipped"
    assert wall_time_kind(wall(2026, 10, 25, 1, 30), london) == "repeated"
    assert wall_time_kind(wall(2026, 10, 25, 9, 0), london) == "ordinary"


# --- Australia/Sydney, 2026: back on 5 April 03:00 AEDT, forward on 4 October 02:00 AEST


def test_sydney_morning_reminder_across_the_april_change() -> None:
    assert fires([time(9)], SYDNEY, utc(2026, 4, 3, 0), 3) == [
        utc(2026, 4, 3, 22),  # 09:00 AEDT (UTC+11) on 4 April
        utc(2026, 4, 4, 23),  # 09:00 AEST (UTC+10) on 5 April
        utc(2026, 4, 5, 23),
    ]


def test_sydney_repeated_half_past_two_in_april_fires_once() -> None:
    assert fires([time(2, 30)], SYDNEY, utc(2026, 4, 4, 0), 2) == [
        utc(2026, 4, 4, 15, 30),  # 02:30 AEDT on 5 April
        utc(2026, 4, 5, 16, 30),  # 02:30 AEST on 6 April
    ]


def test_sydney_skipped_half_past_two_in_october_fires_at_three() -> None:
    assert fires([time(2, 30)], SYDNEY, utc(2026, 10, 3, 0), 2) == [
        utc(2026, 10, 3, 16, 0),  # 03:00 AEDT on 4 October
        utc(2026, 10, 4, 15, 30),  # 02:30 AEDT on 5 October
    ]


# --- America/New_York, 2026: forward 8 March 02:00 EST, back 1 November 02:00 EDT


def test_new_york_reminders_across_both_changes() -> None:
    assert fires([time(7)], NEW_YORK, utc(2026, 3, 7, 0), 2) == [
        utc(2026, 3, 7, 12),  # 07:00 EST
        utc(2026, 3, 8, 11),  # 07:00 EDT
    ]
    assert fires([time(2, 30)], NEW_YORK, utc(2026, 3, 7, 12), 2) == [
        utc(2026, 3, 8, 7, 0),  # 02:30 does not exist: 03:00 EDT
        utc(2026, 3, 9, 6, 30),
    ]
    assert fires([time(1, 30)], NEW_YORK, utc(2026, 10, 31, 12), 2) == [
        utc(2026, 11, 1, 5, 30),  # 01:30 EDT, once
        utc(2026, 11, 2, 6, 30),  # 01:30 EST
    ]


# --- zones, days, several times ------------------------------------------------------------


def test_moving_zone_keeps_local_times_and_changes_the_instant() -> None:
    after = utc(2026, 5, 31, 12)
    in_london = next_fire_at(local_times=[time(9)], days=ALL_DAYS, tz=LONDON, after=after)
    in_tokyo = next_fire_at(local_times=[time(9)], days=ALL_DAYS, tz="Asia/Tokyo", after=after)
    in_new_york = next_fire_at(local_times=[time(9)], days=ALL_DAYS, tz=NEW_YORK, after=after)
    assert in_london == utc(2026, 6, 1, 8)
    assert in_tokyo == utc(2026, 6, 1, 0)  # 09:00 JST on 1 June
    assert in_new_york == utc(2026, 5, 31, 13)  # 09:00 EDT is still to come on 31 May


def test_only_the_chosen_weekdays_fire() -> None:
    # Friday 2026-03-06 evening, schedule Mon/Wed/Fri 18:00 London
    result = fires([time(18)], LONDON, utc(2026, 3, 6, 19), 3, frozenset({MON, WED, FRI}))
    assert result == [utc(2026, 3, 9, 18), utc(2026, 3, 11, 18), utc(2026, 3, 13, 18)]
    assert [r.weekday() for r in result] == [MON, WED, FRI]


def test_weekdays_are_the_clients_not_utcs() -> None:
    # 08:00 Monday in Sydney is still Sunday in UTC
    fire = next_fire_at(
        local_times=[time(8)], days=frozenset({MON}), tz=SYDNEY, after=utc(2026, 6, 1, 0)
    )
    assert fire == utc(2026, 6, 7, 22)
    assert fire.astimezone(ZoneInfo(SYDNEY)).weekday() == MON


def test_weekly_summary_fires_monday_eight_am_and_strictly_after_the_last_one() -> None:
    monday_8 = utc(2026, 3, 23, 8)  # GMT, before the change
    assert (
        weekly_fire(
            weekday=MON, local_time=time(8), tz=LONDON, after=monday_8 - timedelta(seconds=1)
        )
        == monday_8
    )
    assert weekly_fire(weekday=MON, local_time=time(8), tz=LONDON, after=monday_8) == utc(
        2026, 3, 30, 7
    )  # 08:00 BST


def test_several_times_a_day_fire_in_order() -> None:
    times = [time(20), time(8), time(13, 30)]
    assert fires(times, LONDON, utc(2026, 1, 5, 10), 4) == [
        utc(2026, 1, 5, 13, 30),
        utc(2026, 1, 5, 20),
        utc(2026, 1, 6, 8),
        utc(2026, 1, 6, 13, 30),
    ]


def test_after_may_be_given_in_any_zone() -> None:
    after = datetime(2026, 1, 5, 10, tzinfo=ZoneInfo("Asia/Tokyo"))  # 01:00 UTC
    fire = next_fire_at(local_times=[time(8)], days=ALL_DAYS, tz=LONDON, after=after)
    assert fire == utc(2026, 1, 5, 8)
    assert fire.tzinfo is UTC


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"after": datetime(2026, 1, 5, 10)}, "timezone-aware"),  # noqa: DTZ001
        ({"days": frozenset()}, "non-empty"),
        ({"days": frozenset({7})}, "0 \\(Monday\\)"),
        ({"local_times": []}, "at least one"),
        ({"tz": "Europe/Atlantis"}, "unknown time zone"),
        ({"local_times": [time(9, tzinfo=UTC)]}, "without a zone"),
    ],
)
def test_bad_schedules_are_refused(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "local_times": [time(9)],
        "days": ALL_DAYS,
        "tz": LONDON,
        "after": utc(2026, 1, 5),
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        next_fire_at(**arguments)  # type: ignore[arg-type]


# --- local day, quiet hours, slot timing ---------------------------------------------------


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        (utc(2026, 7, 1, 23, 30), LONDON, date(2026, 7, 2)),  # 00:30 BST
        (utc(2026, 1, 1, 23, 30), LONDON, date(2026, 1, 1)),  # 23:30 GMT
        (utc(2026, 7, 1, 14, 0), SYDNEY, date(2026, 7, 2)),
        (utc(2026, 7, 1, 3, 0), NEW_YORK, date(2026, 6, 30)),
    ],
)
def test_local_day_is_the_clients_calendar_date(now: datetime, tz: str, expected: date) -> None:
    assert local_day(now, tz) == expected


def test_local_day_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(datetime(2026, 1, 1), LONDON)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("at", "start", "end", "quiet"),
    [
        (time(23), time(22), time(7), True),  # wraps midnight
        (time(2), time(22), time(7), True),
        (time(7), time(22), time(7), False),  # the end is not quiet
        (time(22), time(22), time(7), True),
        (time(12), time(22), time(7), False),
        (time(13), time(12), time(14), True),  # same-day range
        (time(14), time(12), time(14), False),
        (time(11, 59), time(12), time(14), False),
        (time(3), time(0), time(0), False),  # start == end: no quiet hours
    ],
)
def test_quiet_hours(at: time, start: time, end: time, quiet: bool) -> None:
    assert is_within_quiet_hours(at, start, end) is quiet


SLOT = utc(2026, 3, 2, 9)
WINDOW = timedelta(hours=2)


@pytest.mark.parametrize(
    ("sent_after", "timing"),
    [
        (timedelta(seconds=-5), "on_time"),
        (timedelta(0), "on_time"),
        (timedelta(seconds=60), "on_time"),
        (timedelta(seconds=61), "late"),
        (timedelta(hours=2), "late"),
        (timedelta(hours=2, seconds=1), "missed"),
        (timedelta(days=3), "missed"),
    ],
)
def test_slot_timing(sent_after: timedelta, timing: str) -> None:
    now = SLOT + sent_after
    assert classify_slot(SLOT, now, WINDOW) == timing
    assert slot_is_late(SLOT, now, WINDOW) is (timing == "late")
    assert slot_is_missed(SLOT, now, WINDOW) is (timing == "missed")


def test_slot_timing_refuses_a_negative_window_and_naive_times() -> None:
    with pytest.raises(ValueError, match="negative"):
        classify_slot(SLOT, SLOT, timedelta(seconds=-1))
    with pytest.raises(ValueError, match="timezone-aware"):
        classify_slot(datetime(2026, 3, 2, 9), SLOT, WINDOW)  # noqa: DTZ001


# --- properties ----------------------------------------------------------------------------
# An independent oracle: walk the client's calendar day by day with zoneinfo alone (no
# CronTrigger), resolving each wall time the way the module promises, and take the earliest
# instant after `after`.

ZONES = (
    LONDON,
    SYDNEY,
    NEW_YORK,
    "UTC",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30, DST
    "America/Santiago",  # changes at midnight
    "America/Havana",  # changes at midnight
    "Europe/Dublin",  # "negative" DST in tzdata
    "Africa/Casablanca",  # DST suspended for Ramadan
    "Antarctica/Troll",  # two-hour DST
    "America/Sao_Paulo",  # historic midnight changes
)


def _resolve_by_scanning(wall: datetime, tz: ZoneInfo) -> datetime:
    for minutes in range(25 * 60):
        candidate = wall + timedelta(minutes=minutes)
        aware = candidate.replace(tzinfo=tz, fold=0)  # fold=0 is the earlier of a repeat
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == candidate:
            return aware.astimezone(UTC)
    raise AssertionError(f"no valid wall time within a day of {wall}")


def oracle(local_times: Sequence[time], days: frozenset[int], tz: str, after: datetime) -> datetime:
    zone = ZoneInfo(tz)
    first_day = after.astimezone(zone).date() - timedelta(days=2)
    instants = [
        _resolve_by_scanning(datetime.combine(first_day + timedelta(days=n), t), zone)
        for n in range(12)
        if (first_day + timedelta(days=n)).weekday() in days
        for t in local_times
    ]
    return min(i for i in instants if i > after)


@cache
def _transitions(tz: str) -> tuple[datetime, ...]:
    """UTC instants where `tz`'s offset changes, 2015-2031."""
    zone = ZoneInfo(tz)
    found: list[datetime] = []
    at = utc(2015, 1, 1)
    while at < utc(2031, 1, 1):
        step = at + timedelta(days=1)
        if at.astimezone(zone).utcoffset() != step.astimezone(zone).utcoffset():
            low, high = at, step
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                if mid.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = mid
                else:
                    high = mid
            found.append(high.replace(microsecond=0))
        at = step
    return tuple(found)


local_times_strategy = st.lists(
    st.builds(time, hour=st.integers(0, 23), minute=st.integers(0, 59)), min_size=1, max_size=4
)
days_strategy = st.frozensets(st.integers(0, 6), min_size=1)


def _check(local_times: list[time], days: frozenset[int], tz: str, after: datetime) -> None:
    zone = ZoneInfo(tz)
    fire = next_fire_at(local_times=local_times, days=days, tz=tz, after=after)
    assert fire > after
    assert fire.tzinfo is UTC
    local = fire.astimezone(zone)
    if local.time() in local_times:
        assert local.weekday() in days
    else:
        # Only a wall time the clocks skipped fires at another time: the end of the gap.
        gap_ends = {
            resolve_wall_time(datetime.combine(d, t), zone)
            for d in (local.date(), local.date() - timedelta(days=1))
            if d.weekday() in days
            for t in local_times
            if wall_time_kind(datetime.combine(d, t), zone) == "skipped"
        }
        assert fire in gap_ends
    assert fire == oracle(local_times, days, tz, after)


@settings(max_examples=300, deadline=None)
@given(
    local_times=local_times_strategy,
    days=days_strategy,
    tz=st.sampled_from(ZONES),
    after=st.datetimes(
        min_value=wall(2000, 1, 1), max_value=wall(2037, 12, 31), timezones=st.just(UTC)
    ),
)
def test_next_fire_is_later_on_an_allowed_day_at_a_scheduled_wall_time(
    local_times: list[time], days: frozenset[int], tz: str, after: datetime
) -> None:
    _check(local_times, days, tz, after)


@settings(max_examples=400, deadline=None)
@given(
    data=st.data(),
    tz=st.sampled_from(
        [z for z in ZONES if z not in ("UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu")]
    ),
)
def test_next_fire_around_clock_changes(data: st.DataObject, tz: str) -> None:
    transitions = _transitions(tz)
    change = data.draw(st.sampled_from(transitions), label="change")
    after = change + timedelta(minutes=data.draw(st.integers(-36 * 60, 12 * 60), label="offset"))
    zone = ZoneInfo(tz)
    # wall times around the change, as read on both sides of it
    near = [
        (change + timedelta(minutes=m)).astimezone(zone).time().replace(second=0)
        for m in (-90, -60, -30, -1, 0, 1, 30, 60, 90)
    ]
    local_times = data.draw(
        st.lists(
            st.one_of(st.sampled_from(near), local_times_strategy.map(lambda ts: ts[0])),
            min_size=1,
            max_size=3,
        ),
        label="local_times",
    )
    days = data.draw(days_strategy, label="days")
    _check(local_times, days, tz, after)


@pytest.mark.parametrize(
    ("at", "start", "end", "placed"),
    [
        (time(7, 0), time(22, 0), time(8, 0), time(8, 0)),  # nearer the end: when they end
        (time(22, 30), time(22, 0), time(8, 0), time(21, 30)),  # nearer the start: before
        (time(21, 0), time(21, 0), time(9, 0), time(20, 30)),
        (time(8, 0), time(22, 0), time(8, 0), time(8, 0)),  # the end itself is not quiet
        (time(19, 0), time(22, 0), time(8, 0), time(19, 0)),  # outside: unchanged
        (time(12, 30), time(12, 0), time(14, 0), time(11, 30)),  # a daytime window
        (time(13, 0), time(12, 0), time(14, 0), time(14, 0)),  # halfway: when they end
        (time(7, 0), None, None, time(7, 0)),  # no quiet hours
    ],
)
def test_a_time_inside_quiet_hours_moves_to_the_nearer_edge(
    at: time, start: time | None, end: time | None, placed: time
) -> None:
    assert out_of_quiet_hours(at, start, end) == placed


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # London in June is UTC+1; quiet hours 22:00-07:00.
        (datetime(2026, 6, 1, 12, 0, tzinfo=UTC), datetime(2026, 6, 1, 12, 0, tzinfo=UTC)),
        (datetime(2026, 6, 1, 22, 30, tzinfo=UTC), datetime(2026, 6, 2, 6, 0, tzinfo=UTC)),
        (datetime(2026, 6, 2, 1, 0, tzinfo=UTC), datetime(2026, 6, 2, 6, 0, tzinfo=UTC)),
        (datetime(2026, 6, 2, 6, 0, tzinfo=UTC), datetime(2026, 6, 2, 6, 0, tzinfo=UTC)),
    ],
)
def test_a_message_without_a_time_waits_for_quiet_hours_to_end(
    now: datetime, expected: datetime
) -> None:
    assert outside_quiet_hours_from(now, "Europe/London", time(22, 0), time(7, 0)) == expected
    assert outside_quiet_hours_from(now, "Europe/London", None, None) == now


def test_days_finished_between_lists_every_local_day_that_ended_in_an_outage() -> None:
    # London's clocks go forward on Sunday 29 March 2026: the days still end at local midnight.
    since = datetime(2026, 3, 27, 22, 0, tzinfo=UTC)  # Friday 22:00 in London
    restarted = datetime(2026, 3, 30, 0, 30, tzinfo=UTC)  # Monday 01:30 BST
    assert days_finished_between(since, restarted, "Europe/London") == [
        date(2026, 3, 27),
        date(2026, 3, 28),
        date(2026, 3, 29),
    ]
    # Los Angeles is still on Sunday afternoon: Friday and Saturday are over.
    assert days_finished_between(since, restarted, "America/Los_Angeles") == [
        date(2026, 3, 27),
        date(2026, 3, 28),
    ]
    # A pass a quarter hour after the previous one, with no midnight in between: nothing.
    quarter_before = restarted - timedelta(minutes=15)
    assert days_finished_between(quarter_before, restarted, "Europe/London") == []
