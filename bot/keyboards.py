"""Inline keyboards shared across areas. Area-specific keyboards live beside their texts.

Callback data comes from the areas' typed buttons (bot.buttons: `Button.pack()`), never built
by hand, and is never trusted: the press guard (bot.handlers.buttons) re-checks every press.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup


def rows(buttons: Iterable[tuple[str, str]], *, per_row: int = 3) -> InlineKeyboardMarkup:
    """Lay out (label, callback data) pairs in rows of `per_row`."""
    items = [InlineKeyboardButton(label, callback_data=data) for label, data in buttons]
    grid: list[Sequence[InlineKeyboardButton]] = [
        items[i : i + per_row] for i in range(0, len(items), per_row)
    ]
    return InlineKeyboardMarkup(grid)
