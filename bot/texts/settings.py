"""/settings, /pause and /resume: strings and keyboards (issue 5, part 6).

Callback data: bot.buttons.settings. Time zone and reminder-time buttons are onboarding's
(`bot.texts.onboarding`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from bot.buttons.settings import (
    CheckinAt,
    OpenSetting,
    PauseFor,
    QuietFrom,
    QuietOff,
    QuietUntil,
    Setting,
    TypeCheckinTime,
)
from bot.keyboards import Keyboard, rows
from bot.services.client_settings import (
    MAX_REMINDER_TIMES,
    MovedTime,
    TypedAnswer,
    TypedOutcome,
)
from bot.texts import onboarding as to
from bot.texts.onboarding import clock_times_text

NOT_A_CLIENT = (
    "Settings are for clients. If you have an invite link from your therapist, tap it first."
)
FINISH_ONBOARDING_FIRST = "Let's finish setting you up first — please answer the question above."

OVERVIEW = (
    "Your settings:\n"
    "• Time zone: {zone}\n"
    "• Exercise reminders: {reminders}\n"
    "• Daily pain check-in: {checkin}\n"
    "• Quiet hours: {quiet}\n"
    "• Reminders: {state}\n\n"
    "What would you like to change?"
)
QUIET_OFF = "off"
QUIET_RANGE = "{start} to {end}"
STATE_ACTIVE = "on"
STATE_PAUSED_UNTIL = "paused until {date}"
STATE_PAUSED = "paused until you resume"
STATE_BLOCKED = "off (you had blocked me)"

BUTTON_TIME_ZONE = "Time zone"
BUTTON_REMINDERS = "Reminder times"
BUTTON_CHECKIN = "Check-in time"
BUTTON_QUIET = "Quiet hours"
BUTTON_PAUSE = "Pause reminders"
BUTTON_RESUME = "Resume reminders"

CHECKIN_QUESTION = "When should I ask about your pain each day? Tap a time or type your own."
CHECKIN_TYPE_PROMPT = "Type the time you'd like, for example 20:30 or 8:30pm."
CHECKIN_SET = (
    "Done — I'll ask about your pain at {time} each day (your time), and the weekly "
    "questionnaire on Sundays at the same time."
)
OTHER_TIME_BUTTON = "Other time…"

QUIET_START_QUESTION = (
    "Quiet hours: I won't send reminders or check-ins between these times (any that fall "
    "inside move to just outside them). When should they start?"
)
QUIET_END_QUESTION = "Quiet hours start at {start}. When should they end?"
QUIET_SET = (
    "Done — quiet hours are {start} to {end} (your time). I won't send reminders or "
    "check-ins in them."
)
QUIET_CLEARED = "Done — quiet hours are off."
QUIET_OFF_BUTTON = "No quiet hours"

PAUSE_QUESTION = "Pause your reminders and check-ins for how long?"
PAUSE_ONE_WEEK = "1 week"
PAUSE_TWO_WEEKS = "2 weeks"
PAUSE_UNTIL_RESUME = "Until I resume"
PAUSED_UNTIL = (
    "Paused. I won't send reminders or check-ins until {date}; I'll start again by myself "
    "then. Use /resume to start earlier."
)
PAUSED = "Paused. I won't send reminders or check-ins until you send /resume."
RESUMED = "Welcome back — reminders are on again, starting from the next one ({times})."
NOT_PAUSED = "Your reminders are already on — nothing to resume."
CANT_PAUSE_BLOCKED = "Reminders are already off."
STALE = "That option isn't available any more. Use /settings to see your current settings."


def hhmm(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def readable_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def overview(
    *,
    zone: str,
    reminders: Sequence[time],
    checkin: time,
    quiet: tuple[time, time] | None,
    state: str,
) -> str:
    return OVERVIEW.format(
        zone=zone,
        reminders=clock_times_text(reminders) or "none",
        checkin=hhmm(checkin),
        quiet=QUIET_OFF
        if quiet is None
        else QUIET_RANGE.format(start=hhmm(quiet[0]), end=hhmm(quiet[1])),
        state=state,
    )


def overview_keyboard(*, paused: bool) -> Keyboard:
    return rows(
        [
            (BUTTON_TIME_ZONE, OpenSetting(Setting.TIME_ZONE).pack()),
            (BUTTON_REMINDERS, OpenSetting(Setting.REMINDERS).pack()),
            (BUTTON_CHECKIN, OpenSetting(Setting.CHECKIN).pack()),
            (BUTTON_QUIET, OpenSetting(Setting.QUIET_HOURS).pack()),
            (BUTTON_RESUME, OpenSetting(Setting.RESUME).pack())
            if paused
            else (BUTTON_PAUSE, OpenSetting(Setting.PAUSE).pack()),
        ],
        per_row=2,
    )


def checkin_keyboard(presets: Sequence[time]) -> Keyboard:
    buttons = [(hhmm(t), CheckinAt(t).pack()) for t in presets]
    buttons.append((OTHER_TIME_BUTTON, TypeCheckinTime().pack()))
    return rows(buttons, per_row=3)


def quiet_start_keyboard(presets: Sequence[time]) -> Keyboard:
    buttons = [(hhmm(t), QuietFrom(t).pack()) for t in presets]
    buttons.append((QUIET_OFF_BUTTON, QuietOff().pack()))
    return rows(buttons, per_row=3)


def quiet_end_keyboard(start: time, presets: Sequence[time]) -> Keyboard:
    return rows(
        [(hhmm(t), QuietUntil(start, t).pack()) for t in presets],
        per_row=4,
    )


def pause_keyboard() -> Keyboard:
    return rows(
        [
            (PAUSE_ONE_WEEK, PauseFor(1).pack()),
            (PAUSE_TWO_WEEKS, PauseFor(2).pack()),
            (PAUSE_UNTIL_RESUME, PauseFor(0).pack()),
        ],
        per_row=3,
    )


def quiet_hours_saved(start: time | None, end: time | None, moved: Sequence[MovedTime] = ()) -> str:
    if start is None or end is None:
        return QUIET_CLEARED
    text = QUIET_SET.format(start=hhmm(start), end=hhmm(end))
    return f"{text}\n{to.quiet_moves(moved)}" if moved else text


def checkin_set(at: time, moved: Sequence[MovedTime] = ()) -> str:
    text = CHECKIN_SET.format(time=hhmm(at))
    return f"{text}\n{to.quiet_moves(moved)}" if moved else text


def typed_reply(answer: TypedAnswer, now: datetime) -> tuple[str, Keyboard | None]:
    """The reply to a typed city or time (onboarding and /settings), for each kind of answer."""
    outcome, settings, draft = answer.outcome, answer.settings, answer.draft
    if outcome is TypedOutcome.ZONE_SET and settings is not None:
        clock = to.clock_in(settings.timezone, now)
        return to.TIME_ZONE_SET.format(zone=settings.timezone, clock=clock), None
    if outcome is TypedOutcome.ZONE_CHOICES:
        return to.TIME_ZONE_CHOICES, to.time_zone_keyboard(answer.zones, now)
    if outcome is TypedOutcome.ZONE_UNKNOWN:
        return to.TIME_ZONE_UNKNOWN, None
    if outcome is TypedOutcome.CHECKIN_SET and settings is not None:
        return checkin_set(settings.checkin_time, answer.moved), None
    if outcome is TypedOutcome.REMINDER_FULL:
        return to.REMINDER_FULL.format(count=MAX_REMINDER_TIMES), None
    if outcome is TypedOutcome.REMINDER_ADDED and draft is not None:
        return to.reminder_question(draft.times, draft.replaced)
    return to.REMINDER_TIME_NOT_UNDERSTOOD, None
