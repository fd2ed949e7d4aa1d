"""/privacy, /export and /delete: strings and keyboards (issue 5, part 7).

Callback data: ``del:yes:<client id>`` / ``del:no``. The id is checked against the presser's
own record, so a forged or forwarded button can never erase someone else.
"""

from __future__ import annotations

from bot.buttons.safety import ConfirmDelete, KeepData
from bot.keyboards import Keyboard, rows

PRIVACY = (
    "Your privacy\n\n"
    "What I store: your name as your therapist gave it, your Telegram account number, your "
    "time zone, reminder and check-in times, your daily pain scores and notes, which exercises "
    "you did (or skipped and why) and how your leg felt after them, your weekly "
    "questionnaire answers, your safety-check answers, and the alerts I sent your "
    "therapist.\n\n"
    "{who_sees} It is never sold, and my logs never contain your messages or scores.\n\n"
    "Your choices:\n"
    "/export — get a copy of everything I store about you (a spreadsheet file and a JSON file)\n"
    "/delete — erase everything about you for good\n"
    "/pause — stop reminders for a while"
)
WHO_SEES = "Who sees it: you and your therapist ({practice}) only."
# When RED_FLAG_ALSO_NOTIFY is set (bot.domain.recipients): the one other person, and when.
WHO_SEES_WITH_DUTY = (
    "Who sees it: you and your therapist ({practice}) — and, only if you report a possible "
    "emergency sign, the clinic's duty therapist, so someone acts at once. Nobody else."
)


def privacy_text(practice: str, *, duty_therapist: bool = False) -> str:
    """/privacy; `duty_therapist` when RED_FLAG_ALSO_NOTIFY is set."""
    who = WHO_SEES_WITH_DUTY if duty_therapist else WHO_SEES
    return PRIVACY.format(who_sees=who.format(practice=practice))


PRIVACY_NOT_CLIENT = (
    "I only store information about clients who have agreed to it after tapping their "
    "therapist's invite link. I have nothing stored about you."
)

EXPORT_INTRO = (
    "Here is everything I store about you, as of now. "
    "Keep these files safe: they contain health information."
)
# Captions of the readable spreadsheets (bot.services.privacy names the files).
EXPORT_SHEET_CAPTIONS = {
    "my-check-ins.csv": "Your daily check-ins: leg and back pain (0-10) and your notes.",
    "my-exercises.csv": "Your exercise reminders and what you answered.",
    "my-weekly-questionnaires.csv": "Your weekly questionnaires (0-24, lower is better).",
}
EXPORT_JSON_CAPTION = (
    "Everything I store about you, complete (settings, reminders, access log too), as JSON "
    "for another program."
)
EXPORT_JSON_NAME = "my-sciatica-data.json"
NOTHING_STORED = "I have nothing stored about you."

DELETE_CONFIRM = (
    "This erases everything I store about you — your pain history, exercise records, "
    "questionnaires and settings — for good, and stops all reminders. Your therapist will be "
    "told that you left. It cannot be undone.\n\n"
    "If you'd like a copy first, tap Cancel and send /export.\n\n"
    "Erase everything?"
)
DELETE_YES = "Yes, erase everything"
DELETE_NO = "Cancel"
DELETED = (
    "Done — everything I stored about you has been erased and you won't hear from me again. "
    "If you ever want to come back, ask your therapist for a new invite link. Take care!"
)
DELETE_CANCELLED = "Cancelled — nothing was erased."
DELETE_STALE = "That button isn't valid any more. Nothing was erased."
THERAPIST_CLIENT_LEFT = (
    "{name} has left the bot and asked for their data to be erased. Their records are gone; "
    "nothing more will be sent to them."
)


def delete_keyboard(client_id: int) -> Keyboard:
    return rows(
        [(DELETE_YES, ConfirmDelete(client_id).pack()), (DELETE_NO, KeepData().pack())],
        per_row=1,
    )


# Sent to a client when `python -m bot clients reassign` moves them to another therapist.
DATA_REASSIGNED = (
    "Your therapist has changed: from now on {therapist} sees your check-ins, exercise log "
    "and any alerts, instead of your previous therapist. /privacy shows who sees what."
)
