"""Our keyboards as python-telegram-bot's, and back: the one place the two meet.

Texts and the scheduling engine build `bot.keyboards.Keyboard` values; a handler replying or
editing, and the dispatcher's Telegram sender, turn them into `InlineKeyboardMarkup` here.
A handler that reads the keyboard of the message a button was on (to keep its "How to"
buttons, to flip Pause/Resume) reads it back with `from_markup`.
"""

from __future__ import annotations

import functools

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.keyboards import Button, Keyboard

__all__ = ["from_markup", "to_markup"]


def _telegram_button(button: Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(button.text, callback_data=button.callback_data, url=button.url)


def to_markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """Telegram's inline keyboard for `keyboard` (None stays None: no buttons)."""
    return None if keyboard is None else _markup(keyboard)


# The same keyboards go out again and again (a day's check-in scales, a reminder's buttons):
# each is converted once. Both values are immutable (python-telegram-bot freezes its objects),
# so one markup object serves every message that carries it.
@functools.lru_cache(maxsize=256)
def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_telegram_button(button) for button in row] for row in keyboard.inline_keyboard]
    )


def from_markup(markup: InlineKeyboardMarkup | None) -> Keyboard | None:
    """The keyboard of a message Telegram sent us, as our own value.

    Only what our keyboards carry is kept: a label and its callback data (a string; anything
    else is not ours) or link.
    """
    if markup is None:
        return None
    return Keyboard(
        [
            Button(
                button.text,
                callback_data=(
                    button.callback_data if isinstance(button.callback_data, str) else None
                ),
                url=button.url,
            )
            for button in row
        ]
        for row in markup.inline_keyboard
    )
