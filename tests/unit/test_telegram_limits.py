"""Splitting and trimming texts to Telegram's limits (bot.texts.limits)."""

from __future__ import annotations

import pytest

from bot.texts.limits import (
    BUTTON_TEXT_LIMIT,
    CAPTION_LIMIT,
    MESSAGE_TEXT_LIMIT,
    button_label,
    caption_and_rest,
    split_message,
    telegram_length,
    trim,
)


def test_an_emoji_counts_two_as_telegram_counts_it() -> None:
    assert telegram_length("🦵") == 2
    assert telegram_length("leg") == 3
    assert telegram_length("שלום") == 4


def test_a_text_that_fits_is_one_message_unchanged() -> None:
    text = "Your clients (2):\n\nAlice\nBob"
    assert split_message(text) == (text,)


def test_a_long_list_splits_between_paragraphs_and_loses_nothing() -> None:
    paragraphs = [f"Client {n}\n   last check-in Mon 01 Jun · leg 3/10" for n in range(300)]
    text = "\n\n".join(paragraphs)
    messages = split_message(text)
    assert len(messages) > 1
    assert all(telegram_length(m) <= MESSAGE_TEXT_LIMIT for m in messages)
    # Each message ends and starts on a whole client: nothing is cut mid-entry.
    assert "\n\n".join(messages) == text


def test_one_huge_line_splits_between_words() -> None:
    text = " ".join(["sciatica"] * 2000)
    messages = split_message(text)
    assert all(telegram_length(m) <= MESSAGE_TEXT_LIMIT for m in messages)
    assert " ".join(messages) == text


def test_a_word_longer_than_a_message_is_cut_hard_and_emoji_are_never_halved() -> None:
    text = "🦵" * 5000
    messages = split_message(text)
    assert all(telegram_length(m) <= MESSAGE_TEXT_LIMIT for m in messages)
    assert "".join(messages) == text
    assert len(messages) == 3


def test_blank_stretches_never_become_empty_messages() -> None:
    text = "a" + "\n" * 9000 + "b"
    messages = split_message(text)
    assert all(m.strip() for m in messages)
    assert "".join(messages).replace("\n", "") == "ab"


@pytest.mark.parametrize("limit", [CAPTION_LIMIT, MESSAGE_TEXT_LIMIT, BUTTON_TEXT_LIMIT])
def test_trim_ends_with_an_ellipsis_and_fits(limit: int) -> None:
    text = "Alexandra " * 1000
    trimmed = trim(text, limit)
    assert trimmed.endswith("…")
    assert telegram_length(trimmed) <= limit
    assert text.startswith(trimmed[:-1])


def test_trim_leaves_a_fitting_text_alone() -> None:
    assert trim("Sam", 10) == "Sam"


def test_button_label_is_one_short_line() -> None:
    label = button_label("Maria\nJosé de la Santísima Trinidad Fernández García 🌸🌸🌸")
    assert "\n" not in label
    assert telegram_length(label) <= BUTTON_TEXT_LIMIT
    assert label.startswith("Maria José")


def test_caption_takes_the_start_and_messages_carry_the_rest() -> None:
    text = "\n".join(f"Step {n}: breathe out slowly and hold for five seconds." for n in range(80))
    caption, rest = caption_and_rest(text)
    assert telegram_length(caption) <= CAPTION_LIMIT
    assert rest
    assert "\n".join([caption, *rest]) == text
