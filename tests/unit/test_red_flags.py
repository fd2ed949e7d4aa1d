"""The cauda equina red-flag screen and free-text detection (bot.domain.red_flags)."""

from __future__ import annotations

import pytest

from bot.domain.red_flags import (
    BLADDER_BOWEL,
    BOTH_LEGS,
    NEW_WEAKNESS,
    RED_FLAG_QUESTIONS,
    SADDLE_NUMBNESS,
    SEXUAL_DYSFUNCTION,
    positive_answers,
    red_flags_in_text,
    screen_positive,
)


def test_the_screen_asks_the_five_cauda_equina_questions() -> None:
    assert tuple(RED_FLAG_QUESTIONS) == (
        BOTH_LEGS,
        NEW_WEAKNESS,
        SADDLE_NUMBNESS,
        BLADDER_BOWEL,
        SEXUAL_DYSFUNCTION,
    )
    assert all(question.endswith("?") for question in RED_FLAG_QUESTIONS.values())


def test_any_yes_makes_the_screen_positive() -> None:
    all_no = dict.fromkeys(RED_FLAG_QUESTIONS, False)
    assert not screen_positive(all_no)
    assert screen_positive({**all_no, BLADDER_BOWEL: True})
    assert positive_answers({SEXUAL_DYSFUNCTION: True, BOTH_LEGS: True}) == (
        BOTH_LEGS,
        SEXUAL_DYSFUNCTION,
    )
    assert not screen_positive({})


def test_a_misspelt_question_key_is_an_error_not_a_no() -> None:
    with pytest.raises(ValueError, match="bladder"):
        screen_positive({"bladder": True})


POSITIVES: list[tuple[str, str]] = [
    ("numb between my legs", SADDLE_NUMBNESS),
    ("numbness in my saddle area", SADDLE_NUMBNESS),
    ("It's gone numb down below", SADDLE_NUMBNESS),
    ("can't feel my bum when wiping", SADDLE_NUMBNESS),
    ("I can’t feel the toilet paper when I wipe", SADDLE_NUMBNESS),
    ("no feeling in my groin", SADDLE_NUMBNESS),
    ("my bum is numb", SADDLE_NUMBNESS),
    ("tingling in my genitals since last night", SADDLE_NUMBNESS),
    ("NUMBNESS BETWEEN MY LEGS", SADDLE_NUMBNESS),
    ("can't pee", BLADDER_BOWEL),
    ("cannot wee this morning", BLADDER_BOWEL),
    ("trouble peeing", BLADDER_BOWEL),
    ("I wet myself on the way home", BLADDER_BOWEL),
    ("lost control of my bladder/bowels", BLADDER_BOWEL),
    ("difficulty passing urine since yesterday", BLADDER_BOWEL),
    ("struggling to wee", BLADDER_BOWEL),
    ("didn't know I needed a wee until it was too late", BLADDER_BOWEL),
    ("bowels not working properly", BLADDER_BOWEL),
    ("a bit of incontinence", BLADDER_BOWEL),
    ("no urge to pee at all today", BLADDER_BOWEL),
    ("pain in both legs", BOTH_LEGS),
    ("both legs are numb", BOTH_LEGS),
    ("both my legs hurt today", BOTH_LEGS),
    ("pins and needles in both feet", BOTH_LEGS),
    ("sciatica in both sides now", BOTH_LEGS),
    ("my legs are tingling", BOTH_LEGS),
    ("legs are getting weaker", NEW_WEAKNESS),
    ("my leg keeps giving way", NEW_WEAKNESS),
    ("weakness in my right leg", NEW_WEAKNESS),
    ("my left foot is dragging", NEW_WEAKNESS),
    ("knee keeps buckling on the stairs", NEW_WEAKNESS),
    ("can't lift my foot properly", NEW_WEAKNESS),
    ("think I have foot drop", NEW_WEAKNESS),
    ("erection problems", SEXUAL_DYSFUNCTION),
    ("can't get an erection", SEXUAL_DYSFUNCTION),
    ("numb during sex", SEXUAL_DYSFUNCTION),
]


@pytest.mark.parametrize(("text", "flag"), POSITIVES)
def test_red_flags_in_free_text_are_spotted(text: str, flag: str) -> None:
    assert flag in red_flags_in_text(text)


NEGATIVES = [
    "my left leg hurts",
    "did the bridge, legs tired",
    "pee break then exercises",
    "both exercises done",
    "both stretches done, back feels looser",
    "right leg pain 6 today",
    "numbness in my left foot again",
    "my bum hurts after sitting all day",
    "pain in my buttock from sitting",
    "went for a wee then did the clamshells",
    "felt weak after the flu but exercises done",
    "my weak glutes are getting stronger",
    "legs feel stronger today",
    "knees fine, back stiff",
    "numb on the bottom of my foot",
    "my leg is fine, my glutes are weak",
    "did both sets of bridges, no pain",
    "toilet break then back to work",
    "I can walk on my toes and heels fine",
    "back pain on both sides today",
    "hamstring stretch felt good on both sides",
    "sciatica on the left side only",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_messages_raise_no_red_flag(text: str) -> None:
    assert red_flags_in_text(text) == ()


def test_the_table_is_big_enough_to_mean_something() -> None:
    assert len(POSITIVES) >= 25
    assert len(NEGATIVES) >= 15
    assert {flag for _, flag in POSITIVES} == set(RED_FLAG_QUESTIONS)


def test_several_flags_in_one_message_come_back_in_screen_order() -> None:
    text = "Can't pee and it's numb between my legs. Pain in both legs too."
    assert red_flags_in_text(text) == (BOTH_LEGS, SADDLE_NUMBNESS, BLADDER_BOWEL)
