"""Seeded pain diaries as hard as real ones, for evaluating the alert rules.

Each client gets 12 weeks of check-ins drawn from a noise model built to look like real daily
pain diaries, on top of a noise-free course that the scenario fixes (stable, one bad day,
improving, a true rise of a known size, …). The noise model, per client:

* leg pain = course + AR(1) noise with day-to-day correlation φ ~ U(0.45, 0.75) and a marginal
  SD ~ U(0.7, 1.5); innovations are Student-t with 4 degrees of freedom (heavy tails: now and
  then a day far off the usual, without a flare);
* back pain = its own course + noise correlated with the leg's (ρ ~ U(0.3, 0.8));
* Mondays are worse by U(0, 0.8) points;
* flares: on average U(0.25, 1) a month, lasting 1 or 2 days, adding U(2, 5) points to the leg
  (and a share of that to the back);
* "same as yesterday": with probability U(0.1, 0.3) a client who checked in yesterday gives
  yesterday's answers again;
* scores are rounded and clipped to the 0-10 NRS; usual levels U(0, 7).

Check-ins happen at the client's own local hour (U(7, 22), ±45 min a day) in one of several
time zones (DST changes fall inside the 12 weeks), on days chosen by a check-in pattern: 10 %,
30 % or 50 % missing at random, bursty (weeks of daily check-ins, then gaps of days), weekdays
only, or every 2-3 days.

`cohort(seed, clients_per_scenario)` is deterministic: each client's draws come from its own
`random.Random` seeded with (seed, scenario, index), so a scenario's diaries do not change when
another scenario or the cohort size changes.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

DAYS = 84  # 12 weeks per client
FIRST_START = date(2026, 1, 5)  # a Monday; clients start on one of the 28 days from here
ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)
# Rises start with ≥ 5 weeks of usual level before and ≥ 2 weeks of diary after.
ONSET_FIRST, ONSET_LAST = 35, 69
MCID_POINTS = 2.0
MCID_FRACTION = 0.30


class Pattern(StrEnum):
    """Which days a client checks in."""

    MISSING_10 = "10 % missing"
    MISSING_30 = "30 % missing"
    MISSING_50 = "50 % missing"
    BURSTY = "bursty gaps"
    WEEKDAYS = "weekdays only"
    EVERY_2_3 = "every 2-3 days"


class Scenario(StrEnum):
    # Nothing a therapist needs to hear about (false-alert rates).
    STABLE = "stable"
    STABLE_MISSING_30 = "stable, 30 % missing"
    STABLE_MISSING_50 = "stable, 50 % missing"
    STABLE_BURSTY = "stable, bursty gaps"
    STABLE_WEEKDAYS = "stable, weekdays only"
    STABLE_EVERY_2_3 = "stable, every 2-3 days"
    IMPROVING = "improving"
    IMPROVING_PLATEAU = "improving, then plateau"
    ONE_BAD_DAY = "one bad day"
    # A true, sustained rise from `onset` (detection rates).
    RISE_MCID = "rise of exactly the MCID"
    RISE_MCID_PLUS_1 = "rise of MCID + 1"
    RISE_PLUS_3 = "rise of +3 points"
    RISE_LOW_1_TO_3 = "low usual level, 1 → 3"
    RISE_HIGH_6_TO_8 = "high usual level, 6 → 8"
    RISE_BACK_ONLY = "back only, +3"
    RISE_MISSING_30 = "+3 with 30 % missing"
    RISE_EVERY_2_3 = "+3, every 2-3 days"
    RELAPSE = "relapse after improvement, +3"


QUIET_SCENARIOS = (
    Scenario.STABLE,
    Scenario.STABLE_MISSING_30,
    Scenario.STABLE_MISSING_50,
    Scenario.STABLE_BURSTY,
    Scenario.STABLE_WEEKDAYS,
    Scenario.STABLE_EVERY_2_3,
    Scenario.IMPROVING,
    Scenario.IMPROVING_PLATEAU,
)
RISE_SCENARIOS = (
    Scenario.RISE_MCID,
    Scenario.RISE_MCID_PLUS_1,
    Scenario.RISE_PLUS_3,
    Scenario.RISE_LOW_1_TO_3,
    Scenario.RISE_HIGH_6_TO_8,
    Scenario.RISE_BACK_ONLY,
    Scenario.RISE_MISSING_30,
    Scenario.RISE_EVERY_2_3,
    Scenario.RELAPSE,
)
ALL_SCENARIOS = (*QUIET_SCENARIOS, Scenario.ONE_BAD_DAY, *RISE_SCENARIOS)

_PATTERN_OF = {
    Scenario.STABLE_MISSING_30: Pattern.MISSING_30,
    Scenario.STABLE_MISSING_50: Pattern.MISSING_50,
    Scenario.STABLE_BURSTY: Pattern.BURSTY,
    Scenario.STABLE_WEEKDAYS: Pattern.WEEKDAYS,
    Scenario.STABLE_EVERY_2_3: Pattern.EVERY_2_3,
    Scenario.RISE_MISSING_30: Pattern.MISSING_30,
    Scenario.RISE_EVERY_2_3: Pattern.EVERY_2_3,
}


@dataclass(frozen=True, slots=True)
class Checkin:
    at: datetime  # aware, in the client's zone
    leg: int
    back: int


@dataclass(frozen=True, slots=True)
class Diary:
    client: str
    timezone: str
    scenario: Scenario
    pattern: Pattern
    start: date  # local day of the first check-in (enrolment)
    checkins: tuple[Checkin, ...]
    rise_region: str | None = None  # "leg" / "back" for a true rise
    rise_points: float | None = None  # noise-free size of the rise
    rise_start: date | None = None  # local day the rise begins
    onset: date | None = None  # first local day the noise-free rise is the MCID or more
    ramp_days: int | None = None  # days the rise takes to build (1 = a step)
    bad_day: date | None = None

    @property
    def end(self) -> date:
        """The last local day of the diary."""
        return self.start + timedelta(days=DAYS - 1)


def _mcid(level: float) -> float:
    return max(MCID_POINTS, MCID_FRACTION * level)


def _student_t(rng: random.Random, dof: int = 4) -> float:
    """A unit-variance Student-t draw."""
    chi2 = rng.gammavariate(dof / 2, 2)
    return rng.gauss(0, 1) / math.sqrt(chi2 / dof) / math.sqrt(dof / (dof - 2))


def _checkin_days(rng: random.Random, pattern: Pattern, start: date) -> list[int]:
    days: list[int] = []
    if pattern is Pattern.EVERY_2_3:
        day = 0
        while day < DAYS:
            if day == 0 or rng.random() >= 0.05:
                days.append(day)
            day += rng.choice((2, 3))
        return days
    if pattern is Pattern.BURSTY:
        quiet_until = -1
        for day in range(DAYS):
            if day > quiet_until and day > 0 and rng.random() < 0.06:
                quiet_until = day + rng.randint(3, 8) - 1
            if day == 0 or (day > quiet_until and rng.random() >= 0.05):
                days.append(day)
        return days
    if pattern is Pattern.WEEKDAYS:
        return [
            d
            for d in range(DAYS)
            if d == 0 or ((start + timedelta(days=d)).weekday() < 5 and rng.random() >= 0.05)
        ]
    missing = {Pattern.MISSING_10: 0.1, Pattern.MISSING_30: 0.3, Pattern.MISSING_50: 0.5}[pattern]
    return [d for d in range(DAYS) if d == 0 or rng.random() >= missing]


@dataclass(frozen=True, slots=True)
class _Course:
    leg: tuple[float, ...]
    back: tuple[float, ...]
    rise_region: str | None = None
    rise_points: float | None = None
    onset: int | None = None
    ramp_days: int | None = None
    bad_day: int | None = None

    def mcid_day(self) -> int | None:
        """The first day the noise-free course is the MCID above its level before the rise."""
        if self.onset is None or self.rise_region is None:
            return None
        course = self.leg if self.rise_region == "leg" else self.back
        before = course[self.onset - 1]
        return next(
            d for d in range(self.onset, DAYS) if course[d] - before >= _mcid(before) - 1e-9
        )


def _ramp(day: int, onset: int, ramp_days: int) -> float:
    """0 before `onset`, then rising linearly to 1 over `ramp_days` days."""
    if day < onset:
        return 0.0
    return min(1.0, (day - onset + 1) / ramp_days)


def _course(rng: random.Random, scenario: Scenario) -> _Course:
    leg0 = rng.uniform(0, 7)
    back0 = min(7.0, max(0.0, leg0 + rng.uniform(-2.5, 1.5)))
    flat_leg, flat_back = (leg0,) * DAYS, (back0,) * DAYS
    onset = rng.randint(ONSET_FIRST, ONSET_LAST)
    ramp = rng.randint(1, 14)
    if scenario in (Scenario.IMPROVING, Scenario.IMPROVING_PLATEAU):
        leg0, back0 = rng.uniform(5, 8), rng.uniform(3, 7)
        fall = rng.uniform(3, 4.5)
        over = DAYS if scenario is Scenario.IMPROVING else rng.randint(28, 42)
        leg = tuple(leg0 - fall * min(1.0, d / over) for d in range(DAYS))
        back = tuple(max(0.0, back0 - 0.6 * fall * min(1.0, d / over)) for d in range(DAYS))
        return _Course(leg, back)
    if scenario is Scenario.ONE_BAD_DAY:
        return _Course(flat_leg, flat_back, bad_day=rng.randint(ONSET_FIRST, ONSET_LAST))
    if scenario is Scenario.RELAPSE:
        leg0 = rng.uniform(5.5, 7.5)
        fall = 3.0
        onset = rng.randint(49, ONSET_LAST)
        leg = tuple(
            leg0 - fall * min(1.0, d / 35) + 3.0 * _ramp(d, onset, ramp) for d in range(DAYS)
        )
        return _Course(leg, flat_back, "leg", 3.0, onset, ramp)
    if scenario not in RISE_SCENARIOS:
        return _Course(flat_leg, flat_back)
    if scenario is Scenario.RISE_LOW_1_TO_3:
        leg0, size = 1.0, 2.0
    elif scenario is Scenario.RISE_HIGH_6_TO_8:
        leg0, size = 6.0, 2.0
    elif scenario is Scenario.RISE_MCID:
        size = _mcid(leg0)
    elif scenario is Scenario.RISE_MCID_PLUS_1:
        size = _mcid(leg0) + 1
    else:
        size = 3.0
    if scenario is Scenario.RISE_BACK_ONLY:
        back = tuple(min(10.0, back0 + size * _ramp(d, onset, ramp)) for d in range(DAYS))
        return _Course(flat_leg, back, "back", min(size, 10 - back0), onset, ramp)
    leg = tuple(min(10.0, leg0 + size * _ramp(d, onset, ramp)) for d in range(DAYS))
    return _Course(leg, (back0,) * DAYS, "leg", min(size, 10 - leg0), onset, ramp)


def _noise(rng: random.Random, phi: float, sd: float) -> list[float]:
    scale = sd * math.sqrt(1 - phi * phi)
    values = [sd * _student_t(rng)]
    for _ in range(DAYS - 1):
        values.append(phi * values[-1] + scale * _student_t(rng))
    return values


def _nrs(value: float) -> int:
    return min(10, max(0, round(value)))


def diary(seed: int, scenario: Scenario, index: int) -> Diary:
    rng = random.Random(f"{seed}:{scenario.name}:{index}")
    zone_name = rng.choice(ZONES)
    zone = ZoneInfo(zone_name)
    start = FIRST_START + timedelta(days=rng.randrange(28))
    pattern = _PATTERN_OF.get(scenario, Pattern.MISSING_10)
    course = _course(rng, scenario)

    phi, sd = rng.uniform(0.45, 0.75), rng.uniform(0.7, 1.5)
    rho = rng.uniform(0.3, 0.8)
    leg_noise = _noise(rng, phi, sd)
    own_back = _noise(rng, phi, sd)
    back_noise = [
        rho * a + math.sqrt(1 - rho * rho) * b for a, b in zip(leg_noise, own_back, strict=True)
    ]
    monday = rng.uniform(0, 0.8)
    flare_rate = rng.uniform(0.25, 1) / 30.44
    flare = [0.0] * DAYS
    day = 0
    while day < DAYS:
        if rng.random() < flare_rate:
            size = rng.uniform(2, 5)
            for d in range(day, min(DAYS, day + rng.choice((1, 2)))):
                flare[d] = size
            day += 2
        day += 1
    back_share = rng.uniform(0.3, 1.0)
    if course.bad_day is not None:
        flare[course.bad_day] = max(flare[course.bad_day], rng.uniform(4, 6))
    same_as_yesterday = rng.uniform(0.1, 0.3)
    hour = rng.uniform(7, 22)

    days = set(_checkin_days(rng, pattern, start))
    if course.bad_day is not None:
        days.add(course.bad_day)  # the bad day is reported, or it would not be one
    checkins: list[Checkin] = []
    previous: tuple[int, int, int] | None = None  # (day, leg, back)
    for d in range(DAYS):
        local = start + timedelta(days=d)
        mon = monday if local.weekday() == 0 else 0.0
        leg = _nrs(course.leg[d] + leg_noise[d] + flare[d] + mon)
        back = _nrs(course.back[d] + back_noise[d] + back_share * flare[d] + mon)
        if d not in days:
            continue
        repeat = rng.random() < same_as_yesterday and d != course.bad_day
        if repeat and previous is not None and previous[0] == d - 1:
            leg, back = previous[1], previous[2]
        previous = (d, leg, back)
        minutes = min(23 * 60 + 59, max(5 * 60, round(hour * 60 + rng.gauss(0, 45))))
        at = datetime.combine(local, time(minutes // 60, minutes % 60), tzinfo=zone)
        checkins.append(Checkin(at=at, leg=leg, back=back))

    def local_day(offset: int | None) -> date | None:
        return None if offset is None else start + timedelta(days=offset)

    return Diary(
        client=f"{scenario.name.lower()}-{index:04d}",
        timezone=zone_name,
        scenario=scenario,
        pattern=pattern,
        start=start,
        checkins=tuple(checkins),
        rise_region=course.rise_region,
        rise_points=course.rise_points,
        rise_start=local_day(course.onset),
        onset=local_day(course.mcid_day()),
        ramp_days=course.ramp_days,
        bad_day=local_day(course.bad_day),
    )


def cohort(
    seed: int, clients_per_scenario: int, scenarios: Sequence[Scenario] = ALL_SCENARIOS
) -> list[Diary]:
    return [diary(seed, s, i) for s in scenarios for i in range(clients_per_scenario)]


CSV_HEADER = ("client", "timezone", "at", "leg", "back")


def write_csv(diaries: Iterable[Diary], path: Path) -> int:
    """The diaries as an `alerts replay` DIARY.csv, in time order; returns the row count."""
    rows = sorted(
        ((c.at, d.client, d.timezone, c) for d in diaries for c in d.checkins),
        key=lambda row: (row[0], row[1]),
    )
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for _, client, zone, checkin in rows:
            writer.writerow((client, zone, checkin.at.isoformat(), checkin.leg, checkin.back))
    return len(rows)
