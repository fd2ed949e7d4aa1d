"""Telegram adapters. `register` lists every handler in order: reading it shows the bot."""

from __future__ import annotations

from bot.handlers import (
    alerts,
    cancel,
    checkin,
    clients,
    errors,
    exercise_suggestions,
    exercises,
    fallback,
    onboarding,
    prescribe,
    privacy,
    progress,
    red_flags,
    redelivery,
    relay,
    reminders,
    settings,
    short_replies,
    start,
    summary,
    therapist_export,
    weekly,
)
from bot.handlers.common import BotApplication


def register(app: BotApplication) -> None:
    # An update already taken (redelivered after a crash) stops before any handler.
    redelivery.register(app)
    # Invite links and onboarding first: its `/start <token>` must win over plain /start.
    onboarding.register(app)
    start.register(app)
    # /cancel ends any pending typed input (a relay, a note, a time, a draft) for anyone.
    cancel.register(app)
    # Client journey (issue 5). red_flags also adds the free-text red-flag guard in an early
    # group (runs before every other text handler); checkin adds the pain-note reader after it.
    red_flags.register(app)
    checkin.register(app)
    weekly.register(app)
    progress.register(app)
    reminders.register(app)
    settings.register(app)
    # Therapist side (issue 7). therapist_export's /export is for therapist ids only and so
    # must come before privacy's client /export; relay adds its text reader in an early group.
    therapist_export.register(app)
    clients.register(app)
    prescribe.register(app)
    exercise_suggestions.register(app)
    alerts.register(app)
    summary.register(app)
    relay.register(app)
    privacy.register(app)
    # "done" (today's open reminder), "thanks", "ok": whole short replies only, before the
    # exercise-question reader would call them unmatched questions.
    short_replies.register(app)
    # Issue 4: /exercises, "How to" buttons, and a client's typed exercise questions — the
    # last text reader before the fallback, so it never takes a relay, a note or a red flag.
    exercises.register(app)
    # Must stay last: it answers whatever no handler above took.
    fallback.register(app)
    app.add_error_handler(errors.on_error)
