"""The Sciatica Bothersomeness Index (SBI), asked weekly.

Patrick DL, Deyo RA, Atlas SJ et al., "Assessing health-related quality of life in patients
with sciatica", Spine 1995;20:1899-1908: four symptoms — leg pain, numbness or tingling,
weakness, pain while sitting — each rated for the past week from 0 ("not at all bothersome")
to 6 ("extremely bothersome"); the total runs 0-24, higher is worse (DESIGN.md).

The items are plain data: a key (stored in outcome_measure.item scores), a short question and
the 7 answer labels. The handlers render them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

SBI_ITEM_MIN: Final = 0
SBI_ITEM_MAX: Final = 6
SBI_TOTAL_MAX: Final = 24

# Answer labels for 0..6, shared by every item.
SBI_LABELS: Final[tuple[str, ...]] = (
    "not at all",
    "very slightly",
    "slightly",
    "somewhat",
    "moderately",
    "very",
    "extremely",
)


@dataclass(frozen=True, slots=True)
class SbiItem:
    key: str
    question: str
    labels: tuple[str, ...] = SBI_LABELS


SBI_ITEMS: Final[tuple[SbiItem, ...]] = (
    SbiItem("leg_pain", "In the last week, how bothersome has your leg pain (sciatica) been?"),
    SbiItem(
        "numbness_tingling",
        "In the last week, how bothersome has numbness or tingling in your leg or foot been?",
    ),
    SbiItem("weakness", "In the last week, how bothersome has weakness in your leg or foot been?"),
    SbiItem(
        "sitting_pain",
        "In the last week, how bothersome has back or leg pain while sitting been?",
    ),
)
SBI_KEYS: Final[tuple[str, ...]] = tuple(item.key for item in SBI_ITEMS)


@dataclass(frozen=True, slots=True)
class SbiChange:
    """Change in the SBI total between two weeks; negative means better."""

    previous: int
    current: int

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def improved(self) -> bool:
        return self.change < 0

    @property
    def worsened(self) -> bool:
        return self.change > 0


def validate_sbi_item(key: str, value: object) -> int:
    """Return one item's score, or raise `ValueError` naming the item and the allowed range."""
    if key not in SBI_KEYS:
        raise ValueError(f"unknown SBI item {key!r}; expected one of {', '.join(SBI_KEYS)}")
    if type(value) is not int or not SBI_ITEM_MIN <= value <= SBI_ITEM_MAX:
        raise ValueError(
            f"SBI item {key!r} must be a whole number from {SBI_ITEM_MIN} to {SBI_ITEM_MAX}, "
            f"got {value!r}"
        )
    return value


def sbi_total(items: Mapping[str, int]) -> int:
    """The 0-24 total of a complete SBI: all four items, each 0-6, nothing else.

    An incomplete questionnaire has no total — adding up three items would look like
    improvement — so missing items raise `ValueError`, as do unknown keys and bad scores.
    """
    missing = [key for key in SBI_KEYS if key not in items]
    if missing:
        raise ValueError(f"SBI is incomplete: missing {', '.join(missing)}")
    return sum(validate_sbi_item(key, value) for key, value in items.items())


def _validate_total(total: int, what: str) -> None:
    if type(total) is not int or not 0 <= total <= SBI_TOTAL_MAX:
        raise ValueError(f"{what} SBI total must be from 0 to {SBI_TOTAL_MAX}, got {total!r}")


def sbi_change(prev: int, cur: int) -> SbiChange:
    """Compare two weekly totals (each 0-24)."""
    _validate_total(prev, "previous")
    _validate_total(cur, "current")
    return SbiChange(previous=prev, current=cur)
