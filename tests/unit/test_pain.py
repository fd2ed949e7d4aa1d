"""Pain scores, baselines and week-on-week trends (bot.domain.pain)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from bot.domain.pain import (
    ARROW_BETTER,
    ARROW_SAME,
    ARROW_WORSE,
    NOISE_FLOOR,
    PRIOR_NOISE,
    PRIOR_WEIGHT,
    DailyPain,
    PainScore,
    Region,
    by_day,
    comparison_with_last_week,
    is_clinically_important_rise,
    rolling_mean,
    trend_arrow,
    usual_level,
    validate_pain_score,
)

MONDAY = date(2026, 3, 2)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def series(legs: Sequence[int | None], backs: Sequence[int] | None = None) -> list[DailyPain]:
    """Daily entries from day 0; None is a day without a check-in."""
    backs = backs or [3] * len(legs)
    return [DailyPain(day(i), leg, backs[i]) for i, leg in enumerate(legs) if leg is not None]


@pytest.mark.parametrize("value", [0, 1, 5, 10, "7", " 3 "])
def test_scores_from_zero_to_ten_are_accepted(value: object) -> None:
    assert validate_pain_score(value) == int(str(value))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "from 0 to 10"),
        (11, "from 0 to 10"),
        (7.5, "whole number"),
        (True, "whole number"),
        ("seven", "whole number"),
        ("", "whole number"),
        (None, "whole number"),
    ],
)
def test_scores_outside_the_scale_are_refused_with_a_clear_message(
    value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        validate_pain_score(value)


def test_a_daily_entry_refuses_an_impossible_score() -> None:
    with pytest.raises(ValueError, match="leg pain"):
        DailyPain(day(0), leg=12, back=3)
    with pytest.raises(ValueError, match="back pain"):
        DailyPain(day(0), leg=2, back=-1)
    with pytest.raises(ValueError, match="pain score"):
        PainScore(11)
    assert PainScore(4).value == 4


def test_a_corrected_check_in_replaces_the_earlier_one_for_that_day() -> None:
    entries = [DailyPain(day(0), 7, 3), DailyPain(day(0), 4, 3)]
    assert by_day(entries)[day(0)].leg == 4


def test_rolling_mean_averages_the_days_checked_in() -> None:
    entries = series([2, 4, 6])
    assert rolling_mean(entries, day(2)) == pytest.approx(4.0)
    assert rolling_mean(entries, day(2), region=Region.BACK) == pytest.approx(3.0)


def test_rolling_mean_skips_a_missed_day_rather_than_counting_it_as_zero() -> None:
    entries = series([2, None, 6])
    assert rolling_mean(entries, day(2)) == pytest.approx(4.0)


def test_rolling_mean_needs_most_of_the_window() -> None:
    entries = series([None, None, 6])
    assert rolling_mean(entries, day(2)) is None
    assert rolling_mean(entries, day(2), min_entries=1) == pytest.approx(6.0)
    assert rolling_mean(series([5] * 7), day(6), window=7) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="window"):
        rolling_mean(entries, day(2), window=0)


def test_usual_level_is_the_median_of_the_four_weeks_before_the_days_under_test() -> None:
    # day 0 is too old; days 1-28 are the window; the flare days (9) do not move the median
    entries = series([0] + [3, 4, 3, 9, 3, 2, 9] * 4 + [10] * 3)
    usual = usual_level(entries, region=Region.LEG, before=day(29))
    assert usual is not None
    assert usual.level == 3.0
    assert usual.checkins == 28
    # residuals 0,1,0,6,0,1,6: mean absolute deviation 2, SD estimate 2·√(π/2), shrunk a
    # little towards the prior (5 check-ins' worth of 1.2)
    spread = 2 * math.sqrt(math.pi / 2)
    expected = math.sqrt((28 * spread**2 + PRIOR_WEIGHT * PRIOR_NOISE**2) / (28 + PRIOR_WEIGHT))
    assert usual.noise == pytest.approx(expected)


def test_usual_level_is_by_calendar_date_and_needs_three_check_ins() -> None:
    entries = series([5, None, None, 6, None, 7, 9, 9])
    assert usual_level(entries, region=Region.LEG, before=day(5)) is None
    usual = usual_level(entries, region=Region.LEG, before=day(6))
    assert usual is not None and usual.level == 6.0


def test_a_client_who_always_answers_the_same_still_has_some_noise() -> None:
    usual = usual_level(series([4] * 28), region=Region.LEG, before=day(28))
    assert usual is not None and usual.noise >= NOISE_FLOOR
    assert usual.noise == pytest.approx(
        max(NOISE_FLOOR, math.sqrt(PRIOR_WEIGHT * PRIOR_NOISE**2 / (28 + PRIOR_WEIGHT)))
    )


def test_few_check_ins_are_assumed_as_noisy_as_a_typical_diary() -> None:
    usual = usual_level(series([4] * 3), region=Region.LEG, before=day(3))
    assert usual is not None and usual.noise == pytest.approx(
        math.sqrt(PRIOR_WEIGHT * PRIOR_NOISE**2 / (3 + PRIOR_WEIGHT))
    )


@pytest.mark.parametrize(
    ("base", "current", "important"),
    [
        (3.0, 5.0, True),  # +2 points, +67 %
        (3.0, 4.9, False),  # under 2 points
        (0.0, 2.0, True),  # from no pain, 2 points is a real change
        (6.0, 8.0, True),  # +2 points, +33 %
        (7.0, 9.0, False),  # +2 points but only +29 %: not ≥ 30 %
        (7.0, 9.1, True),  # +30 %
        (10 / 3, 16 / 3, True),  # exactly 2 points despite float rounding
        (5.0, 3.0, False),  # better, not worse
    ],
)
def test_clinically_important_rise_needs_two_points_and_thirty_percent(
    base: float, current: float, important: bool
) -> None:
    assert is_clinically_important_rise(base, current) is important


@pytest.mark.parametrize(
    ("previous", "current", "arrow"),
    [
        (4.0, 5.0, ARROW_WORSE),
        (4.0, 6.5, ARROW_WORSE),
        (4.0, 4.9, ARROW_SAME),
        (4.0, 4.0, ARROW_SAME),
        (4.0, 3.1, ARROW_SAME),
        (4.0, 3.0, ARROW_BETTER),
        (10 / 3, 13 / 3, ARROW_WORSE),
    ],
)
def test_trend_arrow_moves_only_for_a_whole_point(
    previous: float, current: float, arrow: str
) -> None:
    assert trend_arrow(previous, current) == arrow


def test_comparison_with_last_week_compares_the_two_rolling_weeks() -> None:
    # last week (days 0-6) leg 6, back 2; this week (days 7-13) leg 4, back 5
    entries = series([6] * 7 + [4] * 7, [2] * 7 + [5] * 7)
    result = comparison_with_last_week(entries, day(13))
    assert result is not None
    assert result.this_week_start == day(7)
    assert result.last_week_start == day(0)
    assert (result.leg.last_week, result.leg.this_week) == (6.0, 4.0)
    assert result.leg.change == pytest.approx(-2.0)
    assert result.leg.arrow == ARROW_BETTER
    assert result.back.change == pytest.approx(3.0)
    assert result.back.arrow == ARROW_WORSE


def test_comparison_needs_two_check_ins_in_each_week() -> None:
    one_last_week: list[int | None] = [5] + [None] * 6 + [4, 4, 4]
    assert comparison_with_last_week(series(one_last_week), day(9)) is None
    two_each: list[int | None] = [5, 5] + [None] * 5 + [4, 4]
    result = comparison_with_last_week(series(two_each), day(13))
    assert result is not None
    assert result.leg.arrow == ARROW_BETTER
