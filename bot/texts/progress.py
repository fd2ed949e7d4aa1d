"""/progress: the chart's caption and the plain-English reading (issue 5, part 5)."""

from __future__ import annotations

from datetime import date

from bot.domain.pain import ARROW_BETTER, ARROW_WORSE, DailyPain, PainRise, WeekComparison

CLIENTS_ONLY = "Progress charts are for clients. Ask your therapist for an invite link."
NOT_ENOUGH_DATA = (
    "I don't have enough check-ins to draw a useful chart yet ({count} so far). "
    "Check in with /pain each day — after {needed} days I can show you how things are going."
)
CHART_TITLE_DAYS = "Your last {count} days ({start} – {end})"
CHART_TITLE_WEEKS = "Your last {count} weeks ({start} – {end})"
RISING = (
    "Your leg pain has gone up lately: about {recent} over the last few days, against about "
    "{usual} before. Please contact your therapist and tell them. If you also notice "
    "numbness between your legs, new trouble with your bladder or bowels, or new weakness, "
    "use /symptoms straight away."
)
DOWN = "Your leg pain is down from {last} to {this} over the last two weeks."
UP = (
    "Your leg pain is up from {last} to {this} over the last two weeks — "
    "your therapist can see this; tell them if you're worried."
)
SAME = "Your leg pain has stayed about the same (around {this}) over the last two weeks."
SINCE_FIRST = (
    "Your leg pain was {first} at your first check-in ({first_day}) and {latest} at your latest."
)


def short_date(day: date) -> str:
    """The one date style of /progress, in the title, the chart's axis and the reading."""
    return f"{day.day} {day:%b}"


def chart_title(start: date, end: date) -> str:
    """The period the chart really covers: "Your last 7 days (1 Jun – 7 Jun)"."""
    days = (end - start).days + 1
    values = {"start": short_date(start), "end": short_date(end)}
    if days <= 31:
        return CHART_TITLE_DAYS.format(count=days, **values)
    return CHART_TITLE_WEEKS.format(count=-(-days // 7), **values)


def caption(
    comparison: WeekComparison | None,
    first: DailyPain,
    latest: DailyPain,
    rise: PainRise | None,
) -> str:
    """The photo's caption: the reading and, when leg pain has risen, what to do about it."""
    text = reading(comparison, first, latest)
    if rise is None:
        return text
    advice = RISING.format(recent=round(rise.recent), usual=round(rise.usual))
    return f"{text}\n\n{advice}"


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
    return SINCE_FIRST.format(first=first.leg, first_day=short_date(first.day), latest=latest.leg)
