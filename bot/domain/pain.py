"""Daily pain scores and the trends built from them.

Clinical sources (see DESIGN.md, "Clinical rules"):

* Pain is rated on the 11-point numeric rating scale (NRS), 0 = no pain … 10 = worst pain
  imaginable, for the **leg** and the **back** separately; leg pain is the sciatica signal.
* A worsening that matters is the minimal clinically important difference (MCID) for the NRS in
  back and leg pain: a change of at least 2 points **and** at least 30 % (Ostelo et al., Spine
  2008;33:90-94; Farrar et al., Pain 2001;94:149-158). `MCID_POINTS` and `MCID_FRACTION` below.

Operational definitions that DESIGN.md leaves open are fixed here and documented on each
function; the alert rules in `bot.domain.alerts` build on them.

At most one `DailyPain` per local day is meaningful. When a sequence holds several entries for
the same day (a client correcting their check-in), the **last one in the sequence wins**.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

PAIN_MIN: Final = 0
PAIN_MAX: Final = 10

# MCID on the 0-10 NRS: ≥ 2 points and ≥ 30 % (Ostelo 2008; Farrar 2001; DESIGN.md).
MCID_POINTS: Final = 2.0
MCID_FRACTION: Final = 0.30

# The rolling window over which the client-facing summary shows a mean.
ROLLING_WINDOW_DAYS: Final = 3
# A client's usual level is the median of their check-ins over the 4 weeks before the days
# under test (`usual_level`): 4 weeks hold ~14 check-ins even for a client who checks in every
# 2 days, and the median ignores the flare days a shorter or mean-based window would absorb.
USUAL_WINDOW_DAYS: Final = 28
# With fewer check-ins than this in the window there is no usual level to compare with.
USUAL_MIN_CHECKINS: Final = 3
# √(π/2) × the mean absolute deviation estimates the SD of normally distributed data.
_MEAN_ABS_TO_SD: Final = math.sqrt(math.pi / 2)
# The smallest day-to-day noise scale ever assumed: integer answers repeated "same as
# yesterday" can make a client's MAD 0, and no real diary is that exact.
NOISE_FLOOR: Final = 0.75
# What a client's noise is taken to be before their own check-ins say otherwise, weighted as
# this many check-ins (a shrinkage estimate): an assumed typical within-person SD of daily NRS
# pain, the middle of the 0.7-1.5 range the evaluation cohort draws from (docs/alerts.md).
# Weighted as much as a month of diary: with day-to-day correlation about 0.6, 28 daily
# check-ins hold only about 7 independent ones (effective n = n(1 − r)/(1 + r), Bayley &
# Hammersley, JRSS Suppl 1946;8:184-197), so a quiet month would otherwise read as a quiet
# client and their next ordinary run of bad days as a rise (James & Stein 1961 for why
# shrinking each client's estimate towards the typical one lowers the error overall).
PRIOR_NOISE: Final = 1.2
PRIOR_WEIGHT: Final = 25

# Real pain diaries are autocorrelated from day to day (a bad day tends to follow a bad day), so
# a mean of n check-ins is noisier than σ/√n. The lag-1 correlation of the client's residuals
# is estimated from consecutive days in the usual window; with fewer pairs than this a typical
# value is assumed. Capped so that a client with few, trending check-ins is not made immune.
PERSISTENCE_MIN_PAIRS: Final = 8
DEFAULT_PERSISTENCE: Final = 0.5
MAX_PERSISTENCE: Final = 0.8

# Week-on-week comparison shown to clients and the therapist: ≥ 2 entries in each week.
WEEK_MIN_ENTRIES: Final = 2
# A change of a whole NRS point is the smallest the scale can show; smaller moves are noise.
TREND_THRESHOLD_POINTS: Final = 1.0

ARROW_WORSE: Final = "↑"
ARROW_BETTER: Final = "↓"
ARROW_SAME: Final = "→"

# Means of integers compared against thresholds: absorb float rounding (16/3 - 10/3 != 2.0).
_EPSILON: Final = 1e-9


class Region(StrEnum):
    """Where the pain is; scored separately (DESIGN.md)."""

    LEG = "leg"
    BACK = "back"


def validate_pain_score(value: object) -> int:
    """Return `value` as an NRS score, or raise `ValueError` saying what is wrong.

    Accepts ints (not bools) and strings holding a whole number, e.g. "7" from a text reply.
    """
    if isinstance(value, bool):
        raise ValueError(f"pain score must be a whole number from 0 to 10, not {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("+-").isdecimal():
            raise ValueError(f"pain score must be a whole number from 0 to 10, not {value!r}")
        value = int(text)
    if not isinstance(value, int):
        raise ValueError(f"pain score must be a whole number from 0 to 10, not {value!r}")
    if not PAIN_MIN <= value <= PAIN_MAX:
        raise ValueError(f"pain score must be from {PAIN_MIN} to {PAIN_MAX}, got {value}")
    return value


def _require_score(value: object, what: str) -> None:
    # Dataclass fields are typed `int`: a string that merely looks like one is a caller bug.
    if type(value) is not int:
        raise ValueError(f"{what} must be a whole number from 0 to 10, not {value!r}")
    if not PAIN_MIN <= value <= PAIN_MAX:
        raise ValueError(f"{what} must be from {PAIN_MIN} to {PAIN_MAX}, got {value}")


@dataclass(frozen=True, slots=True)
class PainScore:
    """One NRS rating, validated on construction."""

    value: int

    def __post_init__(self) -> None:
        _require_score(self.value, "pain score")


@dataclass(frozen=True, slots=True)
class DailyPain:
    """A client's check-in for one local day: leg and back pain on the 0-10 NRS."""

    day: date
    leg: int
    back: int

    def __post_init__(self) -> None:
        _require_score(self.leg, "leg pain")
        _require_score(self.back, "back pain")

    def score(self, region: Region) -> int:
        return self.leg if region is Region.LEG else self.back


