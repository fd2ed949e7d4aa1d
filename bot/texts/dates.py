"""One date and time style for the therapist's screens: "Mon 8 Jun", "Mon 8 Jun 14:05".

Every therapist view (/clients, the card, the summary, alerts, notes) formats days and moments
here, and moments in the therapist's own zone (`THERAPIST_TIMEZONE`), so a London therapist
never reads UTC and never sees "8 June 2026", "Mon 08 Jun" and "2026-06-08" for the same day.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

NEVER = "never"


def day_label(day: date | None) -> str:
    """`day` as "Mon 8 Jun" ("never" for None)."""
    if day is None:
        return NEVER
    return f"{day:%a} {day.day} {day:%b}"


def day_range(first: date, last: date) -> str:
    return f"{day_label(first)} – {day_label(last)}"


def moment_label(at: datetime, zone: str) -> str:
    """An aware moment as "Mon 8 Jun 14:05" in `zone` (the reader's own)."""
    local = at.astimezone(ZoneInfo(zone))
    return f"{day_label(local.date())} {local:%H:%M}"
