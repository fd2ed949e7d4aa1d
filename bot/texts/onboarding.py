"""Invites and a new client's onboarding: strings and keyboards (issue 5, part 1).

Callback data: bot.buttons.onboarding. The invite token rides in the consent button, so
nothing about the person is stored before they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.buttons.onboarding import (
    Agree,
    ChooseTimeZone,
    Decline,
    SaveReminderTimes,
    TickReminderTime,
    TypeReminderTime,
)
from bot.buttons.therapist import PrescribeClient
from bot.domain.time_zones import zone_city
from bot.keyboards import Keyboard, rows
from bot.services.client_settings import REMINDER_PRESETS, MovedTime
from bot.texts.limits import button_label

# Bump when the consent wording below changes materially; stored with each client's consent.
CONSENT_VERSION = "2026-11-v1"

# ---------------------------------------------------------------- therapist: /invite

INVITE_USAGE = "Send /invite followed by your client's name, for example:\n/invite Sam Taylor"
INVITE_BAD_NAME = "Please give a name of up to 128 characters, for example: /invite Sam Taylor"
INVITE_CREATED = (
    "Here is {name}'s personal invite link. Send it to them (WhatsApp, text or email):\n\n"
    "{link}\n\n"
    "It works once and expires on {expires}. When {name} taps it, I'll ask for their consent "
    "and set them up, then tell you."
)
THERAPIST_CLIENT_JOINED = "✅ {name} has finished setting up and will get reminders from now on."
# Nothing prescribed yet: nothing would remind them of anything, so say so and offer to prescribe.
THERAPIST_CLIENT_JOINED_NO_EXERCISES = (
    "✅ {name} has finished setting up. They have no exercises yet, so no exercise reminders "
    "will come until you prescribe (their daily pain check-in starts now)."
)
PRESCRIBE_NOW_BUTTON = "💊 Prescribe for {name}"

# ---------------------------------------------------------------- client: /start <token>

INVITE_INVALID = (
    "Sorry, this invite link doesn't work: it may have been used already, have expired "
    "(links last {days} days), or be incomplete.\n"
    "Please ask your therapist to send you a new link."
)
ALREADY_SET_UP = (
    "You're already set up with me — there's nothing more to do. /help shows what I can do."
)
THERAPIST_OWN_LINK = (
    "That's an invite link for one of your clients — send it to them rather than tapping it."
)
CONSENT_REQUEST = (
    "Hello{name}! I'm the exercise assistant for {practice}.\n\n"
    "What I do:\n"
    "• remind you to do the exercises your therapist prescribed, at times you choose, "
    "and show you how to do each one;\n"
    "• ask how your leg and back pain are each day (two taps) and ask a short weekly "
    "questionnaire;\n"
    "• ask a few safety questions, and tell your therapist at once if something sounds "
    "serious.\n\n"
    "What I store: your name as your therapist gave it, your Telegram account number, your "
    "time zone and reminder times, your pain scores and any notes you write, which exercises "
    "you did, and your questionnaire and safety answers.\n"
    "{who_sees} You can get a copy with /export or erase it all with /delete at any time.\n\n"
    "Do you agree to me storing this information about your health?"
)
AGREE_BUTTON = "I agree"
DECLINE_BUTTON = "No thanks"
DECLINED = (
    "No problem — I haven't stored anything about you.\n"
    "If you change your mind, just tap your therapist's invite link again."
)
CONSENT_THANKS = "Thank you. Let's set up your reminders — it takes a minute."
CONSENT_SEEN = "Already done — you've agreed."

# ---------------------------------------------------------------- time zone

TIME_ZONE_QUESTION = (
    "Which time zone are you in? Tap one, or type your city (for example: London, "
    "New York, Sydney)."
)
TIME_ZONE_BUTTON = "{city} (now {clock})"
TIME_ZONE_SET = "Time zone set: {zone} (your time now: {clock})."
TIME_ZONE_CHOICES = "Did you mean one of these? Tap it, or type another city."
TIME_ZONE_UNKNOWN = (
    "Sorry, I couldn't find that place. Try the nearest capital or big city in your time "
    "zone (for example: London, Paris, New York), or a zone name like Europe/London."
)
TIME_ZONE_INVALID = "That time zone isn't one I know. Please choose again."

# ---------------------------------------------------------------- reminder times

REMINDER_QUESTION = (
    "When would you like your exercise reminders? Tap the times you want (tap again to "
    "untick), or \u201cOther time\u201d to type your own. Then tap Done."
)
REMINDER_CHOSEN = "Chosen so far: {times}."
REMINDER_NONE_CHOSEN = "Nothing chosen yet."
REMINDER_CUSTOM_PROMPT = "Type the time you'd like, for example 07:45 or 6:30pm."
REMINDER_CUSTOM_REPLACES = (
    "Type the time you'd like, for example 07:45 or 6:30pm. It replaces the times ticked now; "
    "tap any of them again afterwards to keep it too."
)
REMINDER_TIME_NOT_UNDERSTOOD = (
    "Sorry, I didn't understand that time. Please type it like 07:45 or 6:30pm."
)
REMINDER_FULL = "That's already {count} times a day — untick one first."
REMINDER_NEED_ONE = "Please choose at least one time."
REMINDER_SAVED = "Reminders set for {times} every day (your time)."
QUIET_MOVED_REMINDER = (
    "Your {asked} reminder would fall in your quiet hours, so it comes at {placed} instead."
)
QUIET_MOVED_CHECKIN = (
    "Your {asked} check-in would fall in your quiet hours, so I'll ask at {placed} instead."
)
REMINDER_STALE = "That choice is closed. Use /settings to change your reminder times."
CUSTOM_BUTTON = "Other time…"
DONE_BUTTON = "Done"
TICK = "✅ "

# ---------------------------------------------------------------- the end

ALL_SET = (
    "You're all set! 🎉\n\n"
    "What happens next:\n"
    "• at {times} I'll remind you of your exercises (your therapist adds them) — tap Done, "
    "Partly or Skip on each reminder;\n"
    "• at {checkin} each day I'll ask about your pain: two taps;\n"
    "• on Sundays, a short questionnaire.\n\n"
    "If your symptoms change, tell me with /symptoms. /help shows everything else."
)
# The same, honest about a programme the therapist has not added yet.
ALL_SET_NO_EXERCISES = (
    "You're all set! 🎉\n\n"
    "What happens next:\n"
    "• your therapist hasn't added your exercises yet — I'll tell you as soon as they do, and "
    "from then on remind you at {times};\n"
    "• at {checkin} each day I'll ask about your pain: two taps;\n"
    "• on Sundays, a short questionnaire.\n\n"
    "If your symptoms change, tell me with /symptoms. /help shows everything else."
)
ALL_SET_AFTER_RED_FLAG = (
    "Your reminders are set up. Please follow the advice above first — your therapist "
    "has been told. /help shows what else I can do."
)
RESUME_ONBOARDING = "Let's finish setting you up."


def therapist_client_joined(
    name: str, client_id: int, *, has_prescription: bool
) -> tuple[str, Keyboard | None]:
    """What the therapist is told when a client finishes setting up: with nothing prescribed
    yet, that no exercise reminders will come, and a button to prescribe."""
    if has_prescription:
        return THERAPIST_CLIENT_JOINED.format(name=name), None
    label = button_label(PRESCRIBE_NOW_BUTTON.format(name=name))
    return (
        THERAPIST_CLIENT_JOINED_NO_EXERCISES.format(name=name),
        rows([(label, PrescribeClient(client_id).pack())], per_row=1),
    )


def clock_times_text(times: Sequence[time]) -> str:
    """The times as a sentence says them: 08:00, 13:00 and 18:00 (sorted)."""
    shown = [f"{t.hour:02d}:{t.minute:02d}" for t in sorted(times)]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def clock_in(zone: str, now: datetime) -> str:
    return now.astimezone(ZoneInfo(zone)).strftime("%H:%M")


WHO_SEES = "Who sees it: you and your therapist only."
# When RED_FLAG_ALSO_NOTIFY is set (bot.domain.recipients): the one other person, and when.
WHO_SEES_WITH_DUTY = (
    "Who sees it: you and your therapist only — except that if you report a possible "
    "emergency sign, the clinic's duty therapist is told too, so someone acts at once."
)


def consent_request(client_name: str | None, practice: str, *, duty_therapist: bool = False) -> str:
    """The consent question; `duty_therapist` when RED_FLAG_ALSO_NOTIFY is set."""
    return CONSENT_REQUEST.format(
        name=f" {client_name}" if client_name else "",
        practice=practice,
        who_sees=WHO_SEES_WITH_DUTY if duty_therapist else WHO_SEES,
    )


def consent_keyboard(token: str) -> Keyboard:
    return rows(
        [(AGREE_BUTTON, Agree(token).pack()), (DECLINE_BUTTON, Decline().pack())],
        per_row=2,
    )


def time_zone_keyboard(zones: Sequence[str], now: datetime) -> Keyboard:
    return rows(
        [
            (
                TIME_ZONE_BUTTON.format(city=zone_city(z), clock=clock_in(z, now)),
                ChooseTimeZone(z).pack(),
            )
            for z in zones
        ],
        per_row=2,
    )


def reminder_times_text(times: Sequence[time]) -> str:
    chosen = (
        REMINDER_CHOSEN.format(times=clock_times_text(times)) if times else REMINDER_NONE_CHOSEN
    )
    return f"{REMINDER_QUESTION}\n\n{chosen}"


def reminder_times_keyboard(
    times: Sequence[time], presets: Sequence[time], replaced: Sequence[time] = ()
) -> Keyboard:
    shown = sorted(set(presets) | set(times) | set(replaced))
    buttons = [
        (
            (TICK if t in times else "") + f"{t.hour:02d}:{t.minute:02d}",
            TickReminderTime(t).pack(),
        )
        for t in shown
    ]
    buttons += [
        (CUSTOM_BUTTON, TypeReminderTime().pack()),
        (DONE_BUTTON, SaveReminderTimes().pack()),
    ]
    return rows(buttons, per_row=3)


def reminder_question(times: Sequence[time], replaced: Sequence[time] = ()) -> tuple[str, Keyboard]:
    """The reminder-times question with `times` ticked among the presets (and the `replaced`
    times a typed one took the place of, unticked, so the client can keep them)."""
    return reminder_times_text(times), reminder_times_keyboard(times, REMINDER_PRESETS, replaced)


def quiet_moves(moved: Sequence[MovedTime]) -> str:
    """One line per chosen time that fell inside quiet hours, saying where it went."""
    templates = {"reminder": QUIET_MOVED_REMINDER, "checkin": QUIET_MOVED_CHECKIN}
    return "\n".join(
        templates.get(m.what, QUIET_MOVED_REMINDER).format(
            asked=f"{m.asked.hour:02d}:{m.asked.minute:02d}",
            placed=f"{m.placed.hour:02d}:{m.placed.minute:02d}",
        )
        for m in moved
    )


def reminders_saved(times: Sequence[time], moved: Sequence[MovedTime]) -> str:
    text = REMINDER_SAVED.format(times=clock_times_text(times))
    return f"{text}\n{quiet_moves(moved)}" if moved else text
