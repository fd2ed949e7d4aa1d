"""When to tell the therapist, and when not to tell them again.

The contract with the service that calls these rules:

* `pain_trend_alerts(history, judged_day=…, sensitivity=…)` judges ONE local day of one client:
  the day of a check-in, at the check-in, or a day the client has finished (after their local
  midnight). Never a day still in progress without its check-in. `history` holds the client's
  pain entries dated `judged_day - HISTORY_DAYS + 1` … `judged_day` (older or later entries are
  ignored). It returns the worsening (leg, back) and severe-leg-pain candidates for that day.
* `inactivity_alert_for(checkin_days, judged_day=…, enrolled_on=…)` judges silence up to the
  end of `judged_day`, a day the client has finished, against the client's own cadence (never
  before `INACTIVITY_MIN_DAYS` silent days). `checkin_days` are the days with a check-in in the
  same `HISTORY_DAYS`, plus the latest check-in ever if it is older.
* `low_adherence_alert_for(pct, week_start)` judges a finished week.
* `should_raise(candidate, previous, now)` is the one-alert-per-episode rule; every candidate
  goes through it. Red flags are raised by `bot.services.red_flags` at once; their evidence is
  `RedFlagEvidence`.

Each candidate carries a typed evidence object (`WorseningEvidence`, `SevereLegPainEvidence`,
`InactivityEvidence`, `LowAdherenceEvidence`, `RedFlagEvidence`); `evidence.as_json()` is what
is stored and `evidence_from_json(kind, data)` reads it back. Pain evidence is a change from the
client's usual level in points, never a percentage.

`severity` is comparable only between alerts of the same kind: higher means worse, and a worse
candidate breaks through the episode rule (DESIGN.md: "not repeated within 72 h unless it gets
worse"). `episode_key` names the fact behind a candidate (where the rise began, the last active
day, the week) so judging the same day twice — at the check-in, then after the day ends — finds
the same episode.

`ALERT_SENSITIVITY` (`Sensitivity`) picks the trade-off between catching real rises and
ignoring ordinary bad days; docs/alerts.md gives each setting's measured table.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.domain.pain import (
    MCID_POINTS,
    USUAL_MIN_CHECKINS,
    USUAL_WINDOW_DAYS,
    DailyPain,
    PainEntries,
    Region,
    UsualLevel,
    by_day,
    is_clinically_important_rise,
    usual_level,
)


class AlertKind(StrEnum):
    RED_FLAG = "red_flag"
    WORSENING_LEG = "worsening_leg"
    WORSENING_BACK = "worsening_back"
    SEVERE_LEG_PAIN = "severe_leg_pain"
    INACTIVITY = "inactivity"
    LOW_ADHERENCE = "low_adherence"
    # Raised by bot.domain.exercise_response when an exercise aggravates the leg.
    AGGRAVATING_EXERCISE = "aggravating_exercise"


class Sensitivity(StrEnum):
    """The trade-off between catching real rises early and ignoring ordinary bad days."""

    STRICT = "strict"
    BALANCED = "balanced"
    SENSITIVE = "sensitive"


DEFAULT_SENSITIVITY: Final = Sensitivity.BALANCED

# DESIGN.md: "the same kind for the same client is not repeated within 72 h unless it gets worse".
EPISODE_WINDOW: Final = timedelta(hours=72)

# --- worsening: a one-sided CUSUM of the excess over the client's usual level ---------------
#
# Page's CUSUM (Biometrika 1954;41:100-115) accumulates standardised excesses over a reference
# level, less an allowance k per observation, and signals when the sum passes h; it is the
# quickest detector of a sustained shift for a given false-alarm rate (Moustakides, Ann Stat
# 1986;14:1379-1387). Here the reference is the client's usual level (`pain.usual_level`: the
# median of the 4 weeks before the days under test) and the unit is the client's own noise
# (the robust SD of their residuals), so a client whose pain swings by 2 points every day needs
# more to alert than one whose pain barely moves. Each day's contribution is capped, so a
# single very bad day (or a 1-2-day flare) cannot carry the sum alone, and the change reported
# must still be the MCID (≥ 2 points and ≥ 30 %, Ostelo et al., Spine 2008;33:90-94): the rule
# decides *whether* a rise is real, the MCID is the smallest rise ever reported.

# The days under test: the CUSUM runs over the check-ins of the last 7 days; the usual level is
# taken from the 4 weeks before them, so a rise never dilutes its own baseline.
TEST_SPAN_DAYS: Final = 10
# Every check-in that makes a rise "sustained" is at least a whole NRS point above usual, the
# smallest change the scale shows.
SUSTAINED_MIN_POINTS: Final = 1.0
# A rise far beyond the client's noise is told once it has held this long.
FAST_MIN_SPAN_DAYS: Final = 4
FAST_MIN_CHECKINS: Final = 4
# A jump of more than this many points from the previous check-in counts as this much until the
# next check-in shows whether it lasted (`_despiked`).
JUMP_CAP_POINTS: Final = 3.0


@dataclass(frozen=True, slots=True)
class TrendSettings:
    """The numbers behind one `Sensitivity` (tuned on the seeded cohort, docs/alerts.md)."""

    allowance: float
    """CUSUM k, in noise units, taken off every check-in's excess."""
    threshold: float
    """CUSUM h, in noise units: the sum that signals."""
    cap: float
    """The most one check-in adds, in noise units (before the allowance)."""
    min_checkins: int
    """Check-ins the rise must show on (the run of a positive sum)."""
    min_span_days: int
    """Calendar days from the run's first check-in to the judged day, inclusive."""
    recent_checkins: int
    """The rise is tested on the mean of its last (up to) this many check-ins: a ramp's first
    days would dilute a longer one."""
    margin: float
    """The level now must stand this many standard errors above usual (and the MCID above it)."""
    sparse_margin: float
    """… this many for a client who usually checks in every 2 days or less often: they are
    judged on fewer days a month, so each look can ask a little less for the same false alerts
    per month."""
    fast_margin: float
    """… or this many, already after `FAST_MIN_SPAN_DAYS` days and `FAST_MIN_CHECKINS`
    check-ins."""
    severe_margin: float
    """Severe leg pain: points above the usual level, at least, to be severe for this client."""
    severe_z: float = 0.0
    """… and at least this many of the client's noise units above it."""
    level_checkins: int = 3
    """The level now (reported, and held to the MCID) is the mean of the rise's last (up to)
    this many check-ins: "the last 3 days about 7"."""
    sustained_days: int = 3
    """Every check-in of the rise in this many calendar days up to the judged day is at least
    `SUSTAINED_MIN_POINTS` above usual."""
    severe_run: int = 0
    """Severe leg pain also when this many check-ins in a row are ≥ 8 and, together, the MCID
    above usual (0: never)."""
    severe_run_days: int = 5
    """… within this many calendar days."""
    confirm_within_days: int = 0
    """A daily client's rise must already have held at their previous check-in, if it was at
    most this many days before (0: never asked)."""


