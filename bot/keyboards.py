"""Inline keyboards shared across areas. Area-specific keyboards live beside their texts.

Callback data is short ASCII "area:action:arg..." (≤ 64 bytes, Telegram's limit) and is never
trusted: every handler re-checks that the record it names belongs to the user pressing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

CALLBACK_DATA_MAX_BYTES = 64


def callback(*parts: str | int) -> str:
    data = ":".join(str(p) for p in parts)
    if len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
        raise ValueError("callback data longer than Telegram's 64-byte limit")
    return data


def rows(buttons: Iterable[tuple[str, str]], *, per_row: int = 3) -> InlineKeyboardMarkup:
    """Lay out (label, callback data) pairs in rows of `per_row`."""
    items = [InlineKeyboardButton(label, callback_data=data) for label, data in buttons]
    grid: list[Sequence[InlineKeyboardButton]] = [
        items[i : i + per_row] for i in range(0, len(items), per_row)
    ]
    return InlineKeyboardMarkup(grid)
