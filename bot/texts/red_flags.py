"""Red-flag safety screen: strings and keyboards (issue 5, part 4).

Callback data ``rf:<source>:<index>:<answer>``: source is o(nboarding) / w(eekly) /
s(ymptoms); index is the question shown (0-based; every earlier one was answered no, since any
yes ends the screen at once); answer is ``y`` or ``n``. Never trusted: the handler re-validates it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.buttons.safety import Answer, RedFlagAnswer, ScreenSource
from bot.buttons.therapist import AcknowledgeAlert, MessageClient, OpenClient
from bot.keyboards import Keyboard, rows

YES_BUTTON = "Yes"
NO_BUTTON = "No"

INTRO = {
    "onboarding": (
        "One last safety check. A few questions about rare but serious signs — please answer "
        "each honestly."
    ),
    "weekly": "Now a quick safety check — a few yes/no questions.",
    "symptoms": "Thanks for telling me. A few yes/no questions about how things have changed:",
}
QUESTION_HEADER = "Question {number} of {count}"
ALL_CLEAR = (
    "Thank you — none of those serious signs. If anything changes, tell me at any time: /symptoms"
)
RED_FLAG_RECORDED = "Your therapist is being told straight away."
BAD_ANSWER = (
    "Sorry, I didn't understand that answer. Use /symptoms to start the safety check again."
)
CLIENTS_ONLY = (
    "This safety check is for clients. If you "
    "are worried about your symptoms, please contact a doctor."
)

THERAPIST_URGENT = (
    "🚨 URGENT — possible red flag (cauda equina signs)\n"
    "Client: {name}\n"
    "Reported via: {source}\n"
    "{details}\n\n"
    "The client has been shown the emergency advice."
)
THERAPIST_SOURCE = {
    "onboarding": "the safety check at sign-up",
    "weekly": "the weekly safety check",
    "symptoms": "/symptoms (“my symptoms have changed”)",
    "free_text": "a message they typed",
    "note": "a note on their pain check-in",
}
# Added to an urgent alert sent while the bot's database could not record the report.
NOT_YET_RECORDED = (
    "\n\n(Sent directly: the bot could not store this report yet. It will appear under "
    "/alerts once stored.)"
)
ANSWER_YES = "YES"
ANSWER_NO = "no"
ANSWER_LINE = "• {question} — {answer}"
MENTIONED_LINE = "• Their words mention: {sign}"
ACK_BUTTON = "Acknowledge"
OPEN_CLIENT_BUTTON = "Open client"
MESSAGE_CLIENT_BUTTON = "Message client"

SOURCE_CODES = {
    "onboarding": ScreenSource.ONBOARDING,
    "weekly": ScreenSource.WEEKLY,
    "symptoms": ScreenSource.SYMPTOMS,
}
SOURCES_BY_CODE = {code: source for source, code in SOURCE_CODES.items()}


def question_prompt(source: str, index: int, question: str, count: int) -> tuple[str, Keyboard]:
    """Question `index` (0-based; all earlier ones were answered no) with Yes/No buttons."""
    code = SOURCE_CODES[source]
    header = f"{INTRO[source]}\n\n" if index == 0 else ""
    text = f"{header}{QUESTION_HEADER.format(number=index + 1, count=count)}\n{question}"
    keyboard = rows(
        [
            (YES_BUTTON, RedFlagAnswer(code, index, Answer.YES).pack()),
            (NO_BUTTON, RedFlagAnswer(code, index, Answer.NO).pack()),
        ],
        per_row=2,
    )
    return text, keyboard


def therapist_keyboard(alert_id: int, client_id: int) -> Keyboard:
    return rows(
        [
            (ACK_BUTTON, AcknowledgeAlert(alert_id).pack()),
            (OPEN_CLIENT_BUTTON, OpenClient(client_id).pack()),
            (MESSAGE_CLIENT_BUTTON, MessageClient(client_id).pack()),
        ],
        per_row=1,
    )


# Short names of each sign for the therapist's urgent message (keys: bot.domain.red_flags).
SIGN_NAMES = {
    "both_legs": "pain/numbness in BOTH legs",
    "new_weakness": "new or worsening leg weakness",
    "saddle_numbness": "saddle-area numbness",
    "bladder_bowel": "bladder or bowel disturbance",
    "sexual_dysfunction": "new problem with sexual function or sensation",
}


def therapist_urgent_text(
    *,
    name: str,
    source: str,
    answers: Sequence[tuple[str, bool]],
    mentioned: Sequence[str],
) -> str:
    """The urgent alert a therapist receives: who, from where, and each sign's answer."""
    # A sign or source this version does not name (a report stored by another version) is
    # shown plainly rather than failing the urgent alert.
    lines = [
        ANSWER_LINE.format(question=_sign(sign), answer=ANSWER_YES if yes else ANSWER_NO)
        for sign, yes in answers
    ]
    lines += [MENTIONED_LINE.format(sign=_sign(sign)) for sign in mentioned]
    return THERAPIST_URGENT.format(
        name=name, source=THERAPIST_SOURCE.get(source, source), details="\n".join(lines)
    )


def _sign(sign: str) -> str:
    return SIGN_NAMES.get(sign, sign.replace("_", " "))