TREND_SETTINGS: Final[Mapping[Sensitivity, TrendSettings]] = {
    Sensitivity.STRICT: TrendSettings(
        allowance=0.5,
        threshold=3.0,
        cap=2.5,
        min_checkins=3,
        min_span_days=6,
        recent_checkins=6,
        margin=3.0,
        sparse_margin=2.7,
        fast_margin=6.0,
        severe_margin=6.0,
        severe_z=3.5,
        severe_run=3,
        confirm_within_days=3,
    ),
    Sensitivity.BALANCED: TrendSettings(
        allowance=0.5,
        threshold=3.0,
        cap=2.5,
        min_checkins=2,
        min_span_days=5,
        recent_checkins=6,
        margin=2.4,
        sparse_margin=2.1,
        fast_margin=5.0,
        severe_margin=6.0,
        severe_z=3.0,
        severe_run=2,
        severe_run_days=3,
        confirm_within_days=3,
    ),
    Sensitivity.SENSITIVE: TrendSettings(
        allowance=0.5,
        threshold=3.0,
        cap=2.5,
        min_checkins=2,
        min_span_days=4,
        recent_checkins=6,
        margin=1.8,
        sparse_margin=1.5,
        fast_margin=4.0,
        severe_margin=4.0,
        severe_z=2.5,
        severe_run=2,
    ),
}

