"""Short everyday replies ("done", "thanks", "ok") that have an obvious meaning in this chat.

A client answering a reminder in words ("done!") or saying "thanks" should be understood, not
told "I'm not sure what you mean". Only whole short messages count: "done my stretches but my
leg hurts" is a sentence for the other readers (red flags, exercise questions), not a tap.
"""

from __future__ import annotations

import enum
import re
from typing import Final


class ShortReply(enum.StrEnum):
    DONE = "done"
    THANKS = "thanks"
    OK = "ok"


# Longer than any phrase below with a little punctuation; a longer message is a sentence.
MAX_CHARS: Final = 32

_PHRASES: Final[dict[ShortReply, tuple[str, ...]]] = {
    ShortReply.DONE: (
        "done",
        "all done",
        "done it",
        "did it",
        "did them",
        "done them",
        "done them all",
        "did them all",
        "finished",
        "completed",
        "exercises done",
        "done thanks",
        "done thank you",
        "✅",
    ),
    ShortReply.THANKS: (
        "thanks",
        "thank you",
        "thank you so much",
        "thanks a lot",
        "many thanks",
        "thx",
        "ty",
        "ta",
        "cheers",
        "🙏",
    ),
    ShortReply.OK: ("ok", "okay", "k", "okey", "got it", "great", "cool", "sure", "👍", "👌"),
}
_LOOKUP: Final = {phrase: kind for kind, phrases in _PHRASES.items() for phrase in phrases}
# Punctuation, and trailing courtesies, that do not change the meaning ("Done!", "thanks x").
_PUNCTUATION = re.compile(r"[\s.!?,:;)(\-]+")
_TRAILING: Final = frozenset({"x", "xx", "xxx", "😊", "🙂", "👍", "✅", "🙏", "please"})


def short_reply(text: str) -> ShortReply | None:
    """What a whole short message means, or None when it is not one of these replies."""
    if len(text) > MAX_CHARS:
        return None
    words = _PUNCTUATION.sub(" ", text.lower()).split()
    while len(words) > 1 and words[-1] in _TRAILING:
        words.pop()
    cleaned = " ".join(words)
    if cleaned in _LOOKUP:
        return _LOOKUP[cleaned]
    # "ok thanks", "great, done": what follows the acknowledgement is what it means.
    first, _, rest = cleaned.partition(" ")
    if _LOOKUP.get(first) is ShortReply.OK and _LOOKUP.get(rest) in (
        ShortReply.THANKS,
        ShortReply.DONE,
    ):
        return _LOOKUP[rest]
    return None
