"""Weekly Sciatica Bothersomeness Index: strings and keyboards (issue 5, part 3).

`sbi_prompt()` is also the scheduler's weekly message: keep its name and shape stable.

Four items, each 0-6 (DESIGN.md, clinical rules). The callback data carries the answers so far
as digits (bot.buttons.safety.SbiAnswers): ``sbi:3`` is item 1 = 3, ``sbi:34`` adds item 2 = 4
… four digits complete the questionnaire.
"""

from __future__ import annotations

from bot.buttons.safety import SbiAnswers
from bot.domain.sbi import SBI_ITEM_MAX, SBI_ITEM_MIN, SBI_ITEMS
from bot.keyboards import Keyboard, rows

SBI_SCALE = range(SBI_ITEM_MIN, SBI_ITEM_MAX + 1)

INTRO = "Your weekly check: four quick questions about the last week."
QUESTION_HEADER = "{number} of {count} — {question}"
SCALE_HINT = "0 = {low} … 6 = {high} bothersome"
SAVED = "Thank you — your weekly score is {total} out of 24 (lower is better)."
UPDATED = "Thank you — I've updated this week's score: {total} out of 24 (lower is better)."
COMPARED_BETTER = "That's {diff} lower than last week."
COMPARED_WORSE = "That's {diff} higher than last week."
COMPARED_SAME = "That's the same as last week."
BAD_ANSWER = "Sorry, I didn't understand that answer. Use /weekly to start the weekly check again."
ALREADY_SAVED = "Already saved: {total} out of 24."
CLIENTS_ONLY = "The weekly check is for clients. Ask your therapist for an invite link."


def item_question(index: int) -> str:
    item = SBI_ITEMS[index]
    header = f"{INTRO}\n\n" if index == 0 else ""
    question = QUESTION_HEADER.format(
        number=index + 1, count=len(SBI_ITEMS), question=item.question
    )
    hint = SCALE_HINT.format(low=item.labels[0], high=item.labels[-1])
    return f"{header}{question}\n{hint}"


def item_keyboard(answered: str) -> Keyboard:
    return rows(
        ((str(score), SbiAnswers(f"{answered}{score}").pack()) for score in SBI_SCALE), per_row=7
    )


def item_prompt(answered: str) -> tuple[str, Keyboard]:
    """The question for the next unanswered item, given the digits answered so far."""
    return item_question(len(answered)), item_keyboard(answered)


def sbi_prompt() -> tuple[str, Keyboard]:
    """The first message of the weekly check: item 1 with its 0-6 buttons."""
    return item_prompt("")
