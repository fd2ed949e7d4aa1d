"""Field types shared by several areas' buttons."""

from __future__ import annotations

from typing import Annotated

from bot.buttons import Digits, RecordId, Word

ClientId = Annotated[int, RecordId("client")]
DeliveryId = Annotated[int, RecordId("delivery")]
AlertId = Annotated[int, RecordId("alert")]
# Numeric rating scale 0-10 (DESIGN.md, clinical rules).
Score = Annotated[int, Digits(0, 10)]
# An exercise's slug (content/exercises/<slug>.md): lower-case ASCII words joined by hyphens.
Slug = Annotated[str, Word(r"[a-z0-9][a-z0-9-]{0,39}", "glute-bridge")]
