"""Weekly summary rows and their order (bot.domain.summary)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.summary import (
    AttentionReason,
    ClientWeek,
    attention_reasons,
    summary_row,
    summary_rows,
)

STEADY = ClientWeek(
    client_id=1,
    name="Steady Sam",
    status="active",
    adherence_this_week=80.0,
    adherence_last_week=70.0,
    leg_pain_this_week=3.0,
    leg_pain_last_week=3.5,
    sbi_this_week=8,
    sbi_last_week=10,
)


def client(**changes: object) -> ClientWeek:
    return replace(STEADY, **changes)  # type: ignore[arg-type]


def test_a_row_shows_this_week_and_the_change_since_last_week() -> None:
    row = summary_row(STEADY)
    assert row.adherence_pct == 80.0
    assert row.adherence_change == pytest.approx(10.0)
    assert row.leg_pain == 3.0
    assert row.leg_pain_change == pytest.approx(-0.5)
    assert row.leg_pain_trend == "→"
    assert (row.sbi, row.sbi_change) == (8, -2)
    assert not row.needs_attention


def test_missing_weeks_show_no_change_rather_than_a_made_up_one() -> None:
    row = summary_row(client(adherence_last_week=None, leg_pain_last_week=None, sbi_this_week=None))
    assert row.adherence_change is None
    assert row.leg_pain_change is None
    assert row.leg_pain_trend is None
    assert row.sbi_change is None


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({}, ()),
        ({"alert_kinds": frozenset({"red_flag"})}, (AttentionReason.RED_FLAG,)),
        ({"alert_kinds": frozenset({"worsening_leg"})}, (AttentionReason.WORSENING,)),
        ({"alert_kinds": frozenset({"severe_leg_pain"})}, (AttentionReason.WORSENING,)),
        # the week's mean leg pain up by the MCID (2 points and 30 %) with no alert raised
        ({"leg_pain_this_week": 5.5}, (AttentionReason.WORSENING,)),
        ({"leg_pain_this_week": 5.0}, ()),  # +1.5: not a clinically important rise
        ({"adherence_this_week": 49.0}, (AttentionReason.LOW_ADHERENCE,)),
        ({"adherence_this_week": 50.0}, ()),
        ({"adherence_this_week": None}, ()),  # nothing prescribed this week
        ({"alert_kinds": frozenset({"inactivity"})}, (AttentionReason.INACTIVE,)),
        ({"status": "blocked"}, (AttentionReason.UNREACHABLE,)),
        (
            {"alert_kinds": frozenset({"red_flag", "worsening_back"}), "adherence_this_week": 10.0},
            (AttentionReason.RED_FLAG, AttentionReason.WORSENING, AttentionReason.LOW_ADHERENCE),
        ),
    ],
)
def test_who_needs_attention(
    changes: dict[str, object], reasons: tuple[AttentionReason, ...]
) -> None:
    assert attention_reasons(client(**changes)) == reasons
    assert summary_row(client(**changes)).needs_attention is bool(reasons)


def test_rows_put_red_flags_first_then_worsening_then_low_adherence_then_by_name() -> None:
    rows = summary_rows(
        [
            client(client_id=1, name="zoe"),
            client(client_id=2, name="Adam"),
            client(client_id=3, name="Yusuf", adherence_this_week=20.0),
            client(client_id=4, name="Bea", alert_kinds=frozenset({"worsening_leg"})),
            client(client_id=5, name="Xena", alert_kinds=frozenset({"red_flag"})),
            client(client_id=6, name="carl", adherence_this_week=30.0),
            client(client_id=7, name="Dee", alert_kinds=frozenset({"inactivity"})),
            client(
                client_id=8,
                name="Abe",
                alert_kinds=frozenset({"worsening_leg"}),
                adherence_this_week=10.0,
            ),
        ]
    )
    assert [row.name for row in rows] == [
        "Xena",  # red flag
        "Abe",  # worsening (and low adherence)
        "Bea",  # worsening
        "carl",  # low adherence, names compared without case
        "Yusuf",
        "Dee",  # inactive
        "Adam",  # nothing to look at
        "zoe",
    ]
