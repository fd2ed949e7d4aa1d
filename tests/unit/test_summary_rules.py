"""Weekly summary rows (bot.domain.summary): each client's week, in triage order."""

from __future__ import annotations

import pytest

from bot.domain.summary import ClientWeek, summary_row, summary_rows
from bot.domain.triage import Need, Triage

STEADY = ClientWeek(
    client_id=1,
    name="Steady Sam",
    status="active",
    adherence_this_week=80.0,
    adherence_last_week=70.0,
    leg_pain_this_week=3.0,
    leg_pain_last_week=3.5,
    back_pain_this_week=2.0,
    back_pain_last_week=2.0,
    sbi_this_week=8,
    sbi_last_week=10,
)


def _placed(client_id: int, need: Need = Need.NONE) -> Triage:
    return Triage(client_id=client_id, name=f"c{client_id}", need=need, needs=(need,))


def test_a_row_shows_this_week_and_the_change_since_the_week_before() -> None:
    row = summary_row(STEADY, _placed(1))
    assert row.adherence_pct == 80.0
    assert row.adherence_change == pytest.approx(10.0)
    assert (row.leg_pain, row.leg_pain_change, row.leg_pain_trend) == (3.0, -0.5, "→")
    assert (row.back_pain, row.back_pain_change) == (2.0, 0.0)
    assert (row.sbi, row.sbi_change) == (8, -2)
    assert not row.needs_attention


def test_back_pain_logged_this_week_shows_even_without_the_week_before() -> None:
    from dataclasses import replace

    row = summary_row(replace(STEADY, back_pain_last_week=None), _placed(1))
    assert row.back_pain == 2.0 and row.back_pain_change is None


def test_rows_follow_the_triage_order_and_its_verdict() -> None:
    from dataclasses import replace

    weeks = [replace(STEADY, client_id=n, name=f"c{n}") for n in (1, 2, 3)]
    ranked = [_placed(3, Need.WORSENING), _placed(1), _placed(2, Need.AWAITING_PRESCRIPTION)]
    rows = summary_rows(weeks, ranked)
    assert [r.client_id for r in rows] == [3, 1, 2]
    assert [r.needs_attention for r in rows] == [True, False, False]
    assert rows[2].awaiting_prescription
