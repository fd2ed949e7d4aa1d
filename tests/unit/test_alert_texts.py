"""What the therapist reads about an alert: the change from the client's usual level, in words.

Every kind is rendered from a real candidate of the domain's rules (tests/support/alert_notices),
with its evidence as stored and read back, so a rule whose evidence changes cannot leave a
message with a raw placeholder or a meaningless percentage.
"""

from __future__ import annotations

import re

import pytest

from bot.domain.alerts import AlertKind
from bot.texts.alerts import TITLES, alert_message, title_for
from tests.support.alert_notices import notice_for, real_candidates

CANDIDATES = real_candidates()
PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)\s*%")


def test_every_alert_kind_of_the_trend_rules_has_a_real_candidate_here() -> None:
    # The aggravating-exercise alert comes from bot.domain.exercise_response, with its own
    # evidence and texts (tests/unit/test_texts_render.py renders it).
    trend_kinds = set(AlertKind) - {AlertKind.AGGRAVATING_EXERCISE}
    assert {c.kind for c in CANDIDATES.values()} == trend_kinds
    assert set(TITLES) == set(AlertKind)


@pytest.mark.parametrize("name", sorted(CANDIDATES))
def test_each_alert_renders_from_its_typed_evidence_with_no_placeholder_or_odd_percentage(
    name: str,
) -> None:
    candidate = CANDIDATES[name]
    text = alert_message(notice_for(candidate))

    assert "{" not in text and "}" not in text, text
    assert "Details:" not in text, "typed evidence must be read back, not shown raw"
    percentages = [float(p) for p in PERCENT.findall(text)]
    if candidate.kind is AlertKind.LOW_ADHERENCE:
        assert percentages and all(0 <= p <= 100 for p in percentages), text
    else:
        # Pain is told in points on the 0-10 scale; silence in days; red flags in words.
        assert percentages == [], text


def test_a_worsening_reads_as_the_change_from_the_usual_level() -> None:
    text = alert_message(notice_for(CANDIDATES["worsening_leg"], name="Alice"))

    assert text.splitlines()[0] == "⚠️ Alice: leg pain is getting worse"
    assert "Usually about 3, the last 4 days about 7: +4 points" in text


def test_severe_leg_pain_says_how_far_above_the_clients_usual_it_is() -> None:
    text = alert_message(notice_for(CANDIDATES["severe_leg_pain"], name="Alice"))

    assert text.splitlines()[0] == "⚠️ Alice: leg pain 9/10"
    assert "leg 9/10 (usually about 3)" in text


def test_evidence_of_an_older_shape_is_shown_plainly_with_a_title_without_figures() -> None:
    old = {"rolling_mean": 7.0, "baseline": 3.0, "rise_pct": 133.3}

    assert title_for(AlertKind.WORSENING_LEG, old, "Alice") == (
        "⚠️ Alice: leg pain is getting worse"
    )
    assert title_for("severe_leg_pain", {"leg": "x"}, "Alice") == "⚠️ Alice: severe leg pain"