# DESIGN.md: leg pain ≥ 8 is its own alert when it is severe *for that client*: 8 on the NRS is
# "severe" in the usual cut-points (Boonstra et al., Pain 2016;157:1066-1073: 7-10 severe) and
# it must also stand `severe_margin` points above the client's usual level, so a client whose
# leg usually sits at 7 is not alerted for an ordinary 8.
SEVERE_LEG_PAIN_THRESHOLD: Final = 8
# Before a client has a usual level (their first 3 check-ins) there is nothing to compare with:
# 8 or more is told, as the therapist would want to hear it from a new client.
SEVERE_WITHOUT_HISTORY: Final = SEVERE_LEG_PAIN_THRESHOLD

# How many days of pain history (ending on the judged day, inclusive) the service must load:
# the days under test, the 4 weeks of usual level before them, and the cadence window.
CADENCE_WINDOW_DAYS: Final = 56
HISTORY_DAYS: Final = max(TEST_SPAN_DAYS + USUAL_WINDOW_DAYS, CADENCE_WINDOW_DAYS)

# --- inactivity ---------------------------------------------------------------------------
# DESIGN.md: silence is judged against the client's usual cadence, never before 3 days.
INACTIVITY_MIN_DAYS: Final = 3
# A client's "usual longest gap" needs this many gaps between check-ins to be known.
_CADENCE_MIN_GAPS: Final = 1
# The share of the client's gaps that are at most their usual longest gap.
_CADENCE_QUANTILE: Final = 0.9
# Severity steps, so a client silent for a week (then a fortnight) is raised again even inside
# 72 h of the first alert, but not every single day.
_INACTIVITY_SEVERITY_STEPS: Final = ((14, 3), (7, 2))

# Adherence below 50 % in a week (slots done, partly counting half ÷ slots prescribed, DESIGN.md).
LOW_ADHERENCE_PCT: Final = 50.0
# Below a quarter of the prescription is worse still.
_VERY_LOW_ADHERENCE_PCT: Final = 25.0

EvidenceJson = dict[str, str | int | float | list[str] | None]


def _one_decimal(value: float) -> float:
    return round(value + 0.0, 1)


@dataclass(frozen=True, slots=True)
class WorseningEvidence:
    """A sustained rise: "usually about 3, the last 4 days about 7, +4 points"."""

    region: Region
    judged_day: date
    usual: float
    """The client's usual level (median of the 4 weeks before the rise)."""
    recent: float
    """The level now: mean of the last (up to 3) check-ins of the rise."""
    since: date
    """The first check-in of the rise."""
    checkins: int
    """Check-ins the rise shows on."""

    @property
    def rise_points(self) -> float:
        return self.recent - self.usual

    @property
    def days(self) -> int:
        """Calendar days from the first check-in of the rise to the judged day, inclusive."""
        return (self.judged_day - self.since).days + 1

    def as_json(self) -> EvidenceJson:
        return {
            "region": self.region.value,
            "day": self.judged_day.isoformat(),
            "usual": _one_decimal(self.usual),
            "recent": _one_decimal(self.recent),
            "rise_points": _one_decimal(self.rise_points),
            "since": self.since.isoformat(),
            "days": self.days,
            "checkins": self.checkins,
        }


@dataclass(frozen=True, slots=True)
class SevereLegPainEvidence:
    day: date
    leg: int
    back: int
    usual_leg: float | None
    """None when the client has too little history for a usual level."""

    def as_json(self) -> EvidenceJson:
        return {
            "day": self.day.isoformat(),
            "leg": self.leg,
            "back": self.back,
            "usual_leg": None if self.usual_leg is None else _one_decimal(self.usual_leg),
        }


