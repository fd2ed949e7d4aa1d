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
    start,
    summary,
    text,
    therapist_export,
    weekly,
)
from bot.handlers.common import BotApplication


def register(app: BotApplication) -> None:
    # Typed text has one way in, in the earliest group: the red-flag screen first (before the
    # database), then the redelivery check, the awaited input, short replies, the exercise
    # question matcher and the fallback answer, in that order (see bot.handlers.text).
    text.register(app)
    # Any other update already taken (redelivered after a crash) stops before any handler.
    redelivery.register(app)
    # Invite links and onboarding first: its `/start <token>` must win over plain /start.
    onboarding.register(app)
    start.register(app)
    # /cancel ends any pending typed input (a relay, a note, a time, a draft) for anyone.
    cancel.register(app)
    # Client journey.
    red_flags.register(app)
    checkin.register(app)
    weekly.register(app)
    progress.register(app)
    reminders.register(app)
    settings.register(app)
    # Therapist side. therapist_export's /export is for therapist ids only and so must come
    # before privacy's client /export.
    therapist_export.register(app)
    clients.register(app)
    prescribe.register(app)
    exercise_suggestions.register(app)
    alerts.register(app)
    summary.register(app)
    relay.register(app)
    privacy.register(app)
    exercises.register(app)
    # Must stay last: it answers whatever no handler above took.
    fallback.register(app)
    app.add_error_handler(errors.on_error)
