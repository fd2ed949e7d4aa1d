"""Inline keyboards as our own small values; area-specific keyboards live beside their texts.

A `Keyboard` is rows of `Button`s with the attribute names of Telegram's inline keyboard
(`inline_keyboard`, `text`, `callback_data`, `url`), and nothing else: texts and the
scheduling engine build and compare them without loading python-telegram-bot (~22 MB with
httpx, for a process that only sends reminders). The one conversion to and from Telegram's
objects is at the edge, `bot.telegram_markup`.

Callback data comes from the areas' typed buttons (bot.buttons: `Button.pack()`), never built
by hand, and is never trusted: the press guard (bot.handlers.buttons) re-checks every press.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Button", "Keyboard", "rows"]


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: a label and either the data a press sends back or a link."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True, init=False)
class Keyboard:
    """Rows of buttons under a message (equal when every row and button is)."""

    inline_keyboard: tuple[tuple[Button, ...], ...]

    def __init__(self, inline_keyboard: Iterable[Iterable[Button]]) -> None:
        object.__setattr__(self, "inline_keyboard", tuple(tuple(row) for row in inline_keyboard))


def rows(buttons: Iterable[tuple[str, str]], *, per_row: int = 3) -> Keyboard:
    """Lay out (label, callback data) pairs in rows of `per_row`."""
    items = [Button(label, callback_data=data) for label, data in buttons]
    return Keyboard(items[i : i + per_row] for i in range(0, len(items), per_row))
