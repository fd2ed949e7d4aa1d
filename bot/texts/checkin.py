"""Daily pain check-in: every string and keyboard the client sees (issue 5, part 2).

`leg_pain_prompt()` is also the scheduler's check-in message: keep its name and shape stable.
Callback data: bot.buttons.checkin.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

from bot.buttons.checkin import BackPain, KeepEntry, LegPain, SkipNote, UpdateEntry
from bot.keyboards import Keyboard, rows

# Re-exported so the scheduler's composer finds both scheduled prompts in one place.
from bot.texts.weekly import sbi_prompt

__all__ = ["back_pain_prompt", "leg_pain_prompt", "sbi_prompt"]

PAIN_SCALE = range(11)  # 11-point numeric rating scale, 0-10 (DESIGN.md, clinical rules).

LEG_PAIN_QUESTION = (
    "How bad is the pain in your leg today?\n0 = no pain, 10 = the worst pain you can imagine."
)
BACK_PAIN_QUESTION = (
    "Leg pain: {leg}/10.\n"
    "And how bad is the pain in your back today?\n"
    "0 = no pain, 10 = the worst pain you can imagine."
)
SAVED = "Thank you — today's check-in is saved: leg {leg}/10, back {back}/10."
UPDATED = "Thank you — today's check-in is updated: leg {leg}/10, back {back}/10."
ALREADY_SAVED = "Already saved: leg {leg}/10, back {back}/10."
ALREADY_CHECKED_IN = (
    "You already checked in today: leg {old_leg}/10, back {old_back}/10.\n"
    "Update today's entry to leg {leg}/10, back {back}/10?"
)
ALREADY_CHECKED_IN_ON_DAY = (
    "You already checked in for {day}: leg {old_leg}/10, back {old_back}/10.\n"
    "Update that entry to leg {leg}/10, back {back}/10?"
)
SAVED_LATE = (
    "Thank you — your check-in for {day} is saved, marked as filled in late: "
    "leg {leg}/10, back {back}/10."
)
SAVED_LATE_SHORT = "Saved for yesterday"
UPDATE_BUTTON = "Yes, update it"
KEEP_BUTTON = "No, keep the earlier one"
KEPT = "OK, I kept today's earlier entry."
NOTE_INVITE = (
    "If you like, type a sentence about today (what helped, what made it worse) or tap Skip."
)
SKIP_BUTTON = "Skip"
NOTE_SKIPPED = "No note today. See you tomorrow."
NOTE_SAVED = "Thanks, I've added your note to the check-in."
NOTE_TOO_LONG = (
    "That note is a bit long — please keep it under {limit} characters and send it again."
)
NO_ENTRY_FOR_NOTE = "I couldn't find today's check-in to add that note to. Use /pain to check in."
STALE_CHECKIN = (
    "This check-in is more than a day old, so it can't be filled in any more. "
    "Use /pain to record today's pain."
)
BAD_SCORE = (
    "Sorry, I didn't understand that score. Please use the "
    "buttons (0 to 10), or /pain to start again."
)
CLIENTS_ONLY = "Check-ins are for clients. Ask your therapist for an invite link."

# Week-on-week comparison (bot.domain.pain.comparison_with_last_week); plain words, no numbers
# beyond what the client gave us.
COMPARISON_BETTER = (
    "Your {region} pain this week is lower than "
    "last week (about {this:.0f} vs {last:.0f}). Keep going!"
)
COMPARISON_WORSE = (
    "Your {region} pain this week is higher than last week (about {this:.0f} vs {last:.0f}). "
    "Your therapist can see your check-ins; tell them if you are worried."
)
COMPARISON_SAME = "Your {region} pain this week is about the same as last week (about {this:.0f})."
REGION_NAMES = {"leg": "leg", "back": "back"}


def _weekday_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def already_checked_in(
    late_day: date | None, *, old: tuple[int | None, int | None], new: tuple[int, int]
) -> str:
    """Ask before replacing an entry: today's, or (`late_day`) yesterday's."""
    values = {"old_leg": old[0], "old_back": old[1], "leg": new[0], "back": new[1]}
    if late_day is None:
        return ALREADY_CHECKED_IN.format(**values)
    return ALREADY_CHECKED_IN_ON_DAY.format(day=_weekday_date(late_day), **values)


def saved_late(day: date, leg: int, back: int) -> str:
    return SAVED_LATE.format(day=_weekday_date(day), leg=leg, back=back)


def _scale(button: Callable[[int], LegPain | BackPain]) -> Keyboard:
    return rows(((str(score), button(score).pack()) for score in PAIN_SCALE), per_row=6)


# The prompts are pure functions of their arguments, and every client checking in on the same
# day gets the same keyboard: each is built once (and converted to Telegram's once, at the edge).
@functools.lru_cache(maxsize=64)
def leg_pain_prompt(day: date | None = None) -> tuple[str, Keyboard]:
    """The first message of a check-in: the question and the 0-10 leg buttons.

    `day` is the client's local day the check-in is for (the scheduler passes the slot's local
    date); a press on a day-stamped prompt the next day records that day, marked late; later
    than that it is refused as stale.
    Without `day` the answer counts for the day it is given.
    """
    return LEG_PAIN_QUESTION, _scale(lambda leg: LegPain(leg, day))


@functools.lru_cache(maxsize=256)
def back_pain_prompt(leg: int, day: date | None) -> tuple[str, Keyboard]:
    return BACK_PAIN_QUESTION.format(leg=leg), _scale(lambda back: BackPain(leg, back, day))


def update_keyboard(leg: int, back: int, day: date) -> Keyboard:
    return rows(
        [
            (UPDATE_BUTTON, UpdateEntry(leg, back, day).pack()),
            (KEEP_BUTTON, KeepEntry(day).pack()),
        ],
        per_row=1,
    )


@functools.cache
def note_keyboard() -> Keyboard:
    return rows([(SKIP_BUTTON, SkipNote().pack())], per_row=1)
