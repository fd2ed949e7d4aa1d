"""Telegram's size limits, and the two ways every text builder stays inside them.

Telegram refuses, rather than cuts, anything over its limits ("message is too long",
"message caption is too long", BUTTON_DATA_INVALID), so a builder whose input is unbounded —
a client's name, their notes, a long list of clients — must either split its text into several
messages (`split_message`: lists, cards, relayed messages, anything the reader needs whole) or
trim it with "…" (`trim`: a name on a button, a title, a caption whose rest is not needed).

Lengths are counted the way Telegram counts them: UTF-16 code units, so an emoji outside the
Basic Multilingual Plane counts two. See https://core.telegram.org/bots/api#sendmessage,
#sendphoto and #inlinekeyboardbutton.
"""

from __future__ import annotations

# https://core.telegram.org/bots/api#sendmessage: "1-4096 characters after entities parsing".
MESSAGE_TEXT_LIMIT = 4096
# https://core.telegram.org/bots/api#sendphoto: "0-1024 characters after entities parsing".
CAPTION_LIMIT = 1024
# https://core.telegram.org/bots/api#inlinekeyboardbutton: callback_data "1-64 bytes".
CALLBACK_DATA_LIMIT_BYTES = 64
# https://core.telegram.org/bots/api#answercallbackquery: text "0-200 characters".
CALLBACK_ANSWER_LIMIT = 200
# Telegram documents no limit for a button's label, but a phone shows about 40 characters of a
# full-width button before cutting it mid-word; anything longer is lost on screen anyway.
BUTTON_TEXT_LIMIT = 40

ELLIPSIS = "…"


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def fits(text: str, limit: int = MESSAGE_TEXT_LIMIT) -> bool:
    return telegram_length(text) <= limit


def _longest_prefix(text: str, limit: int) -> int:
    """The number of code points of `text` whose UTF-16 length is at most `limit`."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def trim(text: str, limit: int = MESSAGE_TEXT_LIMIT) -> str:
    """`text` unchanged when it fits, else cut (between words when one is near) and ended "…"."""
    if fits(text, limit):
        return text
    room = max(limit - telegram_length(ELLIPSIS), 0)
    end = _longest_prefix(text, room)
    space = text.rfind(" ", 0, end + 1)
    # Cut at a word boundary only when it keeps most of the room; a long word is cut hard.
    if space > room * 3 // 4:
        end = space
    return text[:end].rstrip() + ELLIPSIS


def button_label(text: str, limit: int = BUTTON_TEXT_LIMIT) -> str:
    """A button's label: one line, kept short (a name on a button is trimmed, never refused)."""
    return trim(" ".join(text.split()), limit)


def _cut_point(text: str, limit: int) -> tuple[int, int]:
    """Where to end the first message and where the rest starts: the last paragraph break,
    else line break, else space in the first `limit` units — when it is past half of the room,
    so messages stay full — else a hard cut."""
    end = _longest_prefix(text, limit)
    for separator in ("\n\n", "\n", " "):
        at = text.rfind(separator, 0, end + len(separator))
        if at > limit // 2:
            return at, at + len(separator)
    return end, end


def split_message(text: str, limit: int = MESSAGE_TEXT_LIMIT) -> tuple[str, ...]:
    """`text` as consecutive messages of at most `limit`, split between paragraphs, then lines,
    then words (a word longer than a whole message is cut). Nothing is lost but the separator
    at each cut; no message is empty."""
    if limit < 2:
        raise ValueError("a message limit below 2 UTF-16 units cannot hold every character")
    messages: list[str] = []
    rest = text
    while not fits(rest, limit):
        end, start = _cut_point(rest, limit)
        head = rest[:end]
        if head.strip():
            messages.append(head)
        rest = rest[start:]
    if rest.strip():
        messages.append(rest)
    return tuple(messages)


def caption_and_rest(text: str, limit: int = CAPTION_LIMIT) -> tuple[str, tuple[str, ...]]:
    """A photo caption from the start of `text`, and the messages that carry the rest."""
    if fits(text, limit):
        return text, ()
    end, start = _cut_point(text, limit)
    return text[:end], split_message(text[start:])
