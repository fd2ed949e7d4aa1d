"""How each prescribed exercise is working for a client: aggravating, ready to progress, too hard.

A therapist adjusts a programme on the client's response to each exercise. An exercise after
which leg symptoms spread further down the leg (peripheralisation) or get worse is eased or
stopped; one that is done reliably while symptoms settle or retreat towards the back
(centralisation) is progressed. Centralisation and peripheralisation as the response that
matters: the McKenzie method literature (McKenzie & May, *The Lumbar Spine: Mechanical
Diagnosis and Therapy*, 2003); Donelson et al., Spine 1997;22:1115-1122 (centralisation
predicts a good outcome, peripheralisation a poor one); Werneke & Hart, Spine
2001;26:758-764 (failure to centralise predicts chronic pain and disability).

The evidence is the client's one-tap answer after an exercise ("How was your leg
afterwards?" Eased / Same / Worse / Spread further down the leg), what they said about each
slot (done, partly, skipped and why) and their daily leg pain (NRS 0-10). Every function is
pure: it takes the slots and the leg-pain diary as plain data and `now` (aware) plus the
client's zone explicitly.

The thresholds are the product's (issue text), made operational here; the synthetic cohort in
tests/unit/test_exercise_response_cohort.py measures how they behave on noisy, partly missing
answers (docs/exercise-response.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from bot.domain.adherence import Outcome
from bot.domain.alerts import AlertKind
from bot.domain.pain import (
    TREND_THRESHOLD_POINTS,
    WEEK_MIN_ENTRIES,
    is_clinically_important_rise,
)


class LegResponse(StrEnum):
    """The client's answer to "How was your leg afterwards?"."""

    EASED = "eased"
    SAME = "same"
    WORSE = "worse"
    # Symptoms reaching further down the leg: peripheralisation, the sign that matters most
    # (Donelson 1997), kept apart from a plain "worse".
    SPREAD = "spread"


# A skip because the exercise was "too painful" (the reminder's skip reason "pain").
TOO_PAINFUL: Final = "pain"

# Aggravating: Worse or Spread after it in ≥ 3 of its last 5 answered sessions — a majority of
# recent sessions, so one bad day (a flare unrelated to the exercise) is never enough.
AGGRAVATING_LAST_SESSIONS: Final = 5
AGGRAVATING_WORSE_SESSIONS: Final = 3
# ... or Worse/Spread twice in a row together with a rise in leg pain. The rise is the MCID
# on the NRS (≥ 2 points and ≥ 30 %: Ostelo et al., Spine 2008;33:90-94), mean leg pain from
# the day of the first of the two sessions to today against the mean of the days before it.
AGGRAVATING_IN_A_ROW: Final = 2
LEG_BASELINE_DAYS: Final = 7
# A majority of the baseline week, so one odd day is never the baseline.
LEG_BASELINE_MIN_ENTRIES: Final = 3

# Ready to progress: done (not partly) on ≥ 80 % of its slots in the last 14 days — and over
# the whole time on this dose — no Worse or Spread in the last 14 days, leg pain stable or
# falling. The whole-dose share is ours: on the synthetic cohort, the 14 days alone suggested a
# step up for 11.4 % of exercises done on fewer than 80 % of slots (a fortnight's luck, seen at
# one of seven weekly summaries); with it 4.8 %, while 96.9 % of those done reliably still get
# the suggestion (docs/exercise-response.md). Two weeks is the usual review interval for
# a home programme, and a dose is stepped up only once the current one is completed
# consistently and tolerated (the ACSM position stand on progression models, Med Sci Sports
# Exerc 2009;41:687-708, raises the load once the current one is completed, beyond its target,
# in consecutive sessions).
PROGRESS_WINDOW: Final = timedelta(days=14)
PROGRESS_DONE_SHARE: Final = 0.80
# At least a week's worth of daily sessions in the fortnight to judge on (a paused or newly
# scheduled client has a handful, and 5 of 5 is not yet reliable).
PROGRESS_MIN_SLOTS: Final = 7
# "Stable or falling": this week's mean leg pain less than a whole point above last week's
# (the arrow the client and therapist see, `pain.TREND_THRESHOLD_POINTS`), with ≥ 2 check-ins
# in each week (`pain.WEEK_MIN_ENTRIES`); without them the trend is unknown and nothing is
# suggested.
PAIN_WEEK_DAYS: Final = 7

# Too hard: Partly, or skipped as "too painful", on ≥ 50 % of its last 10 slots. Unanswered
# slots count as neither (silence is not evidence of difficulty).
TOO_HARD_LAST_SLOTS: Final = 10
TOO_HARD_SHARE: Final = 0.50

# When to ask "How was your leg afterwards?": every session for the first 14 days after the
# exercise is prescribed or its dosage changes (while the response to it is still being
# learnt), then once a week: a question asked after every session for months would soon be
# ignored, and with it the sessions that matter.
ASK_EVERY_SESSION_FOR: Final = timedelta(days=14)
ASK_WEEKLY_AFTER: Final = timedelta(days=7)

