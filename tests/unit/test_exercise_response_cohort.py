"""How well the exercise-response rules do on a synthetic cohort, run day by day.

A seeded `random.Random` (never the global one) draws a cohort of clients, each prescribed 2-4
exercises on the same day and followed for 8 weeks, with 1 or 2 reminder sessions a day:

* half the clients have one aggravating exercise (its true answer after a session is Worse,
  or Spread in 40 % of them), which raises their leg pain by 2-3 points over its first 5 days
  and keeps it there (nobody acts on it in the simulation); the client's other exercises, and
  every exercise of the other clients, are neutral (true answer Same) or helpful (Eased);
* half the clients are reliable (each exercise done on 85-97 % of its slots), half are not
  (35-75 %); a slot not done is Partly (30 %), skipped (30 %, reason drawn from too painful /
  no time / forgot / other) or never answered;
* leg pain: a usual level of 2-6 with autocorrelated day-to-day noise (AR(1), φ = 0.6, SD 1),
  falling 2 points over the 8 weeks for half the clients without an aggravating exercise;
* noisy, partly missing answers: 30 % of the after-exercise questions and 30 % of the daily
  check-ins go unanswered, and 10 % of answers contradict the true response (drawn uniformly
  from the other answers: for an aggravating exercise Eased or Same, for a neutral one Eased,
  Worse or Spread, for a helpful one Same, Worse or Spread);
* the question is asked after Done or Partly as the product asks it
  (`should_ask_response`: every session for 14 days, then once a week).

Each evening (21:00 local) the rules run on what is known so far:

* aggravating exercises flagged within 14 days of their start (target ≥ 90 %);
* non-aggravating exercises flagged aggravating: onsets (not flagged the evening before, flagged
  now) per client-month, all clients (target ≤ 0.05);
* at each weekly summary from day 14, a step-up suggestion (`verdict_for` → STEP_UP): the share
  of exercises meeting the criterion (done ≥ 80 % of slots in truth, not aggravating) that get
  one at least once (target ≥ 80 %), and of those that do not (target ≤ 10 %).

`evaluate_cohort(seed)` returns the figures; `pytest -s` prints the table published in
docs/exercise-response.md.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.adherence import Outcome
from bot.domain.exercise_response import (
    ExerciseSlot,
    LegResponse,
    Suggestion,
    aggravating,
    should_ask_response,
    verdict_for,
)

SEED = 20261206
CLIENTS = 300
DAYS = 56  # 8 weeks
START = date(2026, 3, 2)  # a Monday; the London spring-forward falls inside the run
ZONE = ZoneInfo("Europe/London")
SESSION_TIMES = (time(8, 0), time(18, 0))
EVALUATED_AT = time(21, 0)
DAYS_PER_MONTH = 365.25 / 12
UNANSWERED = 0.30
CONTRADICTING = 0.10
DETECTION_DAYS = 14
SKIP_REASONS = ("pain", "time", "forgot", "other")


class Truth(StrEnum):
    AGGRAVATING = "aggravating"
    NEUTRAL = "neutral"
    HELPFUL = "helpful"


TRUE_ANSWERS = {
    Truth.AGGRAVATING: (LegResponse.WORSE, LegResponse.SPREAD),
    Truth.NEUTRAL: (LegResponse.SAME,),
    Truth.HELPFUL: (LegResponse.EASED,),
}


@dataclass
class SimExercise:
    slug: str
    truth: Truth
    done_rate: float
    slots: list[ExerciseSlot] = field(default_factory=list)
    last_asked: datetime | None = None

    @property
    def meets_progression_criterion(self) -> bool:
        return self.truth is not Truth.AGGRAVATING and self.done_rate >= 0.80


@dataclass
class SimClient:
    exercises: list[SimExercise]
    sessions_per_day: int
    leg_pain: dict[date, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CohortFigures:
    clients: int
    aggravating: int
    aggravating_flagged_in_14_days: int
    days_to_flag_median: float
    false_flags: int
    client_months: float
    meeting: int
    meeting_suggested: int
    not_meeting: int
    not_meeting_suggested: int

    @property
    def sensitivity(self) -> float:
        return self.aggravating_flagged_in_14_days / self.aggravating

    @property
    def false_flags_per_client_month(self) -> float:
        return self.false_flags / self.client_months

    @property
    def progression_recall(self) -> float:
        return self.meeting_suggested / self.meeting

    @property
    def progression_false_rate(self) -> float:
        return self.not_meeting_suggested / self.not_meeting


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZONE).astimezone(UTC)


def _answer(rng: random.Random, truth: Truth) -> LegResponse:
    true_answers = TRUE_ANSWERS[truth]
    if rng.random() < CONTRADICTING:
        return rng.choice([r for r in LegResponse if r not in true_answers])
    if truth is Truth.AGGRAVATING:
        return LegResponse.SPREAD if rng.random() < 0.4 else LegResponse.WORSE
    return true_answers[0]


def _draw_client(rng: random.Random) -> tuple[SimClient, list[float]]:
    count = rng.randint(2, 4)
    reliable = rng.random() < 0.5
    aggravating_index = rng.randrange(count) if rng.random() < 0.5 else None
    exercises = []
    for index in range(count):
        if index == aggravating_index:
            truth = Truth.AGGRAVATING
        else:
            truth = rng.choice((Truth.NEUTRAL, Truth.HELPFUL))
        done_rate = rng.uniform(0.85, 0.97) if reliable else rng.uniform(0.35, 0.75)
        exercises.append(SimExercise(f"exercise-{index}", truth, done_rate))
    client = SimClient(exercises, sessions_per_day=rng.choice((1, 2)))

    usual = rng.uniform(2, 6)
    improving = aggravating_index is None and rng.random() < 0.5
    rise = rng.uniform(2, 3) if aggravating_index is not None else 0.0
    noise, levels = 0.0, []
    for day in range(DAYS):
        # AR(1) with φ = 0.6 and stationary SD 1: innovations of SD sqrt(1 - 0.36) = 0.8.
        noise = 0.6 * noise + rng.gauss(0, 0.8)
        trend = -2.0 * day / DAYS if improving else 0.0
        levels.append(usual + trend + rise * min(1.0, day / 5) + noise)
    return client, levels


def _live_day(rng: random.Random, client: SimClient, day: date, level: float) -> None:
    for clock in SESSION_TIMES[: client.sessions_per_day]:
        slot = _at(day, clock)
        for exercise in client.exercises:
            roll = rng.random()
            outcome: Outcome | None
            reason = None
            if roll < exercise.done_rate:
                outcome = Outcome.DONE
            else:
                rest = rng.random()
                if rest < 0.3:
                    outcome = Outcome.PARTLY
                elif rest < 0.6:
                    outcome, reason = Outcome.SKIPPED, rng.choice(SKIP_REASONS)
                else:
                    outcome = None
            response = None
            asked = outcome in (Outcome.DONE, Outcome.PARTLY) and should_ask_response(
                changed_at=_at(START, SESSION_TIMES[0]) - timedelta(hours=1),
                last_asked_at=exercise.last_asked,
                now=slot,
            )
            if asked:
                exercise.last_asked = slot
                if rng.random() >= UNANSWERED:
                    response = _answer(rng, exercise.truth)
            exercise.slots.append(ExerciseSlot(slot, outcome, reason, response))
    if rng.random() >= UNANSWERED:
        client.leg_pain[day] = max(0, min(10, round(level)))


def evaluate_cohort(seed: int = SEED, clients: int = CLIENTS) -> CohortFigures:
    rng = random.Random(seed)
    since = _at(START, SESSION_TIMES[0]) - timedelta(hours=1)
    aggravating_total = flagged_in_time = false_flags = 0
    days_to_flag: list[int] = []
    meeting = meeting_suggested = not_meeting = not_meeting_suggested = 0
    for _ in range(clients):
        client, levels = _draw_client(rng)
        flagged_before = {e.slug: False for e in client.exercises}
        first_flag: dict[str, int] = {}
        suggested: set[str] = set()
        for offset in range(DAYS):
            day = START + timedelta(days=offset)
            _live_day(rng, client, day, levels[offset])
            now = _at(day, EVALUATED_AT)
            weekly = offset >= 14 and offset % 7 == 0
            for exercise in client.exercises:
                flagged = aggravating(exercise.slots, client.leg_pain, now=now, tz=ZONE) is not None
                if flagged and exercise.slug not in first_flag:
                    first_flag[exercise.slug] = offset
                if flagged and not flagged_before[exercise.slug]:
                    false_flags += exercise.truth is not Truth.AGGRAVATING
                flagged_before[exercise.slug] = flagged
                if weekly:
                    verdict = verdict_for(
                        exercise.slug,
                        exercise.slots,
                        client.leg_pain,
                        since=since,
                        now=now,
                        tz=ZONE,
                    )
                    if verdict is not None and verdict.suggestion is Suggestion.STEP_UP:
                        suggested.add(exercise.slug)
        for exercise in client.exercises:
            if exercise.truth is Truth.AGGRAVATING:
                aggravating_total += 1
                when = first_flag.get(exercise.slug)
                if when is not None:
                    days_to_flag.append(when)
                    flagged_in_time += when < DETECTION_DAYS
            if exercise.meets_progression_criterion:
                meeting += 1
                meeting_suggested += exercise.slug in suggested
            else:
                not_meeting += 1
                not_meeting_suggested += exercise.slug in suggested
    return CohortFigures(
        clients=clients,
        aggravating=aggravating_total,
        aggravating_flagged_in_14_days=flagged_in_time,
        days_to_flag_median=statistics.median(days_to_flag) if days_to_flag else float("nan"),
        false_flags=false_flags,
        client_months=clients * DAYS / DAYS_PER_MONTH,
        meeting=meeting,
        meeting_suggested=meeting_suggested,
        not_meeting=not_meeting,
        not_meeting_suggested=not_meeting_suggested,
    )


def figures_table(figures: CohortFigures) -> list[str]:
    return [
        "| measure | target | result |",
        "|---|---|---|",
        f"| aggravating exercises flagged within 14 days of starting "
        f"({figures.aggravating_flagged_in_14_days}/{figures.aggravating}; median day "
        f"{figures.days_to_flag_median:g}) | ≥ 0.90 | {figures.sensitivity:.3f} |",
        f"| non-aggravating exercises flagged aggravating, per client-month "
        f"({figures.false_flags} in {figures.client_months:.0f} client-months) | ≤ 0.05 | "
        f"{figures.false_flags_per_client_month:.3f} |",
        f"| step-up suggested, exercises meeting the criterion "
        f"({figures.meeting_suggested}/{figures.meeting}) | ≥ 0.80 | "
        f"{figures.progression_recall:.3f} |",
        f"| step-up suggested, exercises not meeting it "
        f"({figures.not_meeting_suggested}/{figures.not_meeting}) | ≤ 0.10 | "
        f"{figures.progression_false_rate:.3f} |",
    ]


def test_the_exercise_response_rules_meet_their_targets_on_the_synthetic_cohort() -> None:
    figures = evaluate_cohort()
    print()  # noqa: T201 - `pytest -s` shows the table
    for line in figures_table(figures):
        print(line)  # noqa: T201

    assert figures.sensitivity >= 0.90
    assert figures.false_flags_per_client_month <= 0.05
    assert figures.progression_recall >= 0.80
    assert figures.progression_false_rate <= 0.10
