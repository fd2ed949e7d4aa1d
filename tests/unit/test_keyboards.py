"""Our keyboards: plain values, turned into Telegram's markup only at the edge."""

from __future__ import annotations

from bot.keyboards import Button, Keyboard, rows
from bot.telegram_markup import from_markup, to_markup


def test_a_keyboard_read_back_from_telegram_is_the_one_sent() -> None:
    """A reminder edited after a press keeps its buttons, and an unchanged keyboard is seen
    as unchanged (no edit Telegram would refuse as "not modified")."""
    keyboard = Keyboard(
        [
            [Button("✅ Done", callback_data="r:d:7"), Button("⏭ Skip", callback_data="r:s:7")],
            [Button("Guide", url="https://example.org/guide")],
        ]
    )

    markup = to_markup(keyboard)

    assert markup is not None
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        ["✅ Done", "⏭ Skip"],
        ["Guide"],
    ]
    assert markup.inline_keyboard[1][0].url == "https://example.org/guide"
    assert from_markup(markup) == keyboard


def test_no_keyboard_is_no_markup_either_way() -> None:
    assert to_markup(None) is None
    assert from_markup(None) is None


def test_rows_lays_buttons_out_in_rows_of_the_given_width() -> None:
    keyboard = rows([(str(n), f"p:{n}") for n in range(5)], per_row=2)

    assert [[b.text for b in row] for row in keyboard.inline_keyboard] == [
        ["0", "1"],
        ["2", "3"],
        ["4"],
    ]
    assert keyboard == rows([(str(n), f"p:{n}") for n in range(5)], per_row=2)
