"""Field types shared by several areas' buttons."""

from __future__ import annotations

from typing import Annotated

from bot.buttons import Digits, RecordId, Word
from bot.content import SLUG_MAX_CHARS, SLUG_PATTERN

ClientId = Annotated[int, RecordId("client")]
DeliveryId = Annotated[int, RecordId("delivery")]
AlertId = Annotated[int, RecordId("alert")]
# Numeric rating scale 0-10 (DESIGN.md, clinical rules).
Score = Annotated[int, Digits(0, 10)]
# An exercise's slug (content/exercises/<slug>.md), as the content check allows it.
Slug = Annotated[
    str,
    Word(rf"(?=.{{1,{SLUG_MAX_CHARS}}}\Z){SLUG_PATTERN.pattern}", "glute-bridge"),
]
