"""Red-flag safety screen: strings and keyboards (issue 5, part 4).

Callback data ``rf:<source>:<answers>:<answer>``: source is o(nboarding) / w(eekly) /
s(ymptoms); answers so far are ``n`` characters (any yes ends the screen at once); the last
part is ``y`` or ``n`` for the question now shown. Never trusted: the handler re-validates it.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.keyboards import callback, rows

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
RED_FLAG_RECORDED = "I've told your therapist straight away."
BAD_ANSWER = (
    "Sorry, I didn't understand that answer. Use "
    "/symptoms to start the safety check again."
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
ANSWER_YES = "YES"
ANSWER_NO = "no"
ANSWER_LINE = "• {question} — {answer}"
MENTIONED_LINE = "• Their words mention: {sign}"
ACK_BUTTON = "Acknowledge"
OPEN_CLIENT_BUTTON = "Open client"
MESSAGE_CLIENT_BUTTON = "Message client"

SOURCE_CODES = {"onboarding": "o", "weekly": "w", "symptoms": "s"}
SOURCES_BY_CODE = {code: source for source, code in SOURCE_CODES.items()}


def question_prompt(
    source: str, answered: str, question: str, count: int
) -> tuple[str, InlineKeyboardMarkup]:
    code = SOURCE_CODES[source]
    header = f"{INTRO[source]}\n\n" if not answered else ""
    text = (
        f"{header}{QUESTION_HEADER.format(number=len(answered) + 1, count=count)}\n{question}"
    )
    keyboard = rows(
        [
            (YES_BUTTON, callback("rf", code, answered or "-", "y")),
            (NO_BUTTON, callback("rf", code, answered or "-", "n")),
        ],
        per_row=2,
    )
    return text, keyboard


def therapist_keyboard(alert_id: int, client_id: int) -> InlineKeyboardMarkup:
    return rows(
        [
            (ACK_BUTTON, callback("alert", "ack", alert_id)),
            (OPEN_CLIENT_BUTTON, callback("client", "open", client_id)),
            (MESSAGE_CLIENT_BUTTON, callback("client", "msg", client_id)),
        ],
        per_row=1,
    )

# Until/unless bot.domain.red_flags supplies its own wording: the five cauda-equina signs of
# DESIGN.md, asked as plain questions in this order.
QUESTIONS = (
    "Do you have pain, numbness or pins and needles in BOTH legs?",
    "Is either leg getting weaker, or newly weak (e.g. your foot drags or gives way)?",
    "Do you have numbness between your legs, around your bottom or genitals "
    "(where you would sit on a saddle)?",
    "Do you have new difficulty passing urine, or any new loss of control of your bladder "
    "or bowels?",
    "Have you noticed any new problems with sexual function?",
)