@dataclass(frozen=True, slots=True)
class InactivityEvidence:
    silent_days: int
    """Whole local days without a check-in or an exercise logged, up to the judged day."""
    last_checkin: date | None
    last_exercise_log: date | None
    usual_gap_days: int | None
    """The client's usual longest gap between check-ins; None when not known yet."""

    def as_json(self) -> EvidenceJson:
        return {
            "silent_days": self.silent_days,
            "last_checkin": self.last_checkin.isoformat() if self.last_checkin else None,
            "last_exercise_log": (
                self.last_exercise_log.isoformat() if self.last_exercise_log else None
            ),
            "usual_gap_days": self.usual_gap_days,
        }


@dataclass(frozen=True, slots=True)
class LowAdherenceEvidence:
    week_start: date
    adherence_pct: float

    def as_json(self) -> EvidenceJson:
        return {
            "week_start": self.week_start.isoformat(),
            "adherence_pct": _one_decimal(self.adherence_pct),
        }


@dataclass(frozen=True, slots=True)
class RedFlagEvidence:
    signs: tuple[str, ...]
    """`bot.domain.red_flags` sign names, in the order reported."""
    source: str

    def as_json(self) -> EvidenceJson:
        return {"source": self.source, "signs": list(self.signs)}


Evidence = (
    WorseningEvidence
    | SevereLegPainEvidence
    | InactivityEvidence
    | LowAdherenceEvidence
    | RedFlagEvidence
)


