"""Exercise reminders, follow-ups and the scheduler's notices: strings and keyboards.

Callback data (never trusted; `bot.handlers.reminders` re-checks the delivery is the
pressing client's):

* ``rem:done:<delivery>`` / ``rem:partly:<delivery>`` / ``rem:skip:<delivery>``
* ``rem:why:<delivery>:<pain|time|forgot|other>`` — the reason after Skip
* ``rem:snooze:<delivery>`` — send this reminder again in 30 minutes
* ``rem:leg:<delivery>:<eased|same|worse|spread>`` — "How was your leg afterwards?", offered
  after Done or Partly (for every exercise the reminder named)
* ``rem:which:<delivery>[:<slug>]`` — after Worse for several exercises: which one (no slug:
  not sure)
* ``ex:show:<slug>`` — "How to", handled by the exercise library (`bot.handlers.exercises`)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.buttons.exercises import EXERCISES, ShowExercise
from bot.buttons.reminders import (
    LegAnswer,
    LegAnswerPress,
    ReminderAnswer,
    ReminderPress,
    SkipReason,
    SkipReasonPress,
    WhichExercisePress,
)
from bot.keyboards import Button, Keyboard
from bot.texts.limits import button_label

SNOOZE_MINUTES = 30

REMINDER_HEADER = "Time for your exercises:"
LATE_MARKER = "(Sorry, this reminder is late — the bot was briefly unavailable.)"
SNOOZED_HEADER = "Here is your snoozed reminder:"
FOLLOW_UP_HEADER = (
    "A gentle nudge: have you had a chance to do these yet? "
    "Even a short session helps your sciatica."
)
NOTHING_TODAY = "Nothing is prescribed for this time today."

DONE_BUTTON = "✅ Done"
PARTLY_BUTTON = "🌓 Partly"
SKIP_BUTTON = "⏭ Skip"
SNOOZE_BUTTON = f"⏰ Snooze {SNOOZE_MINUTES} min"
HOW_TO_BUTTON = "How to: {title}"

SKIP_REASONS: dict[SkipReason, str] = {
    SkipReason.PAIN: "Too painful",
    SkipReason.TIME: "No time",
    SkipReason.FORGOT: "Forgot",
    SkipReason.OTHER: "Other",
}
WHY_SKIPPED = "Why did you skip this time?"

OUTCOME_DONE = "✅ Done — well done! Every session counts."
OUTCOME_PARTLY = "🌓 Partly done — thanks for telling me; some is better than none."
OUTCOME_SKIPPED = "⏭ Skipped."
OUTCOME_SKIPPED_BECAUSE = "⏭ Skipped ({reason})."
PAIN_SKIP_ADVICE = (
    "If the exercises hurt, stop and let your therapist know. "
    "If you have new numbness, weakness or problems with bladder or bowels, get help urgently."
)
SNOOZED = f"⏰ OK, I'll remind you again in {SNOOZE_MINUTES} minutes."

# Optional: answering costs one tap, ignoring it costs nothing.
LEG_QUESTION = "How was your leg afterwards? (optional — one tap helps your therapist)"
LEG_BUTTONS: dict[LegAnswer, str] = {
    LegAnswer.EASED: "😌 Eased",
    LegAnswer.SAME: "➖ Same",
    LegAnswer.WORSE: "😣 Worse",
    LegAnswer.SPREAD: "⬇️ Spread further down the leg",
}
LEG_NOTED: dict[str, str] = {
    "eased": "Leg eased afterwards — noted. That's a good sign.",
    "same": "Leg the same afterwards — noted.",
    "worse": "Leg worse afterwards — noted for your therapist.",
    "spread": (
        "Pain spread further down the leg — noted for your therapist. If it happens again, "
        "stop that exercise until you have spoken to them."
    ),
}
WHICH_WORSE = "Which exercise was it?"
WHICH_NOT_SURE = "Not sure"
WHICH_NOTED = "Noted: {title}."
WHICH_NOT_SURE_NOTED = "Noted for all of this session's exercises."

ANSWER_SAVED = "Saved"
ANSWER_SNOOZED = f"Snoozed for {SNOOZE_MINUTES} minutes"
UNKNOWN_REMINDER = "I can't find that reminder any more. Please use your latest reminder."

CLIENT_BLOCKED_NOTICE = (
    "{name} has blocked the bot, so their reminders have stopped. "
    "They will start again if they unblock it and send /start."
)
WEEKLY_SUMMARY_FALLBACK = "Weekly summary: {clients} active clients. Use /clients for details."

OUTCOMES = {"done": OUTCOME_DONE, "partly": OUTCOME_PARTLY}


@dataclass(frozen=True)
class ReminderItem:
    """One exercise line of a reminder: what to do and how much."""

    slug: str
    title: str
    dosage: str


def reminder_text(
    items: Sequence[ReminderItem], *, late: bool = False, header: str = REMINDER_HEADER
) -> str:
    lines = [header]
    if late:
        lines.append(LATE_MARKER)
    lines.extend(f"• {item.title} — {item.dosage}" for item in items)
    if not items:
        lines.append(NOTHING_TODAY)
    return "\n".join(lines)


def outcome_line(outcome: str, skip_reason: str | None) -> str:
    if outcome in OUTCOMES:
        return OUTCOMES[outcome]
    if skip_reason is not None and skip_reason in SKIP_REASONS:
        line = OUTCOME_SKIPPED_BECAUSE.format(reason=SKIP_REASONS[SkipReason(skip_reason)].lower())
        return f"{line}\n{PAIN_SKIP_ADVICE}" if skip_reason == "pain" else line
    return OUTCOME_SKIPPED


def with_outcome(text: str, outcome: str, skip_reason: str | None) -> str:
    return f"{reminder_body(text)}\n\n{outcome_line(outcome, skip_reason)}"


def _how_to_buttons(items: Sequence[ReminderItem]) -> list[list[Button]]:
    buttons = []
    for item in items:
        try:
            data = ShowExercise(item.slug).pack()
        except ValueError:  # a slug the button cannot carry (the content check forbids them)
            continue
        label = button_label(HOW_TO_BUTTON.format(title=item.title))
        buttons.append([Button(label, callback_data=data)])
    return buttons


def reminder_keyboard(
    delivery_id: int, items: Sequence[ReminderItem], *, snooze: bool = True
) -> Keyboard:
    """Done / Partly / Skip, Snooze 30 min, then one "How to" per exercise."""
    grid = [
        [
            Button(
                DONE_BUTTON, callback_data=ReminderPress(ReminderAnswer.DONE, delivery_id).pack()
            ),
            Button(
                PARTLY_BUTTON,
                callback_data=ReminderPress(ReminderAnswer.PARTLY, delivery_id).pack(),
            ),
            Button(
                SKIP_BUTTON, callback_data=ReminderPress(ReminderAnswer.SKIP, delivery_id).pack()
            ),
        ]
    ]
    if snooze:
        grid.append(
            [
                Button(
                    SNOOZE_BUTTON,
                    callback_data=ReminderPress(ReminderAnswer.SNOOZE, delivery_id).pack(),
                )
            ]
        )
    grid.extend(_how_to_buttons(items))
    return Keyboard(grid)


def skip_reason_keyboard(delivery_id: int, how_to: Sequence[Button] = ()) -> Keyboard:
    grid = [
        [Button(label, callback_data=SkipReasonPress(delivery_id, key).pack())]
        for key, label in SKIP_REASONS.items()
    ]
    grid.extend([button] for button in how_to)
    return Keyboard(grid)


def how_to_buttons(markup: Keyboard | None) -> list[Button]:
    """The "How to" buttons of a reminder already sent, to keep them after an answer."""
    if markup is None:
        return []
    return [
        button
        for row in markup.inline_keyboard
        for button in row
        if EXERCISES.parse(button.callback_data) is not None
    ]


def answered_keyboard(delivery_id: int, how_to: Sequence[Button]) -> Keyboard:
    """After an answer the client may still change it (a second press edits, never adds)."""
    grid: list[Sequence[Button]] = list(
        reminder_keyboard(delivery_id, (), snooze=False).inline_keyboard
    )
    grid.extend([button] for button in how_to)
    return Keyboard(grid)


def leg_question_keyboard(delivery_id: int, how_to: Sequence[Button]) -> Keyboard:
    """The answered reminder with "How was your leg afterwards?" under its outcome."""
    leg = [
        Button(label, callback_data=LegAnswerPress(delivery_id, answer).pack())
        for answer, label in LEG_BUTTONS.items()
    ]
    grid: list[Sequence[Button]] = list(
        reminder_keyboard(delivery_id, (), snooze=False).inline_keyboard
    )
    grid += [leg[:3], leg[3:]]
    grid.extend([button] for button in how_to)
    return Keyboard(grid)


def which_keyboard(
    delivery_id: int,
    exercises: Sequence[tuple[str, str]],
    how_to: Sequence[Button],
) -> Keyboard:
    """One button per exercise of the session (slug, title), then Not sure."""
    grid: list[Sequence[Button]] = list(
        reminder_keyboard(delivery_id, (), snooze=False).inline_keyboard
    )
    grid += [
        [Button(button_label(title), callback_data=WhichExercisePress(delivery_id, slug).pack())]
        for slug, title in exercises
    ]
    grid.append([Button(WHICH_NOT_SURE, callback_data=WhichExercisePress(delivery_id).pack())])
    grid.extend([button] for button in how_to)
    return Keyboard(grid)


def with_outcome_and(text: str, outcome: str, skip_reason: str | None, more: str) -> str:
    """The reminder, its outcome line, then one more paragraph (a question or a thank-you)."""
    return f"{with_outcome(text, outcome, skip_reason)}\n\n{more}"


def skip_reason_text(reminder: str) -> str:
    return f"{reminder_body(reminder)}\n\n{WHY_SKIPPED}"


def reminder_body(text: str) -> str:
    """The reminder as first sent, without any outcome line added since."""
    return text.split("\n\n", 1)[0]


# Typed short replies (bot.domain.short_replies): "done" answers today's open reminder.
TYPED_DONE = "✅ Great — I've marked your {time} exercises as done. Every session counts."
TYPED_DONE_NOTHING_OPEN = (
    "Thanks! No exercise reminder is waiting for an answer right now, so there's nothing to "
    "mark — I'll send the next one at its time."
)
THANKS_REPLY = "You're welcome! 😊 I'm here whenever you need me — /help shows what I can do."
OK_REPLY = "👍"