_WORSE: Final = frozenset({LegResponse.WORSE, LegResponse.SPREAD})
_EPSILON: Final = 1e-9


@dataclass(frozen=True, slots=True)
class ExerciseSlot:
    """One prescribed session of one exercise and what the client said about it.

    `outcome` is None when the reminder was never answered; `response` is None when the
    after-exercise question was not asked or not answered.
    """

    slot: datetime
    outcome: Outcome | None
    skip_reason: str | None = None
    response: LegResponse | None = None


@dataclass(frozen=True, slots=True)
class Aggravating:
    """Why an exercise looks aggravating, for the therapist's alert."""

    worse_sessions: int
    answered_sessions: int
    spread: bool
    # Set when the "twice in a row with a rise in leg pain" clause fired: (before, since).
    leg_pain: tuple[float, float] | None
    first_worse_at: datetime


@dataclass(frozen=True, slots=True)
class ReadyToProgress:
    done_slots: int
    slots: int
    leg_last_week: float
    leg_this_week: float


@dataclass(frozen=True, slots=True)
class TooHard:
    partly_slots: int
    too_painful_skips: int
    slots: int


def _past(slots: Iterable[ExerciseSlot], now: datetime) -> list[ExerciseSlot]:
    return sorted((s for s in slots if s.slot <= now), key=lambda s: s.slot)


def _mean_leg(leg_pain: Mapping[date, int], first: date, last: date) -> tuple[float, int]:
    scores = [score for day, score in leg_pain.items() if first <= day <= last]
    return (sum(scores) / len(scores) if scores else 0.0), len(scores)


def aggravating(
    slots: Iterable[ExerciseSlot],
    leg_pain: Mapping[date, int],
    *,
    now: datetime,
    tz: ZoneInfo,
) -> Aggravating | None:
    """The evidence that the exercise aggravates the client's leg, or None.

    `leg_pain` maps the client's local days to their leg pain (NRS 0-10).
    """
    answered = [s for s in _past(slots, now) if s.response is not None]
    recent = answered[-AGGRAVATING_LAST_SESSIONS:]
    worse = [s for s in recent if s.response in _WORSE]
    spread = any(s.response is LegResponse.SPREAD for s in recent)
    if len(worse) >= AGGRAVATING_WORSE_SESSIONS:
        return Aggravating(
            worse_sessions=len(worse),
            answered_sessions=len(recent),
            spread=spread,
            leg_pain=None,
            first_worse_at=worse[0].slot,
        )
    in_a_row = answered[-AGGRAVATING_IN_A_ROW:]
    if len(in_a_row) < AGGRAVATING_IN_A_ROW or any(s.response not in _WORSE for s in in_a_row):
        return None
    first_day = in_a_row[0].slot.astimezone(tz).date()
    today = now.astimezone(tz).date()
    before, before_count = _mean_leg(
        leg_pain, first_day - timedelta(days=LEG_BASELINE_DAYS), first_day - timedelta(days=1)
    )
    since, since_count = _mean_leg(leg_pain, first_day, today)
    if before_count < LEG_BASELINE_MIN_ENTRIES or since_count == 0:
        return None
    if not is_clinically_important_rise(before, since):
        return None
    return Aggravating(
        worse_sessions=len(worse),
        answered_sessions=len(recent),
        spread=spread,
        leg_pain=(before, since),
        first_worse_at=in_a_row[0].slot,
    )


def ready_to_progress(
    slots: Iterable[ExerciseSlot],
    leg_pain: Mapping[date, int],
    *,
    since: datetime,
    now: datetime,
    tz: ZoneInfo,
) -> ReadyToProgress | None:
    """The evidence that the exercise can be stepped up, or None.

    `since` is when the exercise was prescribed or its dosage last changed: a dose is judged
    on a whole window of its own, never on days of the dose before.
    """
    start = now - PROGRESS_WINDOW
    if since > start:
        return None
    window = [s for s in _past(slots, now) if s.slot > start]
    if len(window) < PROGRESS_MIN_SLOTS:
        return None
    done = sum(1 for s in window if s.outcome is Outcome.DONE)
    if done < PROGRESS_DONE_SHARE * len(window) - _EPSILON:
        return None
    # "Done reliably": the same share over the whole time on this dose, so a client who usually
    # does three in four is not stepped up on the one fortnight chance put above 80 %.
    whole = [s for s in _past(slots, now) if s.slot >= since]
    whole_done = sum(1 for s in whole if s.outcome is Outcome.DONE)
    if whole_done < PROGRESS_DONE_SHARE * len(whole) - _EPSILON:
        return None
    if any(s.response in _WORSE for s in window):
        return None
    today = now.astimezone(tz).date()
    this_start = today - timedelta(days=PAIN_WEEK_DAYS - 1)
    last_start = this_start - timedelta(days=PAIN_WEEK_DAYS)
    this_week, this_count = _mean_leg(leg_pain, this_start, today)
    last_week, last_count = _mean_leg(leg_pain, last_start, this_start - timedelta(days=1))
    if this_count < WEEK_MIN_ENTRIES or last_count < WEEK_MIN_ENTRIES:
        return None
    if this_week - last_week >= TREND_THRESHOLD_POINTS - _EPSILON:
        return None
    return ReadyToProgress(
        done_slots=done, slots=len(window), leg_last_week=last_week, leg_this_week=this_week
    )


