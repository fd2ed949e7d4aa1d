"""Weekly Sciatica Bothersomeness Index: strings and keyboards (issue 5, part 3).

`sbi_prompt()` is also the scheduler's weekly message: keep its name and shape stable.

Four items, each 0-6 (DESIGN.md, clinical rules). Callback data ``sbi:<scores>`` carries the
answers so far as digits: ``sbi:3`` is item 1 = 3, ``sbi:34`` adds item 2 = 4 … four digits
complete the questionnaire. Never trusted: the handler re-validates every digit.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.keyboards import callback, rows

SBI_SCALE = range(7)
ITEM_COUNT = 4

INTRO = (
    "Your weekly check: four quick questions about the last "
    "week (0 = not at all, 6 = extremely)."
)
ITEM_QUESTIONS = (
    "1 of 4 — How bothersome has your leg pain been during the last week?",
    "2 of 4 — How bothersome has numbness or tingling in your leg or foot been?",
    "3 of 4 — How bothersome has weakness in your leg or foot been?",
    "4 of 4 — How bothersome has pain when sitting been?",
)
SCALE_HINT = "0 = not at all bothersome … 6 = extremely bothersome"
SAVED = "Thank you — your weekly score is {total} out of 24 (lower is better)."
UPDATED = "Thank you — I've updated this week's score: {total} out of 24 (lower is better)."
COMPARED_BETTER = "That's {diff} lower than last week."
COMPARED_WORSE = "That's {diff} higher than last week."
COMPARED_SAME = "That's the same as last week."
BAD_ANSWER = "Sorry, I didn't understand that answer. Use /weekly to start the weekly check again."
ALREADY_SAVED = "Already saved: {total} out of 24."
CLIENTS_ONLY = "The weekly check is for clients. Ask your therapist for an invite link."


def item_question(index: int, answered: str) -> str:
    header = f"{INTRO}\n\n" if index == 0 else ""
    return f"{header}{ITEM_QUESTIONS[index]}\n{SCALE_HINT}"


def item_keyboard(answered: str) -> InlineKeyboardMarkup:
    return rows(
        ((str(score), callback("sbi", f"{answered}{score}")) for score in SBI_SCALE), per_row=7
    )


def item_prompt(answered: str) -> tuple[str, InlineKeyboardMarkup]:
    """The question for the next unanswered item, given the digits answered so far."""
    return item_question(len(answered), answered), item_keyboard(answered)


def sbi_prompt() -> tuple[str, InlineKeyboardMarkup]:
    """The first message of the weekly check: item 1 with its 0-6 buttons."""
    return item_prompt("")
