"""Telegram adapters. `register` lists every handler in order: reading it shows the bot."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import (
    checkin,
    errors,
    fallback,
    onboarding,
    privacy,
    progress,
    red_flags,
    reminders,
    settings,
    start,
    weekly,
)


def register(app: Application) -> None:  # type: ignore[type-arg]
    # Invite links and onboarding first: its `/start <token>` must win over plain /start.
    onboarding.register(app)
    start.register(app)
    # Client journey (issue 5). red_flags also adds the free-text red-flag guard in an early
    # group (runs before every other text handler); checkin adds the pain-note reader after it.
    red_flags.register(app)
    checkin.register(app)
    weekly.register(app)
    progress.register(app)
    reminders.register(app)
    settings.register(app)
    privacy.register(app)
    # Must stay last: it answers whatever no handler above took.
    fallback.register(app)
    app.add_error_handler(errors.on_error)
