"""Exercise suggestions on the client card: ``sug:<client>:<action>:<slug>`` — Step up, Ease it,
Stop it or Not yet for one prescribed exercise."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from bot.buttons import Area, Button
from bot.buttons.fields import ClientId, Slug


class SuggestionAction(enum.StrEnum):
    STEP_UP = "up"
    EASE = "ease"
    STOP = "stop"
    NOT_YET = "later"


@dataclass(frozen=True)
class SuggestionPress(Button):
    tag: ClassVar[str] = "sug"
    client_id: ClientId
    action: SuggestionAction
    slug: Slug


SUGGESTIONS: Area[SuggestionPress] = Area("sug", SuggestionPress)