@dataclass(frozen=True, slots=True)
class RegionComparison:
    this_week: float
    last_week: float

    @property
    def change(self) -> float:
        """Positive means more pain this week."""
        return self.this_week - self.last_week

    @property
    def arrow(self) -> str:
        return trend_arrow(self.last_week, self.this_week)


@dataclass(frozen=True, slots=True)
class WeekComparison:
    """Mean pain over the 7 days ending `today` against the 7 days before them."""

    this_week_start: date
    last_week_start: date
    leg: RegionComparison
    back: RegionComparison


PainEntries = Iterable[DailyPain] | Mapping[date, DailyPain]
"""What the functions below accept: entries in any order, or the result of `by_day` (which
callers evaluating many rules over the same history can build once)."""


def by_day(entries: PainEntries) -> Mapping[date, DailyPain]:
    """One entry per day; for duplicates the last in `entries` wins (a corrected check-in)."""
    if isinstance(entries, Mapping):
        return entries
    result: dict[date, DailyPain] = {}
    for entry in entries:
        result[entry.day] = entry
    return result


def _mean(values: Iterable[int]) -> float | None:
    items = list(values)
    if not items:
        return None
    return sum(items) / len(items)


def _scores_between(
    days: Mapping[date, DailyPain], first: date, last: date, region: Region
) -> list[int]:
    """Scores for `region` on the days `first`..`last` inclusive that have an entry."""
    span = (last - first).days
    scores: list[int] = []
    for offset in range(span + 1):
        entry = days.get(first + timedelta(days=offset))
        if entry is not None:
            scores.append(entry.score(region))
    return scores


