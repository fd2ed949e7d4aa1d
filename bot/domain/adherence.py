"""How much of the prescription a client actually did.

DESIGN.md: "Adherence % = exercise slots marked done (partly counts half) ÷ slots prescribed,
per week." A slot is one reminder of one exercise (e.g. "bridge, 2× a day" is 14 slots a week).
A slot the client never answered counts as 0, like a skip: silence is not adherence.
Weeks are local weeks starting on Monday (the UK convention, and ISO 8601).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Outcome(StrEnum):
    """What the client said about one slot (exercise_log.outcome)."""

    DONE = "done"
    PARTLY = "partly"
    SKIPPED = "skipped"
    MISSED = "missed"


# DESIGN.md: done = 1, partly = ½; skipped, missed and no answer = 0.
CREDIT: Final[Mapping[Outcome | None, float]] = MappingProxyType(
    {
        Outcome.DONE: 1.0,
        Outcome.PARTLY: 0.5,
        Outcome.SKIPPED: 0.0,
        Outcome.MISSED: 0.0,
        None: 0.0,
    }
)


@dataclass(frozen=True, slots=True)
class SlotOutcome:
    """One prescribed slot on the client's local day, and what became of it (None: no answer)."""

    day: date
    outcome: Outcome | None


def week_start_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def adherence_pct(outcomes: Iterable[Outcome | None]) -> float | None:
    """Percentage 0-100 of prescribed slots done (partly = half); None when none were prescribed.

    Every element is one prescribed slot, answered or not.
    """
    credits = [CREDIT[outcome] for outcome in outcomes]
    if not credits:
        return None
    return 100.0 * sum(credits) / len(credits)


def weekly_adherence(
    slots: Sequence[SlotOutcome], week_starts: Iterable[date]
) -> dict[date, float | None]:
    """Adherence % for each Monday in `week_starts` (in the order given).

    A week with no prescribed slots maps to None — there was nothing to adhere to, which is
    not the same as 0 %. Raises `ValueError` for a week start that is not a Monday.
    """
    by_week: dict[date, list[Outcome | None]] = {}
    for slot in slots:
        by_week.setdefault(week_start_of(slot.day), []).append(slot.outcome)
    result: dict[date, float | None] = {}
    for start in week_starts:
        if start.weekday() != 0:
            raise ValueError(f"a week starts on a Monday; {start.isoformat()} is not one")
        result[start] = adherence_pct(by_week.get(start, ()))
    return result


def settled_slots(slots: Iterable[SlotOutcome], today: date) -> list[SlotOutcome]:
    """The slots that count towards adherence as of `today`: every slot of a finished day, and
    today's slots the client has already answered. A reminder still open today is not yet a
    miss, so "this week so far" on Monday morning is "nothing due yet", not 0 %."""
    return [slot for slot in slots if slot.day < today or slot.outcome is not None]
