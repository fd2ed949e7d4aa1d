"""How each exercise is working: the suggestions under the client card, what applying one
says, and the client's own per-exercise lines in /progress. The client is told of an applied
change with the prescription notice (bot.texts.therapist.client_change_notice), as after
/prescribe."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.buttons.suggestions import SUGGESTIONS, SuggestionAction, SuggestionPress
from bot.domain.exercise_response import (
    STREAK_WORTH_SAYING,
    Aggravating,
    LegResponse,
    ReadyToProgress,
    TooHard,
)
from bot.keyboards import Button, Keyboard
from bot.services.exercise_response import (
    CaseloadSuggestions,
    ExerciseProgressLine,
    ExerciseSuggestion,
    StepAction,
)

TitleOf = Callable[[str], str]

SUGGESTIONS_HEADER = "How {name}'s exercises are going:"
AGGRAVATING_LINE = (
    "⚠️ {title}: leg worse after it in {worse} of the last {answered} answered sessions{spread}"
)
AGGRAVATING_RISE_LINE = (
    "⚠️ {title}: leg worse after it twice in a row{spread}, leg pain up from {before:.1f} to "
    "{since:.1f}"
)
SPREAD_NOTE = " (spreading down the leg)"
TOO_HARD_LINE = (
    "🌓 {title}: only partly done or skipped as too painful in {count} of the last {slots} sessions"
)
READY_LINE = (
    "⬆️ {title}: done in {done} of {slots} sessions over 2 weeks, no worse, leg pain steady — "
    "ready to step up"
)
ACTION_LABELS = {
    StepAction.STEP_UP: "Step up",
    StepAction.EASE: "Ease it",
    StepAction.STOP: "Stop it",
    StepAction.NOT_YET: "Not yet",
}
APPLIED = "✅ {title} for {name}: now {dosage}. {name} has been told."
STOPPED = "⏹ {title} stopped for {name}. {name} has been told."
NOT_YET = "Not yet — {title} stays as it is."
NOTHING_APPLIED = "Nothing changed: {title} is no longer prescribed at a dosage the sheet knows."


def _line(suggestion: ExerciseSuggestion, title: str) -> str:
    evidence = suggestion.evidence
    if isinstance(evidence, Aggravating):
        spread = SPREAD_NOTE if evidence.spread else ""
        if evidence.leg_pain is not None:
            before, since = evidence.leg_pain
            return AGGRAVATING_RISE_LINE.format(
                title=title, spread=spread, before=before, since=since
            )
        return AGGRAVATING_LINE.format(
            title=title,
            worse=evidence.worse_sessions,
            answered=evidence.answered_sessions,
            spread=spread,
        )
    if isinstance(evidence, TooHard):
        count = evidence.partly_slots + evidence.too_painful_skips
        return TOO_HARD_LINE.format(title=title, count=count, slots=evidence.slots)
    assert isinstance(evidence, ReadyToProgress)
    return READY_LINE.format(title=title, done=evidence.done_slots, slots=evidence.slots)


SUMMARY_SUGGESTIONS_HEADER = "🏋️ Exercise suggestions this week — one tap applies one:"
SUMMARY_SUGGESTIONS_MORE = "…and {count} more on the clients' cards (/client <name>)."


def summary_suggestions(
    caseload: CaseloadSuggestions, title_of: TitleOf
) -> tuple[str, Keyboard] | None:
    """The weekly summary's suggestions across clients, numbered, one keyboard row each."""
    if not caseload.shown:
        return None
    lines = [SUMMARY_SUGGESTIONS_HEADER]
    for number, item in enumerate(caseload.shown, start=1):
        line = _line(item.suggestion, title_of(item.suggestion.exercise_slug))
        lines.append(f"{number}. {item.client_name} — {line}")
    if caseload.more:
        lines.append(SUMMARY_SUGGESTIONS_MORE.format(count=caseload.more))
    keyboard = suggestions_keyboard([item.suggestion for item in caseload.shown])
    return "\n".join(lines), keyboard


def suggestions_message(
    name: str, suggestions: Sequence[ExerciseSuggestion], title_of: TitleOf
) -> str:
    lines = [SUGGESTIONS_HEADER.format(name=name)]
    lines += [
        f"{number}. {_line(s, title_of(s.exercise_slug))}"
        for number, s in enumerate(suggestions, start=1)
    ]
    return "\n".join(lines)


def suggestions_keyboard(suggestions: Sequence[ExerciseSuggestion]) -> Keyboard:
    """One row per suggestion, its buttons named by the line's number (titles would not fit)."""
    return Keyboard(
        [
            [
                Button(
                    f"{number}. {ACTION_LABELS[action]}",
                    callback_data=SuggestionPress(
                        s.client_id, SuggestionAction(action.value), s.exercise_slug
                    ).pack(),
                )
                for action in s.actions
            ]
            for number, s in enumerate(suggestions, start=1)
        ]
    )


def without_suggestion(markup: Keyboard | None, client_id: int, slug: str) -> Keyboard:
    """The suggestions' buttons once one client's exercise's was pressed: the others stay."""
    rows = [
        row
        for row in (markup.inline_keyboard if markup is not None else ())
        if not any(
            (pressed := SUGGESTIONS.parse(button.callback_data)) is not None
            and (pressed.client_id, pressed.slug) == (client_id, slug)
            for button in row
        )
    ]
    return Keyboard(rows)


# --- /progress: each exercise over the last 2 weeks ----------------------------------------------
PROGRESS_HEADER = "Your exercises over the last 2 weeks:"
PROGRESS_LINE = "• {title}: done {done} of {slots} times{partly}"
PROGRESS_PARTLY = " (+{count} partly)"
PROGRESS_LEG = " · leg afterwards: {answers}"
LEG_WORDS = {
    LegResponse.EASED: "eased",
    LegResponse.SAME: "same",
    LegResponse.WORSE: "worse",
    LegResponse.SPREAD: "spread down the leg",
}
STREAK = "🔥 {title}: {days} days in a row — it's becoming a habit."


def progress_lines(exercises: Sequence[ExerciseProgressLine], title_of: TitleOf) -> str | None:
    """One line per exercise, and one encouraging line for the longest streak (from 3 days);
    None when nothing was prescribed in the last 2 weeks."""
    shown = [line for line in exercises if line.progress.slots]
    if not shown:
        return None
    text = [PROGRESS_HEADER]
    for line in shown:
        progress = line.progress
        partly = PROGRESS_PARTLY.format(count=progress.partly) if progress.partly else ""
        entry = PROGRESS_LINE.format(
            title=title_of(line.exercise_slug),
            done=progress.done,
            slots=progress.slots,
            partly=partly,
        )
        answers = ", ".join(
            f"{LEG_WORDS[answer]} {progress.responses[answer]}"
            for answer in LegResponse
            if progress.responses.get(answer)
        )
        text.append(entry + (PROGRESS_LEG.format(answers=answers) if answers else ""))
    best = max(shown, key=lambda line: line.progress.streak_days)
    if best.progress.streak_days >= STREAK_WORTH_SAYING:
        text += [
            "",
            STREAK.format(title=title_of(best.exercise_slug), days=best.progress.streak_days),
        ]
    return "\n".join(text)
