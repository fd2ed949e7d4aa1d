"""When to tell the therapist, and when not to tell them again.

Each rule is a pure function that looks at plain data and returns an `AlertCandidate` (or None).
`should_raise` then applies the episode rule so a therapist gets one alert per episode.
Numbers come from DESIGN.md "Clinical rules"; sources are cited where each is used.

`severity` is comparable only between alerts of the same kind: a higher number means "worse",
and a worse candidate breaks through the episode rule (DESIGN.md: "not repeated within 72 h
unless it gets worse").

`episode_key` names the fact behind a candidate (the day, the week, the last active day) so a
service that evaluates the same day twice can store the alert idempotently, e.g. with a unique
(client, kind, episode_key) constraint. Deduplication across days is `should_raise`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.domain.pain import (
    BASELINE_WINDOW_DAYS,
    MCID_FRACTION,
    MCID_POINTS,
    ROLLING_WINDOW_DAYS,
    Baseline,
    PainEntries,
    Region,
    baseline,
    by_day,
    is_clinically_important_rise,
    rolling_mean,
)


class AlertKind(StrEnum):
    RED_FLAG = "red_flag"
    WORSENING_LEG = "worsening_leg"
    WORSENING_BACK = "worsening_back"
    SEVERE_LEG_PAIN = "severe_leg_pain"
    INACTIVITY = "inactivity"
    LOW_ADHERENCE = "low_adherence"


# DESIGN.md: "the same kind for the same client is not repeated within 72 h unless it gets worse".
EPISODE_WINDOW: Final = timedelta(hours=72)

# DESIGN.md: "Leg pain ≥ 8 on any day is its own alert" (NRS 0-10; 7-10 is conventionally
# "severe", 8 is the threshold the therapist chose for an immediate look).
SEVERE_LEG_PAIN_THRESHOLD: Final = 8

# "Sustained" (DESIGN.md: a rise "sustained over a 3-day rolling mean") made operational: the
# 3-day rolling mean must meet the MCID against its baseline on this many consecutive days, i.e.
# the rise shows across 5 days of check-ins. Measured on the seeded synthetic cohort in
# tests/unit/test_alert_evaluation_cohort.py (stable clients with ±2 daily noise; a true rise of
# 3-5 points building over 1-7 days), mean of 20 seeds, 14-day baseline:
#   1 day (the literal reading): sensitivity 0.995, 0.81 false alerts per stable client-month
#   2 days:                      sensitivity 0.986, 0.19
#   3 days:                      sensitivity 0.976 (worst seed 0.950), 0.044 (worst 0.074)
# Three +2 days in a row happen 1 day in 125 by chance alone, so one window is not enough;
# the bar is ≥ 0.95 within 7 days of onset and ≤ 0.1 false alerts per stable client-month.
SUSTAINED_DAYS: Final = 3
# How far back `worsening_alert_for` looks: a service can load the entries dated
# `today - WORSENING_HISTORY_DAYS + 1` … `today`, plus the client's first 3 entries ever (the
# baseline of last resort), instead of the whole history.
WORSENING_HISTORY_DAYS: Final = SUSTAINED_DAYS - 1 + ROLLING_WINDOW_DAYS + BASELINE_WINDOW_DAYS

# DESIGN.md: "No check-in or exercise logged for 3 days: adherence alert".
INACTIVITY_DAYS: Final = 3
# Severity steps for inactivity, so a client silent for a week (then a fortnight) is raised
# again even inside 72 h of the first alert, but not every single day.
_INACTIVITY_SEVERITY_STEPS: Final = ((14, 3), (7, 2), (INACTIVITY_DAYS, 1))

# Adherence below 50 % in a week (slots done, partly counting half ÷ slots prescribed, DESIGN.md).
LOW_ADHERENCE_PCT: Final = 50.0
# Below a quarter of the prescription is worse still.
_VERY_LOW_ADHERENCE_PCT: Final = 25.0

Evidence = dict[str, str | float | int]


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """An alert a rule says is due, before the episode rule decides whether to raise it."""

    kind: AlertKind
    severity: int
    evidence: Evidence = field(hash=False)
    episode_key: str


@dataclass(frozen=True, slots=True)
class PreviousAlert:
    """The latest alert of the same kind already raised for the same client."""

    kind: AlertKind
    severity: int
    raised_at: datetime
    acknowledged_at: datetime | None = None
    episode_key: str = ""


def _worsening_kind(region: Region) -> AlertKind:
    return AlertKind.WORSENING_LEG if region is Region.LEG else AlertKind.WORSENING_BACK


def worsening_alert_for(entries: PainEntries, today: date, region: Region) -> AlertCandidate | None:
    """A clinically important, sustained rise in `region` pain as of `today`.

    Fires when, on each of the `SUSTAINED_DAYS` (3) days ending `today`, the 3-day rolling mean
    of that day (`pain.rolling_mean`: ≥ 2 of the 3 days checked in) is a rise of ≥ 2 points
    **and** ≥ 30 % (the NRS MCID, `pain.is_clinically_important_rise`) over that day's baseline
    (`pain.baseline`: the 14 days before the window, else the first 3 entries). Each day is
    judged against its own baseline, so a single bad day cannot carry the alert.

    Severity is the whole number of points today's rolling mean stands above baseline (2, 3, …),
    so a further point of worsening is raised again within the episode window.
    """
    days = by_day(entries)
    judged: list[tuple[float, Baseline]] = []
    for offset in range(SUSTAINED_DAYS - 1, -1, -1):
        day = today - timedelta(days=offset)
        mean = rolling_mean(days, day, ROLLING_WINDOW_DAYS, region=region)
        base = baseline(days, region=region, day=day)
        if mean is None or base is None or not is_clinically_important_rise(base.mean, mean):
            return None
        judged.append((mean, base))
    today_mean, today_baseline = judged[-1]
    rise_today = today_mean - today_baseline.mean
    kind = _worsening_kind(region)
    rise_pct = 100.0 * rise_today / today_baseline.mean if today_baseline.mean else 100.0
    return AlertCandidate(
        kind=kind,
        severity=int(rise_today + 1e-9),
        evidence={
            "region": region.value,
            "day": today.isoformat(),
            "rolling_mean": round(today_mean, 2),
            "baseline": round(today_baseline.mean, 2),
            "baseline_source": today_baseline.source.value,
            "rise_points": round(rise_today, 2),
            "rise_pct": round(rise_pct, 1),
            "sustained_days": SUSTAINED_DAYS,
            "mcid_points": MCID_POINTS,
            "mcid_pct": round(100 * MCID_FRACTION),
        },
        episode_key=f"{kind.value}:{today.isoformat()}",
    )


def severe_leg_pain_alert_for(entries: PainEntries, today: date) -> AlertCandidate | None:
    """Leg pain ≥ 8 on `today`'s check-in (DESIGN.md: its own alert, no trend needed).

    Severity is the score itself, so 9 after 8 is raised again within the episode window.
    """
    entry = by_day(entries).get(today)
    if entry is None or entry.leg < SEVERE_LEG_PAIN_THRESHOLD:
        return None
    return AlertCandidate(
        kind=AlertKind.SEVERE_LEG_PAIN,
        severity=entry.leg,
        evidence={"day": today.isoformat(), "leg": entry.leg, "back": entry.back},
        episode_key=f"{AlertKind.SEVERE_LEG_PAIN.value}:{today.isoformat()}",
    )


def inactivity_alert_for(
    last_checkin: date | None,
    last_exercise_log: date | None,
    today: date,
    enrolled_on: date,
) -> AlertCandidate | None:
    """No check-in **and** no exercise logged on the 3 local days ending `today`.

    Days are counted inclusively of `today`, so the rule is meant to run once the client's day
    is effectively over (the evening tick). A client who has never done anything counts from
    `enrolled_on`: enrolled Monday and silent, the alert comes on Wednesday.

    The episode is the silence since the last active day, so `episode_key` stays the same until
    the client does something; severity steps up at 7 and 14 silent days.
    """
    activity = [d for d in (last_checkin, last_exercise_log) if d is not None]
    # The day before enrolment stands in for "last active" so enrolment day itself counts.
    last_active = max([*activity, enrolled_on - timedelta(days=1)])
    silent_days = (today - last_active).days
    if silent_days < INACTIVITY_DAYS:
        return None
    severity = next(level for days, level in _INACTIVITY_SEVERITY_STEPS if silent_days >= days)
    return AlertCandidate(
        kind=AlertKind.INACTIVITY,
        severity=severity,
        evidence={
            "silent_days": silent_days,
            "last_checkin": last_checkin.isoformat() if last_checkin else "never",
            "last_exercise_log": last_exercise_log.isoformat() if last_exercise_log else "never",
        },
        episode_key=f"{AlertKind.INACTIVITY.value}:{last_active.isoformat()}",
    )


def low_adherence_alert_for(adherence_pct: float | None, week_start: date) -> AlertCandidate | None:
    """Adherence under 50 % for the week starting `week_start` (see `bot.domain.adherence`).

    None when nothing was prescribed that week (`adherence_pct` None). Severity 2 under 25 %.
    """
    if adherence_pct is None or adherence_pct >= LOW_ADHERENCE_PCT:
        return None
    return AlertCandidate(
        kind=AlertKind.LOW_ADHERENCE,
        severity=2 if adherence_pct < _VERY_LOW_ADHERENCE_PCT else 1,
        evidence={"week_start": week_start.isoformat(), "adherence_pct": round(adherence_pct, 1)},
        episode_key=f"{AlertKind.LOW_ADHERENCE.value}:{week_start.isoformat()}",
    )


def red_flag_alert_for(
    flags: Iterable[str], *, reported_at: datetime, source: str
) -> AlertCandidate | None:
    """Any cauda equina red flag (see `bot.domain.red_flags`) is an urgent alert, at once.

    `source` says where it came from ("screen", "free_text"). Red flags are never deduplicated
    (`should_raise`), so the key is unique to the report.
    """
    found = tuple(dict.fromkeys(flags))
    if not found:
        return None
    return AlertCandidate(
        kind=AlertKind.RED_FLAG,
        severity=len(found),
        evidence={"flags": ",".join(found), "source": source},
        episode_key=f"{AlertKind.RED_FLAG.value}:{reported_at.isoformat()}",
    )


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
