"""Client safety and rights: the red-flag screen ``rf:<o|w|s>:<question>:<y|n>``, the weekly
questionnaire ``sbi:<answers so far, one digit 0-6 each>`` and erasure ``del:yes:<client>`` /
``del:no``."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, ClassVar

from bot.buttons import Area, Button, Digits, Word
from bot.buttons.fields import ClientId
from bot.domain.red_flags import RED_FLAG_QUESTIONS
from bot.domain.sbi import SBI_ITEM_MAX, SBI_ITEM_MIN, SBI_ITEMS


class ScreenSource(enum.StrEnum):
    ONBOARDING = "o"
    WEEKLY = "w"
    SYMPTOMS = "s"


class Answer(enum.StrEnum):
    YES = "y"
    NO = "n"


@dataclass(frozen=True)
class RedFlagAnswer(Button):
    tag: ClassVar[str] = "rf"
    source: ScreenSource
    index: Annotated[int, Digits(0, len(RED_FLAG_QUESTIONS) - 1)]
    answer: Answer


RED_FLAGS: Area[RedFlagAnswer] = Area("rf", RedFlagAnswer)


@dataclass(frozen=True)
class SbiAnswers(Button):
    """The answers so far ride in the data, one digit per item, so nothing is kept between
    presses; four digits complete the questionnaire."""

    tag: ClassVar[str] = "sbi"
    answered: Annotated[str, Word(rf"[{SBI_ITEM_MIN}-{SBI_ITEM_MAX}]{{1,{len(SBI_ITEMS)}}}", "3")]

    @property
    def scores(self) -> list[int]:
        return [int(digit) for digit in self.answered]


SBI: Area[SbiAnswers] = Area("sbi", SbiAnswers)


@dataclass(frozen=True)
class ConfirmDelete(Button):
    tag: ClassVar[str] = "del:yes"
    client_id: ClientId


@dataclass(frozen=True)
class KeepData(Button):
    tag: ClassVar[str] = "del:no"


DeleteButton = ConfirmDelete | KeepData
DELETE: Area[DeleteButton] = Area("del", ConfirmDelete, KeepData)
