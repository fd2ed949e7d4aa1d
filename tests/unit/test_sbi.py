"""The Sciatica Bothersomeness Index (bot.domain.sbi)."""

from __future__ import annotations

import pytest

from bot.domain.sbi import (
    SBI_ITEMS,
    SBI_KEYS,
    SBI_LABELS,
    sbi_change,
    sbi_total,
)

ALL_FOUR = {"leg_pain": 5, "numbness_tingling": 3, "weakness": 0, "sitting_pain": 6}


def test_the_index_has_four_items_each_scored_zero_to_six() -> None:
    assert SBI_KEYS == ("leg_pain", "numbness_tingling", "weakness", "sitting_pain")
    for item in SBI_ITEMS:
        assert item.question.endswith("?")
        assert len(item.labels) == 7
    assert SBI_LABELS[0] == "not at all"
    assert SBI_LABELS[6] == "extremely"


def test_total_adds_the_four_items() -> None:
    assert sbi_total(ALL_FOUR) == 14
    assert sbi_total(dict.fromkeys(SBI_KEYS, 6)) == 24
    assert sbi_total(dict.fromkeys(SBI_KEYS, 0)) == 0


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ({"leg_pain": 5, "weakness": 0, "sitting_pain": 6}, "missing numbness_tingling"),
        ({**ALL_FOUR, "back_pain": 3}, "unknown SBI item 'back_pain'"),
        ({**ALL_FOUR, "weakness": 7}, "'weakness' must be a whole number from 0 to 6"),
        ({**ALL_FOUR, "weakness": -1}, "from 0 to 6"),
        ({**ALL_FOUR, "leg_pain": True}, "from 0 to 6"),
        ({**ALL_FOUR, "leg_pain": 2.5}, "from 0 to 6"),
    ],
)
def test_an_incomplete_or_out_of_range_index_has_no_total(
    items: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        sbi_total(items)


def test_change_between_weeks_is_negative_when_better() -> None:
    better = sbi_change(16, 11)
    assert (better.change, better.improved, better.worsened) == (-5, True, False)
    worse = sbi_change(8, 10)
    assert (worse.change, worse.improved, worse.worsened) == (2, False, True)
    assert sbi_change(9, 9).change == 0
    with pytest.raises(ValueError, match="0 to 24"):
        sbi_change(25, 3)
    with pytest.raises(ValueError, match="current"):
        sbi_change(3, -1)