def rolling_mean(
    entries: PainEntries,
    day: date,
    window: int = ROLLING_WINDOW_DAYS,
    *,
    region: Region = Region.LEG,
    min_entries: int | None = None,
) -> float | None:
    """Mean score over the `window` calendar days ending on `day` (inclusive).

    Days without a check-in are skipped, not counted as zero. Returns None when fewer than
    `min_entries` days have an entry; by default a majority of the window (2 of 3, 4 of 7),
    so a single day never stands for a "sustained" mean.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1 day, got {window}")
    needed = window // 2 + 1 if min_entries is None else min_entries
    days = by_day(entries)
    scores = _scores_between(days, day - timedelta(days=window - 1), day, region)
    if len(scores) < max(needed, 1):
        return None
    return _mean(scores)


@dataclass(frozen=True, slots=True)
class UsualLevel:
    """A client's usual pain in one region, and how much it moves from day to day."""

    level: float
    """Median score over the window: robust to the flare days that up to half of it may hold."""
    noise: float
    """Robust SD of the day-to-day residuals from `level` (1.4826 × MAD), floored at
    `NOISE_FLOOR`."""
    checkins: int
    persistence: float = DEFAULT_PERSISTENCE
    """Day-to-day correlation of the residuals (lag-1, consecutive days only), 0 … 0.8."""

    def mean_variance(self, checkins: int) -> float:
        """Variance of a mean of `checkins` consecutive daily scores, in units of `noise`²,
        for an AR(1) series with correlation r: (n + 2 Σ (n − k) rᵏ) / n² — wider than 1/n
        because bad days come in runs."""
        n, r = checkins, self.persistence
        return (n + 2 * sum((n - k) * r**k for k in range(1, n))) / (n * n)

    def variance_of_mean_on(self, days: Sequence[date]) -> float:
        """Variance of the mean of the scores on `days` (any spacing), in units of `noise`²:
        Σᵢ Σⱼ r^|dᵢ − dⱼ| / n². Check-ins two or three days apart are less alike than
        consecutive ones, so a sparse diary's mean is judged on the days it was observed
        rather than as if they were consecutive."""
        n, r = len(days), self.persistence
        if n == 0:
            return math.inf
        total = sum(r ** abs((a - b).days) for a in days for b in days)
        return total / (n * n)


def _persistence(scores_by_day: dict[date, int], level: float) -> float:
    pairs = [
        (score - level, scores_by_day[d + timedelta(days=1)] - level)
        for d, score in scores_by_day.items()
        if d + timedelta(days=1) in scores_by_day
    ]
    if len(pairs) < PERSISTENCE_MIN_PAIRS:
        return DEFAULT_PERSISTENCE
    num = sum(a * b for a, b in pairs)
    den = math.sqrt(sum(a * a for a, _ in pairs) * sum(b * b for _, b in pairs))
    # A diary that never moves from its usual level shows no runs of bad days.
    r = num / den if den else 0.0
    return min(MAX_PERSISTENCE, max(0.0, r))


def usual_level(
    entries: PainEntries,
    *,
    region: Region,
    before: date,
    window: int = USUAL_WINDOW_DAYS,
    min_checkins: int = USUAL_MIN_CHECKINS,
) -> UsualLevel | None:
    """The client's usual `region` pain over the `window` calendar days ending the day before
    `before`.

    By calendar date, not by count of check-ins, so a client who checks in rarely is judged on
    the same weeks as one who checks in daily; the days from `before` on (the days under test)
    are never part of it. None with fewer than `min_checkins` check-ins in the window.
    """
    days = by_day(entries)
    first = before - timedelta(days=window)
    scores_by_day = {d: e.score(region) for d, e in days.items() if first <= d < before}
    scores = list(scores_by_day.values())
    if len(scores) < max(min_checkins, 1):
        return None
    level = float(statistics.median(scores))
    # Mean absolute deviation from the median, × √(π/2) to estimate an SD: the median absolute
    # deviation is 0 for most integer diaries (half the answers at the usual score), which
    # would make every small wobble look huge; the mean absolute deviation is still barely
    # moved by a flare day or two (Gorard, Br J Educ Stud 2005;53:417-430).
    mad = statistics.fmean(abs(score - level) for score in scores)
    # A few check-ins say little about a client's noise: shrink towards a typical diary's.
    n = len(scores)
    spread = _MEAN_ABS_TO_SD * mad
    noise = math.sqrt((n * spread**2 + PRIOR_WEIGHT * PRIOR_NOISE**2) / (n + PRIOR_WEIGHT))
    return UsualLevel(
        level=level,
        noise=max(NOISE_FLOOR, noise),
        checkins=len(scores),
        persistence=_persistence(scores_by_day, level),
    )