def _day_or_none(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value != "never" else None


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not a number: {value!r}")
    return float(value)


def evidence_from_json(kind: AlertKind, data: Mapping[str, object]) -> Evidence:
    """Read stored evidence back into its type; ValueError/KeyError when it is not that shape
    (e.g. stored by an older rule version)."""
    if kind in (AlertKind.WORSENING_LEG, AlertKind.WORSENING_BACK):
        since = _day_or_none(data["since"])
        judged = _day_or_none(data["day"])
        if since is None or judged is None:
            raise ValueError("worsening evidence needs its days")
        return WorseningEvidence(
            region=Region(str(data["region"])),
            judged_day=judged,
            usual=_number(data["usual"]),
            recent=_number(data["recent"]),
            since=since,
            checkins=int(_number(data["checkins"])),
        )
    if kind is AlertKind.SEVERE_LEG_PAIN:
        day = _day_or_none(data["day"])
        if day is None:
            raise ValueError("severe leg pain evidence needs its day")
        usual = data.get("usual_leg")
        return SevereLegPainEvidence(
            day=day,
            leg=int(_number(data["leg"])),
            back=int(_number(data["back"])),
            usual_leg=None if usual is None else _number(usual),
        )
    if kind is AlertKind.INACTIVITY:
        gap = data.get("usual_gap_days")
        return InactivityEvidence(
            silent_days=int(_number(data["silent_days"])),
            last_checkin=_day_or_none(data.get("last_checkin")),
            last_exercise_log=_day_or_none(data.get("last_exercise_log")),
            usual_gap_days=None if gap is None else int(_number(gap)),
        )
    if kind is AlertKind.LOW_ADHERENCE:
        week = _day_or_none(data["week_start"])
        if week is None:
            raise ValueError("low adherence evidence needs its week")
        return LowAdherenceEvidence(week_start=week, adherence_pct=_number(data["adherence_pct"]))
    signs = data["signs"]
    if not isinstance(signs, list | tuple):
        raise ValueError("red flag evidence needs its signs")
    return RedFlagEvidence(signs=tuple(str(s) for s in signs), source=str(data["source"]))


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """An alert a rule says is due, before the episode rule decides whether to raise it."""

    kind: AlertKind
    severity: int
    evidence: Evidence
    episode_key: str


@dataclass(frozen=True, slots=True)
class PreviousAlert:
    """The latest alert of the same kind already raised for the same client."""

    kind: AlertKind
    severity: int
    raised_at: datetime
    acknowledged_at: datetime | None = None
    episode_key: str = ""


# --- worsening and severe leg pain ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rise:
    usual: UsualLevel
    recent: float
    since: date
    checkins: int
    fast: bool


def _usual_before_test(
    days: Mapping[date, DailyPain], region: Region, judged_day: date
) -> tuple[UsualLevel | None, date]:
    """The usual level and the first day under test.

    The days under test are the `TEST_SPAN_DAYS` ending on `judged_day`; for a new client with
    too little before them, the span shrinks so that their first `USUAL_MIN_CHECKINS` check-ins
    are the usual level (a rise from the 4th day on can still be seen).
    """
    start = judged_day - timedelta(days=TEST_SPAN_DAYS - 1)
    usual = usual_level(days, region=region, before=start)
    if usual is not None:
        return usual, start
    earliest = sorted(d for d in days if d <= judged_day)[:USUAL_MIN_CHECKINS]
    if len(earliest) < USUAL_MIN_CHECKINS:
        return None, judged_day + timedelta(days=1)
    start = max(start, earliest[-1] + timedelta(days=1))
    if start > judged_day:
        return None, start
    return usual_level(days, region=region, before=start), start


def _despiked(
    days: Mapping[date, DailyPain], region: Region, start: date, judged_day: date
) -> list[tuple[date, float]]:
    """The check-ins from `start` to `judged_day`, with lone peaks taken off.

    A check-in higher than both its neighbours counts as the higher neighbour: the upper half
    of Tukey's running median of 3 (Exploratory Data Analysis, 1977, ch. 7; Velleman, JASA
    1980;75:609-615), so one bad day cannot carry a rise while a step, a ramp or a 2-day flare
    passes unchanged. Dips are left alone: lifting a good day between two bad ones would make
    a rise out of noise. The judged check-in has no later neighbour yet: a jump of more than
    `JUMP_CAP_POINTS` from the previous one counts as that jump until the next shows whether
    it lasted."""
    seen = sorted(d for d in days if d <= judged_day)
    # From the check-in just before `start`: the first one under test has a neighbour too.
    first = max(0, bisect.bisect_left(seen, start) - 1)
    scores = [(d, float(days[d].score(region))) for d in seen[first:]]
    smoothed: list[tuple[date, float]] = []
    for i, (day, score) in enumerate(scores):
        if day < start:
            continue
        if 0 < i < len(scores) - 1:
            score = min(score, max(scores[i - 1][1], scores[i + 1][1]))
        elif i > 0:
            score = min(score, scores[i - 1][1] + JUMP_CAP_POINTS)
        smoothed.append((day, score))
    return smoothed


def _rise(
    days: Mapping[date, DailyPain],
    region: Region,
    judged_day: date,
    settings: TrendSettings,
    usual_and_start: tuple[UsualLevel | None, date],
) -> _Rise | None:
    usual, start = usual_and_start
    if usual is None or judged_day not in days:
        return None
    total = 0.0
    step = 0.0
    run: list[tuple[date, float]] = []
    for day, score in _despiked(days, region, start, judged_day):
        step = min((score - usual.level) / usual.noise, settings.cap) - settings.allowance
        total = max(0.0, total + step)
        run = [*run, (day, score)] if total > 0 else []
    # The judged check-in must itself add to the sum: pain back to usual after a 2-day flare
    # leaves the sum high for a day or two, but is not a worsening.
    if total < settings.threshold or step <= 0:
        return None
    since = run[0][0]
    if len(run) < min(settings.min_checkins, FAST_MIN_CHECKINS):
        return None
    # Sustained: every check-in of the rise's last days is at least a point above usual (a
    # 2-day flare and a day back near usual is not a rise). By calendar days, so a client who
    # checks in every 2-3 days is held to the same days as one who checks in daily.
    if any(
        score - usual.level < SUSTAINED_MIN_POINTS
        for day, score in run
        if (judged_day - day).days < settings.sustained_days
    ):
        return None
    tested = run[-settings.recent_checkins :]
    now_scores = [score for _, score in run[-settings.level_checkins :]]
    recent = sum(now_scores) / len(now_scores)
    if not is_clinically_important_rise(usual.level, recent):
        return None
    # The rise must also stand out from this client's own noise: the standard error of the
    # difference between two means of autocorrelated check-ins (the rise's, on the days it was
    # observed, and the usual window's).
    error = usual.noise * math.sqrt(
        usual.variance_of_mean_on([day for day, _ in tested]) + usual.mean_variance(usual.checkins)
    )
    rise = sum(score for _, score in tested) / len(tested) - usual.level
    span = (judged_day - since).days + 1
    # A rise far outside the client's noise is told after 4 days; a smaller one must hold for
    # the setting's whole span (the Shewhart-CUSUM pairing: a big shift shows at once, a small
    # one only in the sum — Lucas, J Qual Technol 1982;14:51-59).
    fast = rise >= settings.fast_margin * error and span >= FAST_MIN_SPAN_DAYS
    gap = _usual_gap(days, judged_day)
    margin = settings.margin if gap is None or gap <= 1 else settings.sparse_margin
    sustained = (
        rise >= margin * error
        and span >= settings.min_span_days
        and len(run) >= settings.min_checkins
    )
    if not (fast or sustained):
        return None
    return _Rise(usual=usual, recent=recent, since=since, checkins=len(run), fast=fast)


def _usual_gap(days: Mapping[date, DailyPain], judged_day: date) -> int | None:
    """Days from one check-in to the next, as usual for this client: the median gap over the
    4 weeks before `judged_day` (1 for a daily client); None with fewer than 2 check-ins."""
    first = judged_day - timedelta(days=USUAL_WINDOW_DAYS)
    seen = sorted(d for d in days if first <= d < judged_day)
    gaps = sorted((b - a).days for a, b in itertools.pairwise(seen))
    return gaps[(len(gaps) - 1) // 2] if gaps else None


def _previous_daily_checkin(
    days: Mapping[date, DailyPain], judged_day: date, settings: TrendSettings
) -> date | None:
    """The client's check-in before `judged_day`, if the setting confirms rises, the client
    usually checks in daily (median gap of the last 4 weeks: 1 day) and it is recent."""
    if settings.confirm_within_days < 1 or _usual_gap(days, judged_day) != 1:
        return None
    # A usual gap is known, so the 4 weeks before hold check-ins and the latest is among them.
    previous = max(d for d in days if d < judged_day)
    if (judged_day - previous).days > settings.confirm_within_days:
        return None
    return previous


def _worsening(
    days: Mapping[date, DailyPain],
    region: Region,
    judged_day: date,
    settings: TrendSettings,
    usual_and_start: tuple[UsualLevel | None, date],
) -> AlertCandidate | None:
    rise = _rise(days, region, judged_day, settings, usual_and_start)
    if rise is None:
        return None
    # A rise within reach of the client's noise must already have held at the client's previous
    # check-in, when they usually check in daily and made it in the last few days: on daily
    # diaries with day-to-day correlation, an excess seen on one judged day only is most often
    # a run of bad days that is over by the next. Check-ins 2-3 days apart are far less alike,
    # and the rise's span already covers them.
    previous = None if rise.fast else _previous_daily_checkin(days, judged_day, settings)
    if previous is not None and (
        _rise(days, region, previous, settings, _usual_before_test(days, region, previous)) is None
    ):
        return None
    kind = AlertKind.WORSENING_LEG if region is Region.LEG else AlertKind.WORSENING_BACK
    evidence = WorseningEvidence(
        region=region,
        judged_day=judged_day,
        usual=rise.usual.level,
        recent=rise.recent,
        since=rise.since,
        checkins=rise.checkins,
    )
    return AlertCandidate(
        kind=kind,
        # Whole MCIDs above usual (1 for +2 to +3.9 points, 2 from +4, …): worse by a further
        # clinically important step is raised again inside the episode window; a rise that
        # merely wobbles between +2 and +3 is not.
        severity=max(1, math.floor(evidence.rise_points / MCID_POINTS + 1e-9)),
        evidence=evidence,
        episode_key=f"{kind.value}:{rise.since.isoformat()}",
    )


def _severe_for_days(
    days: Mapping[date, DailyPain], judged_day: date, settings: TrendSettings, usual: UsualLevel
) -> bool:
    if settings.severe_run < 1:
        return False
    first = judged_day - timedelta(days=settings.severe_run_days - 1)
    recent = sorted((d for d in days if first <= d <= judged_day), reverse=True)
    recent = recent[: settings.severe_run]
    if len(recent) < settings.severe_run:
        return False
    legs = [days[d].leg for d in recent]
    return min(legs) >= SEVERE_LEG_PAIN_THRESHOLD and is_clinically_important_rise(
        usual.level, sum(legs) / len(legs)
    )


def _severe_leg_pain(
    days: Mapping[date, DailyPain],
    judged_day: date,
    settings: TrendSettings,
    usual: UsualLevel | None,
) -> AlertCandidate | None:
    entry = days.get(judged_day)
    if entry is None or entry.leg < SEVERE_LEG_PAIN_THRESHOLD:
        return None
    if usual is None and entry.leg < SEVERE_WITHOUT_HISTORY:
        return None
    margin = 0.0 if usual is None else max(settings.severe_margin, settings.severe_z * usual.noise)
    # Severe for this client: clearly above their usual on the day, or ≥ 8 on their last few
    # check-ins together the MCID above usual (a new level of pain, not a flare).
    clearly_above = usual is None or entry.leg - usual.level >= margin - 1e-9
    if not clearly_above and not (
        usual is not None and _severe_for_days(days, judged_day, settings, usual)
    ):
        return None
    return AlertCandidate(
        kind=AlertKind.SEVERE_LEG_PAIN,
        severity=entry.leg,
        evidence=SevereLegPainEvidence(
            day=judged_day,
            leg=entry.leg,
            back=entry.back,
            usual_leg=None if usual is None else usual.level,
        ),
        episode_key=f"{AlertKind.SEVERE_LEG_PAIN.value}:{judged_day.isoformat()}",
    )


def pain_trend_alerts(
    history: PainEntries,
    *,
    judged_day: date,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
) -> list[AlertCandidate]:
    """Worsening leg, worsening back and severe leg pain candidates for `judged_day`.

    Only a day with a check-in is judged (at the check-in, or again once the day is over: the
    same history gives the same candidates and episode keys). Entries after `judged_day` are
    ignored, so replaying a diary gives what the bot would have said at the time.

    Worsening fires when the CUSUM of the client's standardised excess over their usual level,
    over the check-ins of the last `TEST_SPAN_DAYS`, reaches the setting's threshold; the rise
    shows on at least `min_checkins` check-ins spread over `min_span_days` days ending with
    `judged_day`'s own, stands `margin` standard errors above usual (errors of autocorrelated
    means, on the days observed) and, for a daily client, already held at their previous
    check-in; and the level now (mean of the last up-to-3 check-ins of the rise) is at least
    the MCID above usual. One bad day is never enough.
    """
    oldest = judged_day - timedelta(days=HISTORY_DAYS)
    days = {d: e for d, e in by_day(history).items() if oldest < d <= judged_day}
    if judged_day not in days:
        return []
    settings = TREND_SETTINGS[sensitivity]
    leg = _usual_before_test(days, Region.LEG, judged_day)
    back = _usual_before_test(days, Region.BACK, judged_day)
    found = [
        _worsening(days, Region.LEG, judged_day, settings, leg),
        _worsening(days, Region.BACK, judged_day, settings, back),
        _severe_leg_pain(days, judged_day, settings, leg[0]),
    ]
    return [c for c in found if c is not None]


# --- inactivity ---------------------------------------------------------------------------


def usual_gap_days(checkin_days: Iterable[date], *, judged_day: date) -> int | None:
    """The client's usual longest gap between check-ins (days from one to the next), over the
    `CADENCE_WINDOW_DAYS` ending on `judged_day`: the 90th centile of their gaps. None until
    `_CADENCE_MIN_GAPS` gaps are known."""
    first = judged_day - timedelta(days=CADENCE_WINDOW_DAYS - 1)
    days = sorted({d for d in checkin_days if first <= d <= judged_day})
    gaps = sorted((b - a).days for a, b in itertools.pairwise(days))
    if len(gaps) < _CADENCE_MIN_GAPS:
        return None
    return gaps[min(len(gaps) - 1, math.ceil(_CADENCE_QUANTILE * len(gaps)) - 1)]


def inactivity_alert_for(
    checkin_days: Iterable[date],
    *,
    judged_day: date,
    enrolled_on: date,
    last_exercise_log: date | None = None,
) -> AlertCandidate | None:
    """No check-in and no exercise logged for longer than this client usually goes quiet.

    `judged_day` is a local day the client has finished; the silent days are those after the
    last active day up to and including it. The alert needs at least `INACTIVITY_MIN_DAYS` (3)
    silent days, and at least twice the client's usual longest gap (`usual_gap_days`), so one
    missed check-in is never an alert: a client who checks in every 2-3 days is silent 1-2
    days between check-ins as a matter of course, and up to 5 when they skip one.
    A client who has never done anything counts from `enrolled_on`.

    The episode is the silence since the last active day, so `episode_key` stays the same until
    the client does something; severity steps up at 7 and 14 silent days.
    """
    checkins = list(checkin_days)
    last_checkin = max(checkins, default=None)
    # Activity after the judged day (a check-in this morning) has already ended the silence.
    activity = [d for d in (last_checkin, last_exercise_log) if d is not None]
    # The day before enrolment stands in for "last active" so enrolment day itself counts.
    last_active = max([*activity, enrolled_on - timedelta(days=1)])
    silent_days = (judged_day - last_active).days
    usual_gap = usual_gap_days(checkins, judged_day=judged_day)
    # A usual gap of g days means g - 1 silent days between check-ins; one missed check-in
    # (a gap of about 2g) is still ordinary, two are not.
    needed = max(INACTIVITY_MIN_DAYS, 2 * (usual_gap or 0))
    if silent_days < needed:
        return None
    severity = next((level for days, level in _INACTIVITY_SEVERITY_STEPS if silent_days >= days), 1)
    return AlertCandidate(
        kind=AlertKind.INACTIVITY,
        severity=severity,
        evidence=InactivityEvidence(
            silent_days=silent_days,
            last_checkin=last_checkin,
            last_exercise_log=last_exercise_log,
            usual_gap_days=usual_gap,
        ),
        episode_key=f"{AlertKind.INACTIVITY.value}:{last_active.isoformat()}",
    )


# --- adherence ----------------------------------------------------------------------------


def low_adherence_alert_for(adherence_pct: float | None, week_start: date) -> AlertCandidate | None:
    """Adherence under 50 % for the week starting `week_start` (see `bot.domain.adherence`).

    None when nothing was prescribed that week (`adherence_pct` None). Severity 2 under 25 %.
    """
    if adherence_pct is None or adherence_pct >= LOW_ADHERENCE_PCT:
        return None
    return AlertCandidate(
        kind=AlertKind.LOW_ADHERENCE,
        severity=2 if adherence_pct < _VERY_LOW_ADHERENCE_PCT else 1,
        evidence=LowAdherenceEvidence(week_start=week_start, adherence_pct=adherence_pct),
        episode_key=f"{AlertKind.LOW_ADHERENCE.value}:{week_start.isoformat()}",
    )


# --- the episode rule ---------------------------------------------------------------------


def should_raise(candidate: AlertCandidate, previous: PreviousAlert | None, now: datetime) -> bool:
    """The episode rule (DESIGN.md "One alert per episode").

    * Red flags are always raised: never wait, never deduplicate.
    * Nothing earlier of this kind → raise.
    * Worse than before (higher severity) → raise, whatever the time.
    * The therapist acknowledged this very episode → do not remind them of it again.
    * Otherwise stay quiet for 72 h after the previous alert — or after its acknowledgement,
      if that came later — then raise again if the rule still fires.
    """
    if candidate.kind == AlertKind.RED_FLAG:
        return True
    if previous is None or previous.kind != candidate.kind:
        return True
    if candidate.severity > previous.severity:
        return True
    if previous.acknowledged_at is not None and previous.episode_key == candidate.episode_key:
        return False
    quiet_since = previous.raised_at
    if previous.acknowledged_at is not None and previous.acknowledged_at > quiet_since:
        quiet_since = previous.acknowledged_at
    return now - quiet_since >= EPISODE_WINDOW
