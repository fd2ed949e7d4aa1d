"""How the alert rules do on seeded diaries as hard as real ones (tests/support/diaries.py).

Every client's check-ins are judged with production's timing (at each check-in, and again when
each local day has ended) and every candidate goes through the episode rule; the alerts are
scored per scenario (tests/support/alert_evaluation.py) and held against the targets for the
`balanced` setting, with `strict` and `sensitive` held to their own trade-off.

The default run uses ALERT_EVAL_N = 40 clients per scenario (720 clients, ~47,000 check-ins,
under a minute of CPU per setting) on the held-out seed. At that size a rate or a share has a
standard error of a few hundredths, so each target is asserted up to 2 standard errors
(`Check.within`): a rule change that really breaks a target fails, chance at n = 40 does not.
The published tables in docs/alerts.md use 150 per scenario, where targets are exact:

    ALERT_EVAL_N=150 python -m pytest tests/unit/test_alert_evaluation_cohort.py -s
    python -m tests.support.alert_evaluation --seed 20260329 --n 150   # the docs tables

`-s` prints the table. Targets the rules do not reach on this cohort even at n = 150 are
listed in `KNOWN_MISSES` and in docs/alerts.md ("Honest limits"); any other target missed
fails.
"""

from __future__ import annotations

import os

import pytest

from bot.domain.alerts import Sensitivity
from tests.support import alert_evaluation as ev
from tests.support.diaries import Diary, cohort

SEED = int(os.environ.get("ALERT_EVAL_SEED", ev.HELD_OUT_SEED))
CLIENTS_PER_SCENARIO = int(os.environ.get("ALERT_EVAL_N", "40"))
# At the full n = 150 every target is held exactly.
ERRORS_ALLOWED = 0.0 if CLIENTS_PER_SCENARIO >= 150 else 2.0

# Targets the balanced setting misses on this cohort (docs/alerts.md, "Honest limits").
KNOWN_MISSES = frozenset(
    {
        "stable: worsening / client-month",
        "stable: pain alerts / client-month",
        "stable, 30 % missing: worsening / client-month",
        "stable, 30 % missing: pain alerts / client-month",
        "stable, weekdays only: worsening / client-month",
        "stable, weekdays only: pain alerts / client-month",
        "stable, every 2-3 days: inactivity / client-month",
        "high usual level, 6 → 8: caught in 7 days",
        "+3, every 2-3 days: caught in 7 days",
    }
)


@pytest.fixture(scope="module")
def diaries() -> list[Diary]:
    return cohort(SEED, CLIENTS_PER_SCENARIO)


@pytest.fixture(scope="module")
def rows(diaries: list[Diary]) -> dict[Sensitivity, list[ev.Row]]:
    return {
        sensitivity: ev.score(diaries, ev.judge_like_production(diaries, sensitivity))
        for sensitivity in Sensitivity
    }


def test_balanced_meets_every_target_but_the_known_limits(
    rows: dict[Sensitivity, list[ev.Row]],
) -> None:
    balanced = rows[Sensitivity.BALANCED]
    found = ev.checks(balanced)
    print(f"\nseed {SEED}, {CLIENTS_PER_SCENARIO} clients per scenario, balanced")  # noqa: T201
    print(ev.markdown(balanced))  # noqa: T201
    for check in found:
        print(check)  # noqa: T201
    unexpected = [
        str(c) for c in found if not c.within(ERRORS_ALLOWED) and c.name not in KNOWN_MISSES
    ]
    assert unexpected == []
    assert len(found) == 36


def test_strict_about_halves_the_false_worsening_alerts(
    rows: dict[Sensitivity, list[ev.Row]],
) -> None:
    balanced = ev.quiet_worsening_rate(rows[Sensitivity.BALANCED])
    strict = ev.quiet_worsening_rate(rows[Sensitivity.STRICT])
    rates = f"balanced {balanced:.3f}, strict {strict:.3f}"
    print(f"\nworsening alerts per quiet client-month: {rates}")  # noqa: T201
    assert strict <= 0.6 * balanced


def test_sensitive_catches_nine_in_ten_rises_of_three_points(
    rows: dict[Sensitivity, list[ev.Row]],
) -> None:
    caught = ev.three_point_catch(rows[Sensitivity.SENSITIVE])
    print(f"\nsensitive: rises of ≥ 3 points caught within 7 days: {caught:.0%}")  # noqa: T201
    assert caught >= 0.9


def test_each_setting_trades_false_alerts_for_caught_rises(
    rows: dict[Sensitivity, list[ev.Row]],
) -> None:
    false = {s: ev.quiet_worsening_rate(r) for s, r in rows.items()}
    caught = {s: ev.three_point_catch(r) for s, r in rows.items()}
    assert false[Sensitivity.STRICT] < false[Sensitivity.BALANCED] < false[Sensitivity.SENSITIVE]
    assert (
        caught[Sensitivity.STRICT] <= caught[Sensitivity.BALANCED] <= caught[Sensitivity.SENSITIVE]
    )
