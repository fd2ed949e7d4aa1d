"""Callback data: every button packs to at most 64 ASCII bytes and reads back as itself, and
anything else (18-digit ids, Unicode digits, junk, extra or missing parts) reads as None."""

from __future__ import annotations

from datetime import date

import pytest

from bot.buttons import CALLBACK_DATA_MAX_BYTES, DB_INTEGER_MAX, Button
from bot.buttons.checkin import PAIN, BackPain, LegPain
from bot.buttons.reminders import REMINDERS, ReminderAnswer, ReminderPress
from bot.buttons.therapist import PRESCRIPTION, ChooseVariant, DraftStep, ShowStep
from bot.handlers.buttons import ButtonHandler
from bot.services.prescriptions import Variant
from tests.support.harness import AnyApplication


def all_button_kinds(app: AnyApplication) -> list[type[Button]]:
    return [
        kind
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, ButtonHandler)
        for kind in handler.area.kinds
    ]


def test_every_registered_button_packs_short_ascii_and_reads_back(
    application: AnyApplication,
) -> None:
    kinds = all_button_kinds(application)
    assert len(kinds) >= 20
    for kind in kinds:
        button = kind.example()
        data = button.pack()
        assert data.isascii() and len(data.encode()) <= CALLBACK_DATA_MAX_BYTES
        assert kind.parse(data) == button


@pytest.mark.parametrize(
    "data",
    [
        "rem:done:123456789012345678",  # beyond 64 bits on SQLite, beyond int4 on PostgreSQL
        f"rem:done:{DB_INTEGER_MAX + 1}",
        "rem:done:²",
        "rem:done:0",
        "rem:done:007",
        "rem:done:-1",
        "rem:done:+5",
        "rem:done: 5",
        "rem:done:5:extra",
        "rem:done",
        "rem:why:5:bored",
        "rem:later:5",
        "rem:done:٣",  # Arabic-Indic digit three
        "rem",
        "",
    ],
)
def test_malformed_reminder_data_reads_as_nothing(data: str) -> None:
    assert REMINDERS.parse(data) is None


@pytest.mark.parametrize(
    "data",
    ["pain:leg:11", "pain:leg:²", "pain:back:5:x", "pain:back:5:5:20261399", "pain:upd:5:5"],
)
def test_out_of_range_or_malformed_scores_read_as_nothing(data: str) -> None:
    assert PAIN.parse(data) is None


def test_the_prescription_letters_are_typed_actions() -> None:
    assert PRESCRIPTION.parse("rx:review:7") == ShowStep(DraftStep.REVIEW, 7)
    assert PRESCRIPTION.parse("rx:d:7:glute-bridge:easier") == ChooseVariant(
        7, "glute-bridge", Variant.EASIER
    )
    assert PRESCRIPTION.parse("rx:n:7:4") is None  # at most 3 times a day
    assert PRESCRIPTION.parse("rx:t:7:Glute Bridge") is None
    assert PRESCRIPTION.parse("rx:q:7") is None


def test_packing_refuses_values_the_data_cannot_carry() -> None:
    with pytest.raises(ValueError, match="ReminderPress"):
        ReminderPress(ReminderAnswer.DONE, DB_INTEGER_MAX + 1).pack()
    with pytest.raises(ValueError, match="LegPain"):
        LegPain(11).pack()
    assert BackPain(3, 4, date(2026, 6, 1)).pack() == "pain:back:3:4:20260601"
    assert LegPain(0).pack() == "pain:leg:0"