def too_hard(slots: Iterable[ExerciseSlot], *, now: datetime) -> TooHard | None:
    """The evidence that the exercise is too hard at this dosage, or None."""
    recent = _past(slots, now)[-TOO_HARD_LAST_SLOTS:]
    partly = sum(1 for s in recent if s.outcome is Outcome.PARTLY)
    painful = sum(
        1 for s in recent if s.outcome is Outcome.SKIPPED and s.skip_reason == TOO_PAINFUL
    )
    # Of its last 10 slots: with fewer than 10 so far, 5 such answers are still needed.
    if partly + painful < TOO_HARD_SHARE * TOO_HARD_LAST_SLOTS - _EPSILON:
        return None
    return TooHard(partly_slots=partly, too_painful_skips=painful, slots=len(recent))


def should_ask_response(
    *, changed_at: datetime, last_asked_at: datetime | None, now: datetime
) -> bool:
    """Whether this session's confirmation offers "How was your leg afterwards?".

    Every session for 14 days after the exercise is prescribed or its dosage changes, then at
    most once a week.
    """
    if now - changed_at < ASK_EVERY_SESSION_FOR:
        return True
    return last_asked_at is None or now - last_asked_at >= ASK_WEEKLY_AFTER


class Suggestion(StrEnum):
    """What the therapist is offered for one exercise, most urgent first."""

    EASE_OR_STOP = "aggravating"
    EASE = "too_hard"
    STEP_UP = "ready_to_progress"


@dataclass(frozen=True, slots=True)
class ExerciseVerdict:
    exercise_slug: str
    suggestion: Suggestion
    evidence: Aggravating | TooHard | ReadyToProgress


def verdict_for(
    exercise_slug: str,
    slots: Sequence[ExerciseSlot],
    leg_pain: Mapping[date, int],
    *,
    since: datetime,
    now: datetime,
    tz: ZoneInfo,
) -> ExerciseVerdict | None:
    """The one thing to tell the therapist about this exercise, if any.

    Aggravating wins over too hard, and both over ready to progress: an exercise that hurts is
    never suggested for a step up.
    """
    worse = aggravating(slots, leg_pain, now=now, tz=tz)
    if worse is not None:
        return ExerciseVerdict(exercise_slug, Suggestion.EASE_OR_STOP, worse)
    hard = too_hard(slots, now=now)
    if hard is not None:
        return ExerciseVerdict(exercise_slug, Suggestion.EASE, hard)
    ready = ready_to_progress(slots, leg_pain, since=since, now=now, tz=tz)
    if ready is not None:
        return ExerciseVerdict(exercise_slug, Suggestion.STEP_UP, ready)
    return None


# /progress shows each exercise over the last 2 weeks — the same span as the progression rule.
PROGRESS_SHOWN: Final = timedelta(days=14)
# A streak is worth a word from 3 days in a row: earlier it is not yet a streak.
STREAK_WORTH_SAYING: Final = 3


@dataclass(frozen=True, slots=True)
class ExerciseProgress:
    """One exercise over the last 2 weeks, as the client sees it in /progress."""

    done: int
    partly: int
    slots: int
    responses: Mapping[LegResponse, int]
    # Days in a row (up to today) on which it was done at least partly; a day with no session
    # prescribed neither counts nor breaks it, and today counts once done.
    streak_days: int


def exercise_progress(
    slots: Iterable[ExerciseSlot], *, now: datetime, tz: ZoneInfo
) -> ExerciseProgress:
    past = _past(slots, now)
    window = [s for s in past if s.slot > now - PROGRESS_SHOWN]
    responses: dict[LegResponse, int] = {}
    for s in window:
        if s.response is not None:
            responses[s.response] = responses.get(s.response, 0) + 1
    done_by_day: dict[date, bool] = {}
    for s in past:
        day = s.slot.astimezone(tz).date()
        done = s.outcome in (Outcome.DONE, Outcome.PARTLY)
        done_by_day[day] = done_by_day.get(day, False) or done
    today = now.astimezone(tz).date()
    streak = 0
    for day in sorted(done_by_day, reverse=True):
        if done_by_day[day]:
            streak += 1
        elif day != today:
            break
    return ExerciseProgress(
        done=sum(1 for s in window if s.outcome is Outcome.DONE),
        partly=sum(1 for s in window if s.outcome is Outcome.PARTLY),
        slots=len(window),
        responses=responses,
        streak_days=streak,
    )


# The therapist's alert for an aggravating exercise (the `alert.kind`; the exercise is the
# episode key). One per exercise while it is open, and not again within the alerts' 72 h
# episode window (DESIGN.md: one alert per episode) unless the therapist acknowledged it.
AGGRAVATING_ALERT: Final = AlertKind.AGGRAVATING_EXERCISE
