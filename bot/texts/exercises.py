"""The exercise library in the chat: menus, the exercise view, answers to typed questions.

Callback data (never trusted; `bot.handlers.exercises` looks the slug up in the library and
re-identifies the presser):

* ``ex:show:<slug>`` — show one exercise. Also the "How to" button on every exercise reminder
  (`bot.texts.reminders`), so a reminder opens the same view.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.buttons.exercises import ShowExercise
from bot.content import Exercise
from bot.keyboards import Keyboard, rows
from bot.texts.limits import (
    CAPTION_LIMIT,
    MESSAGE_TEXT_LIMIT,
    button_label,
    split_message,
    telegram_length,
    trim,
)

CLIENT_MENU = "Your exercises — tap one to see how to do it:"
CLIENT_MENU_NOTHING_PRESCRIBED = (
    "Your therapist hasn't prescribed any exercises for you yet; once they do, they will be "
    "listed here and you'll get reminders. Meanwhile, here is the whole library — tap one to "
    "see how it is done:"
)
THERAPIST_MENU = (
    "The exercise library ({count} exercises) — tap one to see it as a client does. "
    "Use /prescribe <name> to give a client their exercises."
)
# Answers to a button press (answerCallbackQuery: at most 200 characters).
UNKNOWN_EXERCISE = "I can't find that exercise any more. Use /exercises for the current list."
NOT_FOR_YOU = "Exercises are for clients of the therapist using this bot. Ask them for an invite."

DOSAGE_PRESCRIBED = "Your dosage: {dosage}, {frequency} (as prescribed by your therapist)"
DOSAGE_DEFAULT = "Usual dosage: {dosage}, {frequency} (your therapist may adjust it)"
VARIANT_HOW = "{name}: {how}"
STEPS_HEADER = "How to do it:"
CAUTIONS_HEADER = "Take care:"
STOP_IF_HEADER = "Stop and contact your therapist if:"
BULLET = "• "

DID_YOU_MEAN = "Did you mean one of these? Tap one to see how to do it."
NOT_SURE_FORWARDED = (
    "I'm not sure which exercise you mean, so I've passed your question on to your "
    "therapist — they will get back to you."
)
NOT_SURE_ALREADY_FORWARDED = (
    "I'm not sure which exercise you mean. I've already passed that question on to your therapist."
)
NOT_SURE = "I'm not sure which exercise you mean."
YOUR_EXERCISES = "Here are your exercises — tap one to see how to do it:"
NOTHING_PRESCRIBED_YET = "You have no exercises prescribed yet; /exercises shows the whole library."
_FORWARDED_QUESTION = (
    "❓ {name} asked something about their exercises that I couldn't match to the library:\n\n"
    "{text}\n\n"
    "Reply to this message to answer {name}. If it names an exercise in their own words, "
    "consider adding those words as an alias in content/exercises/."
)


def frequency(times_per_day: int) -> str:
    return "once a day" if times_per_day == 1 else f"{times_per_day}× a day"


def exercise_view(
    exercise: Exercise, *, dosage: str, times_per_day: int, prescribed: bool
) -> tuple[str, tuple[str, ...]]:
    """The photo's caption and any text messages to follow it, each within Telegram's limits.

    Everything goes in the caption when it fits; otherwise the caption keeps the title,
    purpose and dosage (what a client glances at) and the steps and cautions follow as text.
    """
    template = DOSAGE_PRESCRIBED if prescribed else DOSAGE_DEFAULT
    dosage_line = template.format(dosage=dosage, frequency=frequency(times_per_day))
    ladder = exercise.ladder
    if prescribed and ladder.harder_name and dosage.startswith(f"{ladder.harder_name},"):
        # The steps describe the basic movement; the prescribed variant says what changes.
        dosage_line += "\n" + VARIANT_HOW.format(name=ladder.harder_name, how=ladder.harder_how)
    header = f"{exercise.title}\n{exercise.purpose}\n\n{dosage_line}"
    sections = [
        _section(STEPS_HEADER, (f"{n}. {step}" for n, step in enumerate(exercise.steps, 1))),
        _section(CAUTIONS_HEADER, (BULLET + caution for caution in exercise.cautions)),
        _section(STOP_IF_HEADER, (BULLET + sign for sign in exercise.stop_if)),
    ]
    body = "\n\n".join(section for section in sections if section)
    whole = f"{header}\n\n{body}"
    if telegram_length(whole) <= CAPTION_LIMIT:
        return whole, ()
    if telegram_length(header) <= CAPTION_LIMIT:
        return header, split_message(body)
    return trim(exercise.title, CAPTION_LIMIT), split_message(whole)


def _section(title: str, lines: Iterable[str]) -> str:
    items = list(lines)
    return "\n".join([title, *items]) if items else ""


def exercise_buttons(exercises: Sequence[Exercise], *, per_row: int = 1) -> Keyboard:
    """One button per exercise, opening its view."""
    return rows(
        (
            (button_label(exercise.title), ShowExercise(exercise.slug).pack())
            for exercise in exercises
        ),
        per_row=per_row,
    )


def menu_message(
    exercises: Sequence[Exercise], *, therapist: bool, prescribed: bool
) -> tuple[str, Keyboard]:
    if therapist:
        text = THERAPIST_MENU.format(count=len(exercises))
    else:
        text = CLIENT_MENU if prescribed else CLIENT_MENU_NOTHING_PRESCRIBED
    # A short prescription reads best one per line; the whole library two per line.
    return text, exercise_buttons(exercises, per_row=1 if prescribed else 2)


def unmatched_message(
    prescribed: Sequence[Exercise], *, forwarded: bool, already_forwarded: bool
) -> tuple[str, Keyboard | None]:
    if forwarded:
        first = NOT_SURE_FORWARDED
    elif already_forwarded:
        first = NOT_SURE_ALREADY_FORWARDED
    else:
        first = NOT_SURE
    if not prescribed:
        return f"{first}\n\n{NOTHING_PRESCRIBED_YET}", None
    return f"{first}\n\n{YOUR_EXERCISES}", exercise_buttons(prescribed)


def forwarded_question(name: str, text: str) -> str:
    # The question is the client's own words: cut, never refused, if it is very long.
    room = MESSAGE_TEXT_LIMIT - telegram_length(_FORWARDED_QUESTION.format(name=name, text=""))
    return _FORWARDED_QUESTION.format(name=name, text=trim(text, max(room, 1)))