def is_clinically_important_rise(baseline_mean: float, current_mean: float) -> bool:
    """True when `current_mean` exceeds `baseline_mean` by the MCID: ≥ 2 points and ≥ 30 %.

    From a baseline of 0 any rise of ≥ 2 points is also ≥ 30 %.
    """
    rise = current_mean - baseline_mean
    if rise < MCID_POINTS - _EPSILON:
        return False
    return rise >= MCID_FRACTION * baseline_mean - _EPSILON


def trend_arrow(
    previous: float, current: float, *, threshold: float = TREND_THRESHOLD_POINTS
) -> str:
    """Up arrow when pain rose by ≥ `threshold` points (worse), down when it fell, else across."""
    change = current - previous
    if change >= threshold - _EPSILON:
        return ARROW_WORSE
    if change <= -threshold + _EPSILON:
        return ARROW_BETTER
    return ARROW_SAME


def comparison_with_last_week(entries: PainEntries, today: date) -> WeekComparison | None:
    """This week's mean pain against last week's, leg and back.

    "This week" is the 7 days ending `today` (inclusive) and "last week" the 7 days before —
    rolling weeks, so the comparison means the same on a Monday as on a Sunday. None unless
    each week has at least 2 check-ins.
    """
    days = by_day(entries)
    this_start = today - timedelta(days=6)
    last_start = this_start - timedelta(days=7)
    last_end = this_start - timedelta(days=1)
    this_leg = _scores_between(days, this_start, today, Region.LEG)
    last_leg = _scores_between(days, last_start, last_end, Region.LEG)
    if len(this_leg) < WEEK_MIN_ENTRIES or len(last_leg) < WEEK_MIN_ENTRIES:
        return None
    this_back = _scores_between(days, this_start, today, Region.BACK)
    last_back = _scores_between(days, last_start, last_end, Region.BACK)
    return WeekComparison(
        this_week_start=this_start,
        last_week_start=last_start,
        leg=RegionComparison(
            this_week=sum(this_leg) / len(this_leg), last_week=sum(last_leg) / len(last_leg)
        ),
        back=RegionComparison(
            this_week=sum(this_back) / len(this_back), last_week=sum(last_back) / len(last_back)
        ),
    )


# A missed check-in can still be filled in the next day (memory of yesterday's pain is still
# fair); older days are not, since recall of pain intensity fades within days.
LATE_CHECKIN_DAYS: Final = 1


def can_record_for(day: date, today: date) -> bool:
    """Whether a check-in for the client's local `day` may be recorded on `today`."""
    return today - timedelta(days=LATE_CHECKIN_DAYS) <= day <= today


def entered_late(day: date, entered_on: date) -> bool:
    """A check-in entered on a later local day than the one it describes is marked late."""
    return entered_on > day


@dataclass(frozen=True, slots=True)
class PainRise:
    """Leg pain lately against the client's usual level, when the rise is one that matters."""

    usual: float
    recent: float


def leg_pain_rise(entries: PainEntries, today: date) -> PainRise | None:
    """A clinically important rise in leg pain the client should tell their therapist about.

    The mean of the last `ROLLING_WINDOW_DAYS` days (a majority of them checked in) against
    the client's usual level before those days (`usual_level`), by the MCID rule (≥ 2 points
    and ≥ 30 %). One bad day is not a rise: the window needs two or more high days.
    """
    recent = rolling_mean(entries, today, ROLLING_WINDOW_DAYS, region=Region.LEG)
    if recent is None:
        return None
    usual = usual_level(
        entries, region=Region.LEG, before=today - timedelta(days=ROLLING_WINDOW_DAYS - 1)
    )
    if usual is None or not is_clinically_important_rise(usual.level, recent):
        return None
    return PainRise(usual=usual.level, recent=recent)
