"""Adherence to the prescription (bot.domain.adherence)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.adherence import (
    Outcome,
    SlotOutcome,
    adherence_pct,
    week_start_of,
    weekly_adherence,
)

D, P, S, M = Outcome.DONE, Outcome.PARTLY, Outcome.SKIPPED, Outcome.MISSED
MONDAY = date(2026, 3, 16)


@pytest.mark.parametrize(
    ("outcomes", "pct"),
    [
        ([D, D, D, D], 100.0),
        ([D, P], 75.0),  # partly counts half
        ([D, S, M, None], 25.0),  # skipped, missed and unanswered count nothing
        ([P, P, P, P], 50.0),
        ([None, None], 0.0),
        ([], None),  # nothing prescribed: no figure, not 0 %
    ],
)
def test_adherence_is_done_slots_partly_counting_half_over_slots_prescribed(
    outcomes: list[Outcome | None], pct: float | None
) -> None:
    assert adherence_pct(outcomes) == pct


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2026, 3, 16), date(2026, 3, 16)),
        (date(2026, 3, 22), date(2026, 3, 16)),  # Sunday belongs to the week before
        (date(2026, 3, 23), date(2026, 3, 23)),
        (date(2026, 1, 1), date(2025, 12, 29)),  # across a year end
    ],
)
def test_weeks_start_on_monday(day: date, monday: date) -> None:
    assert week_start_of(day) == monday


def test_weekly_adherence_splits_slots_into_monday_weeks() -> None:
    last_week = MONDAY - timedelta(days=7)
    slots = [
        # last week: two slots on Sunday, one done, one skipped
        SlotOutcome(MONDAY - timedelta(days=1), D),
        SlotOutcome(MONDAY - timedelta(days=1), S),
        # this week: done Monday, partly Wednesday, unanswered Sunday
        SlotOutcome(MONDAY, D),
        SlotOutcome(MONDAY + timedelta(days=2), P),
        SlotOutcome(MONDAY + timedelta(days=6), None),
    ]
    next_week = MONDAY + timedelta(days=7)
    assert weekly_adherence(slots, [last_week, MONDAY, next_week]) == {
        last_week: 50.0,
        MONDAY: 50.0,
        next_week: None,
    }


def test_weekly_adherence_refuses_a_week_that_does_not_start_on_monday() -> None:
    with pytest.raises(ValueError, match="Monday"):
        weekly_adherence([], [MONDAY + timedelta(days=1)])
