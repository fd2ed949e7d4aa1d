"""The exercise-response rules: aggravating, ready to progress, too hard, and when to ask."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.adherence import Outcome
from bot.domain.exercise_response import (
    ExerciseSlot,
    LegResponse,
    Suggestion,
    aggravating,
    exercise_progress,
    ready_to_progress,
    should_ask_response,
    too_hard,
    verdict_for,
)

LONDON = ZoneInfo("Europe/London")
FIRST_DAY = date(2026, 6, 1)
E, S, W, SP = LegResponse.EASED, LegResponse.SAME, LegResponse.WORSE, LegResponse.SPREAD
DONE, PARTLY, SKIPPED = Outcome.DONE, Outcome.PARTLY, Outcome.SKIPPED


def at(day: int, hour: int = 8) -> datetime:
    """08:00 London on day `day` (0 = 1 June 2026), in UTC as stored."""
    local = datetime.combine(FIRST_DAY + timedelta(days=day), time(hour), tzinfo=LONDON)
    return local.astimezone(UTC)


# The evening before the first session: a fortnight on the dose by the evening of day 13.
PRESCRIBED = at(-1, 18)


def evening(day: int) -> datetime:
    return at(day, 21)


def daily(
    responses: Sequence[LegResponse | None], *, first_day: int = 0, outcome: Outcome = DONE
) -> list[ExerciseSlot]:
    """One session a day from `first_day`, done, with these answers to the leg question."""
    return [
        ExerciseSlot(at(first_day + i), outcome, None, response)
        for i, response in enumerate(responses)
    ]


def outcomes(
    *items: Outcome | tuple[Outcome, str] | None, first_day: int = 0
) -> list[ExerciseSlot]:
    slots = []
    for i, item in enumerate(items):
        outcome, reason = item if isinstance(item, tuple) else (item, None)
        slots.append(ExerciseSlot(at(first_day + i), outcome, reason, None))
    return slots


def leg(scores: dict[int, int]) -> dict[date, int]:
    return {FIRST_DAY + timedelta(days=day): score for day, score in scores.items()}


def steady_leg(first: int, last: int, score: int = 4) -> dict[date, int]:
    return leg(dict.fromkeys(range(first, last + 1), score))


# --- aggravating --------------------------------------------------------------------------------


def test_worse_after_three_of_the_last_five_answered_sessions_is_aggravating() -> None:
    slots = daily([S, W, S, W, W])

    found = aggravating(slots, {}, now=evening(4), tz=LONDON)

    assert found is not None
    assert (found.worse_sessions, found.answered_sessions) == (3, 5)
    assert found.first_worse_at == at(1)
    assert not found.spread


def test_spreading_down_the_leg_counts_as_worse_and_is_named_in_the_evidence() -> None:
    found = aggravating(daily([SP, S, W, S, SP]), {}, now=evening(4), tz=LONDON)

    assert found is not None and found.spread


def test_two_worse_sessions_of_five_without_a_leg_pain_rise_are_not_aggravating() -> None:
    slots = daily([W, S, E, S, W])

    assert aggravating(slots, steady_leg(-7, 4), now=evening(4), tz=LONDON) is None


def test_unanswered_sessions_do_not_dilute_the_last_five_answers() -> None:
    slots = daily([W, None, None, S, W, None, W])

    assert aggravating(slots, {}, now=evening(6), tz=LONDON) is not None


def test_worse_answers_older_than_the_last_five_answered_sessions_no_longer_count() -> None:
    slots = daily([W, W, W, S, S, E, S, S])

    assert aggravating(slots, {}, now=evening(7), tz=LONDON) is None


def test_twice_worse_in_a_row_with_a_clinically_important_leg_pain_rise_is_aggravating() -> None:
    slots = daily([S, S, S, S, S, S, S, W, W])
    pain = {**steady_leg(0, 6, 3), **leg({7: 5, 8: 6})}

    found = aggravating(slots, pain, now=evening(8), tz=LONDON)

    assert found is not None
    assert found.leg_pain == (3.0, 5.5)
    assert found.first_worse_at == at(7)


def test_twice_worse_in_a_row_with_leg_pain_up_by_one_point_is_not_aggravating() -> None:
    slots = daily([S, S, S, S, S, S, S, W, W])
    pain = {**steady_leg(0, 6, 3), **leg({7: 4, 8: 4})}

    assert aggravating(slots, pain, now=evening(8), tz=LONDON) is None


def test_twice_worse_in_a_row_is_not_judged_without_a_week_of_leg_pain_before_it() -> None:
    slots = daily([S, W, W])
    pain = leg({0: 2, 1: 6, 2: 7})

    assert aggravating(slots, pain, now=evening(2), tz=LONDON) is None


def test_worse_then_same_is_not_twice_in_a_row() -> None:
    slots = daily([S, S, S, S, S, S, S, W, S])
    pain = {**steady_leg(0, 6, 3), **leg({7: 6, 8: 7})}

    assert aggravating(slots, pain, now=evening(8), tz=LONDON) is None


def test_answers_after_now_are_not_evidence_yet() -> None:
    slots = daily([S, S, W, W, W])

    assert aggravating(slots, {}, now=evening(3), tz=LONDON) is None


# --- ready to progress ----------------------------------------------------------------------------


def test_done_on_every_slot_for_two_weeks_with_steady_leg_pain_is_ready_to_progress() -> None:
    slots = daily([S] * 14)

    found = ready_to_progress(
        slots, steady_leg(0, 13), since=PRESCRIBED, now=evening(13), tz=LONDON
    )

    assert found is not None
    assert (found.done_slots, found.slots) == (14, 14)
    assert found.leg_this_week == found.leg_last_week == 4.0


def test_done_on_twelve_of_fourteen_slots_is_enough_and_partly_is_not_done() -> None:
    since = PRESCRIBED
    twelve = outcomes(*([DONE] * 12), PARTLY, None)
    eleven = outcomes(*([DONE] * 11), PARTLY, PARTLY, None)

    assert ready_to_progress(twelve, steady_leg(0, 13), since=since, now=evening(13), tz=LONDON)
    assert not ready_to_progress(eleven, steady_leg(0, 13), since=since, now=evening(13), tz=LONDON)


def test_fewer_than_seven_sessions_in_the_fortnight_are_too_few_to_progress_on() -> None:
    slots = daily([S] * 6, first_day=8)

    found = ready_to_progress(
        slots, steady_leg(0, 13), since=PRESCRIBED, now=evening(13), tz=LONDON
    )

    assert found is None


def test_a_dose_younger_than_two_weeks_is_not_ready_to_progress() -> None:
    slots = daily([S] * 14)

    assert (
        ready_to_progress(slots, steady_leg(0, 13), since=at(1), now=evening(13), tz=LONDON) is None
    )


def test_one_worse_answer_in_the_last_two_weeks_holds_progression_back() -> None:
    slots = daily([S] * 9 + [W] + [S] * 4)

    assert (
        ready_to_progress(slots, steady_leg(0, 13), since=PRESCRIBED, now=evening(13), tz=LONDON)
        is None
    )


def test_leg_pain_a_point_higher_than_last_week_holds_progression_back() -> None:
    slots = daily([S] * 14)
    pain = {**steady_leg(0, 6, 3), **steady_leg(7, 13, 4)}

    assert ready_to_progress(slots, pain, since=PRESCRIBED, now=evening(13), tz=LONDON) is None


def test_falling_leg_pain_allows_progression() -> None:
    slots = daily([E] * 14)
    pain = {**steady_leg(0, 6, 5), **steady_leg(7, 13, 3)}

    assert ready_to_progress(slots, pain, since=PRESCRIBED, now=evening(13), tz=LONDON)


def test_without_leg_pain_check_ins_progression_is_not_suggested() -> None:
    slots = daily([S] * 14)

    assert (
        ready_to_progress(slots, leg({13: 2}), since=PRESCRIBED, now=evening(13), tz=LONDON) is None
    )


def test_a_good_fortnight_after_a_poor_month_on_the_same_dose_is_not_yet_reliable() -> None:
    poor_month = outcomes(*([DONE, None] * 14))
    good_fortnight = outcomes(*([DONE] * 14), first_day=28)

    assert (
        ready_to_progress(
            poor_month + good_fortnight,
            steady_leg(0, 41),
            since=PRESCRIBED,
            now=evening(41),
            tz=LONDON,
        )
        is None
    )


# --- too hard -------------------------------------------------------------------------------------


def test_partly_or_too_painful_on_half_of_the_last_ten_slots_is_too_hard() -> None:
    painful = (SKIPPED, "pain")
    slots = outcomes(DONE, PARTLY, painful, DONE, PARTLY, DONE, painful, PARTLY, DONE, None)

    found = too_hard(slots, now=evening(9))

    assert found is not None
    assert (found.partly_slots, found.too_painful_skips, found.slots) == (3, 2, 10)


def test_skips_for_lack_of_time_do_not_make_an_exercise_too_hard() -> None:
    no_time = (SKIPPED, "time")
    slots = outcomes(PARTLY, PARTLY, no_time, no_time, no_time, DONE, PARTLY, DONE, DONE, DONE)

    assert too_hard(slots, now=evening(9)) is None


def test_too_hard_looks_only_at_the_last_ten_slots() -> None:
    slots = outcomes(*([PARTLY] * 5), *([DONE] * 10))

    assert too_hard(slots, now=evening(14)) is None


# --- one verdict per exercise, and when to ask ----------------------------------------------------


def test_an_aggravating_exercise_is_never_suggested_for_a_step_up() -> None:
    slots = daily([S] * 11 + [W, W, W])

    verdict = verdict_for(
        "glute-bridge",
        slots,
        steady_leg(0, 13),
        since=PRESCRIBED,
        now=evening(13),
        tz=LONDON,
    )

    assert verdict is not None and verdict.suggestion is Suggestion.EASE_OR_STOP


def test_a_reliable_settled_exercise_is_suggested_for_a_step_up() -> None:
    verdict = verdict_for(
        "glute-bridge",
        daily([S] * 14),
        steady_leg(0, 13),
        since=PRESCRIBED,
        now=evening(13),
        tz=LONDON,
    )

    assert verdict is not None and verdict.suggestion is Suggestion.STEP_UP


def test_the_leg_question_is_asked_every_session_for_two_weeks_after_a_change() -> None:
    changed = at(0)

    assert should_ask_response(changed_at=changed, last_asked_at=at(13), now=at(13, 18))


def test_after_two_weeks_the_leg_question_is_asked_once_a_week() -> None:
    changed = at(0)

    assert not should_ask_response(changed_at=changed, last_asked_at=at(15), now=at(20))
    assert should_ask_response(changed_at=changed, last_asked_at=at(15), now=at(22))
    assert should_ask_response(changed_at=changed, last_asked_at=None, now=at(20))


# --- what /progress shows per exercise ------------------------------------------------------------


def test_progress_counts_the_last_two_weeks_and_the_leg_answers() -> None:
    slots = [
        *outcomes(*([DONE] * 4), first_day=0),
        ExerciseSlot(at(16), DONE, None, E),
        ExerciseSlot(at(17), PARTLY, None, S),
        ExerciseSlot(at(18), None, None, None),
        ExerciseSlot(at(19), DONE, None, E),
    ]

    progress = exercise_progress(slots, now=evening(19), tz=LONDON)

    assert (progress.done, progress.partly, progress.slots) == (2, 1, 4)
    assert progress.responses == {E: 2, S: 1}
    assert progress.streak_days == 1


def test_a_streak_counts_days_done_at_least_partly_up_to_today() -> None:
    slots = outcomes(SKIPPED, DONE, PARTLY, DONE, DONE)

    assert exercise_progress(slots, now=evening(4), tz=LONDON).streak_days == 4


def test_today_not_done_yet_does_not_break_the_streak() -> None:
    slots = outcomes(DONE, DONE, DONE, None)

    assert exercise_progress(slots, now=at(3, 9), tz=LONDON).streak_days == 3
