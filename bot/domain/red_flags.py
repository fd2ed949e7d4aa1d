"""The cauda equina syndrome (CES) red-flag screen, and spotting red flags in free text.

DESIGN.md "Clinical rules": pain/numbness in **both** legs; new or worsening leg weakness;
numbness in the saddle area (between the legs, buttocks, genitals); new difficulty passing
urine or controlling bladder/bowels; new problems with sexual function or sensation. Any yes
→ emergency advice and an urgent therapist alert, never waiting for a trend. The wording
follows the warning signs the NHS and the UK CES pathway (GIRFT 2023, "National suspected
CES pathway") give to patients.

`red_flags_in_text` errs towards sensitivity: a missed CES costs a person their continence,
a false hit costs one extra screening question. It does not try to understand negation
("no trouble peeing" still matches), so callers should treat a hit as "ask the screen now" or
escalate — never as a diagnosis, and never as a reason to tell anyone not to seek care.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

BOTH_LEGS: Final = "both_legs"
NEW_WEAKNESS: Final = "new_weakness"
SADDLE_NUMBNESS: Final = "saddle_numbness"
BLADDER_BOWEL: Final = "bladder_bowel"
SEXUAL_DYSFUNCTION: Final = "sexual_dysfunction"

# Yes/no screening questions, in the order they are asked (onboarding, weekly, and whenever the
# client says their symptoms changed — DESIGN.md). The handlers render them.
RED_FLAG_QUESTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        BOTH_LEGS: "Do you have pain, numbness or tingling in both legs?",
        NEW_WEAKNESS: (
            "Is either leg newly weak or getting weaker — for example your foot drags, "
            "or your leg gives way?"
        ),
        SADDLE_NUMBNESS: (
            "Is there any numbness or changed feeling between your legs, around your bottom "
            "or genitals — for example you can't feel the paper when you wipe?"
        ),
        BLADDER_BOWEL: (
            "Have you had any new trouble passing urine, or any loss of control of your "
            "bladder or bowels?"
        ),
        SEXUAL_DYSFUNCTION: (
            # Worded for every client, as the NHS/GIRFT CES card does ("loss of sensation in
            # the genitals during sex"), not as a question about erections only.
            "Have you noticed any new problem with your sexual function or sensation — for "
            "example less feeling in your genitals during sex?"
        ),
    }
)


def positive_answers(answers: Mapping[str, bool]) -> tuple[str, ...]:
    """The red flags answered "yes", in screen order. Raises `ValueError` for unknown keys
    (a misspelt key must not silently read as "no")."""
    unknown = sorted(set(answers) - set(RED_FLAG_QUESTIONS))
    if unknown:
        raise ValueError(f"unknown red-flag question(s): {', '.join(unknown)}")
    return tuple(key for key in RED_FLAG_QUESTIONS if answers.get(key) is True)


def screen_positive(answers: Mapping[str, bool]) -> bool:
    """Any yes is positive; unanswered questions do not make a screen negative or positive."""
    return bool(positive_answers(answers))


# --- free text -------------------------------------------------------------------------------
# Building blocks. `_GAP` bridges a few words inside one clause (no sentence end or comma in
# between, so "my leg is fine, my glutes are weak" does not read as leg weakness).
_GAP = r"[^.,;!?\n]{0,%d}"
_CANT = (
    r"(?:can'?t|cannot|can not|could ?n'?t|could not|unable to|not able to|struggl\w*"
    r"|trouble|difficult\w*|problems?|hard to|hard time|issues?)"
)
_SYMPTOM = (
    r"(?:pain\w*|hurt\w*|ach(?:e|es|ing|y)|sore|numb\w*|tingl\w*|pins and needles|sciatica"
    r"|shooting|burning|throbbing|cramp\w*)"
)
_BILATERAL = (
    r"(?:both (?:of )?(?:my |the )?(?:legs|feet|thighs|calves|hamstrings)"
    r"|(?:left|right) and (?:right|left) (?:legs?|feet|foot|thighs?)"
    r"|down both sides)"
)
_LIMB = r"(?:legs?|foot|feet|knees?|ankles?|thighs?)"
_LOSS = (
    r"(?:numb\w*|tingl\w*|pins and needles|no feeling|lost (?:the |all )?feeling"
    r"|loss of (?:feeling|sensation)|reduced (?:feeling|sensation)|altered sensation"
    r"|(?:can'?t|cannot|can not|could ?n'?t|could not) feel)"
)
_SADDLE = (
    r"(?:saddle|between (?:my|the|your) legs|down below|down there|groin|genital\w*"
    r"|privates?|private (?:parts|area|bits)|bum|bottom(?! of\b)|buttocks?|backside|anus"
    r"|back passage|perineum|vagina\w*|vulva|labia|penis|scrotum|testicles?|inner thighs?)"
)
_TOILET = (
    r"(?:pee|peeing|wee|weeing|urinat\w*|pass(?:ing)? (?:urine|water)"
    r"|empty(?:ing)? (?:my )?bladder|poo|pooing|open(?:ing)? my bowels"
    r"|go to the (?:toilet|loo|bathroom))"
)

_PATTERNS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        BOTH_LEGS: (
            rf"\b{_SYMPTOM}\b{_GAP % 40}\b{_BILATERAL}\b",  # "pain in both legs"
            # "both legs are numb"
            rf"\bboth (?:of )?(?:my |the )?(?:legs|feet)\b{_GAP % 30}\b{_SYMPTOM}",
            rf"\bsciatica\b{_GAP % 20}\bboth sides\b",  # not "back pain on both sides"
            r"\blegs (?:are|were|feel|felt|have gone|went|keep going|both)\b"
            r"[^.,;!?\n]{0,15}\b(?:numb\w*|tingl\w*|dead)",  # "my legs are numb"
        ),
        NEW_WEAKNESS: (
            # "legs are getting weaker", "my leg keeps giving way", "knee buckled"
            rf"\b{_LIMB}\b{_GAP % 20}\b(?:weak\w*|giv(?:es|ing|e) (?:way|out)|gave (?:way|out)"
            r"|buckl\w*|collaps\w*|dragg?ing|floppy|not working|won'?t hold me)",
            rf"\bweak(?:ness|er|ening)? (?:in |of )?(?:my |the |both |one |left |right )*{_LIMB}\b",
            rf"\b{_LIMB} (?:went|gone|go|going) from under me\b",
            r"\bfoot ?drop\b",
            r"\b(?:dropping|dragg?ing|tripping over) (?:my )?(?:left |right )?(?:foot|toes)\b",
            rf"\b{_CANT} (?:lift|raise|move) (?:my )?(?:left |right )?(?:foot|toes|leg)\b",
            rf"\b{_CANT} (?:stand|walk) on (?:my )?(?:toes|tip ?toes|heels?)\b",
        ),
        SADDLE_NUMBNESS: (
            # "numb between my legs", "can't feel my bum when wiping", "no feeling in my groin"
            rf"\b{_LOSS}{_GAP % 30}\b{_SADDLE}",
            rf"\b{_SADDLE}{_GAP % 20}\b(?:numb\w*|tingl\w*|dead|no feeling|feels? nothing)",
            rf"\b{_LOSS}{_GAP % 30}\b(?:toilet paper|the paper|wiping|wipe)\b",
        ),
        BLADDER_BOWEL: (
            rf"\b{_CANT}\b{_GAP % 20}\b{_TOILET}\b",  # "can't pee", "trouble peeing"
            r"\b(?:lost|losing|lose|loss of|no|poor) control (?:of|over) (?:my )?"
            r"(?:bladder|bowels?|wee|pee|urine|toilet)",
            r"\b(?:bladder|bowels?)\b[^.,;!?\n]{0,25}\b(?:control|accident\w*|leak\w*|problem\w*"
            r"|issue\w*|not working|numb\w*)",
            r"\b(?:wet|wetting|peed|pee'?d|weed|wee'?d|pooed|pooped|soiled) (?:myself|me|the bed"
            r"|my (?:pants|trousers|knickers|underwear))\b",
            r"\bincontinen\w*",
            r"\b(?:leak\w*|dribbl\w*)\b[^.,;!?\n]{0,15}\b(?:urine|pee|wee|poo)\b",
            r"\b(?:didn'?t|did not|don'?t|do not|can'?t|cannot) (?:know|tell|feel|realise|realize"
            r"|notice)\b[^.,;!?\n]{0,25}\b(?:need(?:ed)? (?:to|a) (?:pee|wee|poo)|pee|wee|poo"
            r"|peeing|weeing|bladder is full)\b",
            r"\bno (?:urge|need|sensation) to (?:pee|wee|urinate|poo)\b",
            r"\b(?:urinary )?retention\b",
        ),
        SEXUAL_DYSFUNCTION: (
            r"\berect\w*\b[^.,;!?\n]{0,25}\b(?:problem\w*|issue\w*|trouble|difficult\w*"
            r"|dysfunction|lost|loss|gone|can'?t|cannot|won'?t)\b",  # "erection problems"
            rf"\b(?:{_CANT}|no|lost|loss of|losing)\b{_GAP % 20}\berect\w*",
            r"\berectile\b",
            r"\bimpoten\w*",
            rf"\b{_CANT} (?:get|stay|keep it) (?:hard|it up|aroused)\b",
            rf"\b{_CANT}\b{_GAP % 15}\b(?:orgasm\w*|climax\w*|ejaculat\w*)",
            rf"\b{_LOSS}{_GAP % 25}\b(?:during|having|when having|after) sex\b",
            rf"\bsex\b{_GAP % 20}\b(?:numb\w*|no feeling|feel nothing|(?:can'?t|cannot) feel)",
            r"\bsexual (?:dysfunction|problems?|difficult\w*|issues?)\b",
        ),
    }
)


def _compile() -> Mapping[str, re.Pattern[str]]:
    return MappingProxyType(
        {key: re.compile("|".join(f"(?:{p})" for p in pats)) for key, pats in _PATTERNS.items()}
    )


_COMPILED: Final = _compile()


def _normalise(text: str) -> str:
    text = text.casefold().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text)


def red_flags_in_text(text: str) -> tuple[str, ...]:
    """Red-flag keys (as in `RED_FLAG_QUESTIONS`, in that order) that `text` mentions."""
    normalised = _normalise(text)
    return tuple(key for key in RED_FLAG_QUESTIONS if _COMPILED[key].search(normalised))
