"""Telegram adapters. `register` lists every handler in order: reading it shows the bot."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import errors, fallback, start


def register(app: Application) -> None:  # type: ignore[type-arg]
    start.register(app)
    # Must stay last: it answers whatever no handler above took.
    fallback.register(app)
    app.add_error_handler(errors.on_error)
