"""/progress: the chart's caption and the plain-English reading (issue 5, part 5)."""

from __future__ import annotations

from bot.domain.pain import ARROW_BETTER, ARROW_WORSE, DailyPain, WeekComparison

CLIENTS_ONLY = "Progress charts are for clients. Ask your therapist for an invite link."
NOT_ENOUGH_DATA = (
    "I don't have enough check-ins to draw a useful chart yet ({count} so far). "
    "Check in with /pain each day — after {needed} days I can show you how things are going."
)
CHART_TITLE = "Your last 8 weeks"
DOWN = "Your leg pain is down from {last} to {this} over the last two weeks."
UP = (
    "Your leg pain is up from {last} to {this} over the last two weeks — "
    "your therapist can see this; tell them if you're worried."
)
SAME = "Your leg pain has stayed about the same (around {this}) over the last two weeks."
SINCE_FIRST = (
    "Your leg pain was {first} at your first check-in ({first_day}) and {latest} at your latest."
)


def reading(comparison: WeekComparison | None, first: DailyPain, latest: DailyPain) -> str:
    """One line a client understands; week means are rounded to whole NRS points."""
    if comparison is not None:
        leg = comparison.leg
        values = {"last": round(leg.last_week), "this": round(leg.this_week)}
        if leg.arrow == ARROW_BETTER:
            return DOWN.format(**values)
        if leg.arrow == ARROW_WORSE:
            return UP.format(**values)
        return SAME.format(**values)
    return SINCE_FIRST.format(first=first.leg, first_day=f"{first.day:%d %b}", latest=latest.leg)
