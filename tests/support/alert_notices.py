"""One alert notice of every kind, each from a real candidate of the domain's own rules.

Texts are tested on these (not on hand-made evidence dictionaries), so a rule whose evidence
changes shape cannot leave its message rendering nonsense unnoticed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.alerts import (
    AlertCandidate,
    AlertKind,
    RedFlagEvidence,
    inactivity_alert_for,
    low_adherence_alert_for,
    pain_trend_alerts,
)
from bot.domain.pain import DailyPain
from bot.services.alerts import AlertNotice

JUDGED = date(2026, 6, 5)
RAISED_AT = datetime(2026, 6, 5, 19, 0, tzinfo=UTC)
# Four weeks of ordinary days around 3 (leg) and 2 (back), then the days under test.
_USUAL = [(3, 2), (2, 2), (3, 3), (4, 2), (3, 1), (3, 2), (2, 2)] * 5


def _diary(last: list[tuple[int, int]]) -> list[DailyPain]:
    scores = [*_USUAL, *last]
    first = JUDGED - timedelta(days=len(scores) - 1)
    return [
        DailyPain(day=first + timedelta(days=i), leg=leg, back=back)
        for i, (leg, back) in enumerate(scores)
    ]


def _one(candidates: list[AlertCandidate], kind: AlertKind) -> AlertCandidate:
    [found] = [c for c in candidates if c.kind is kind]
    return found


def real_candidates() -> dict[str, AlertCandidate]:
    """A candidate of each kind (and each shape of evidence), named for the test ids."""
    worse = pain_trend_alerts(_diary([(7, 6), (7, 7), (7, 6), (7, 7)]), judged_day=JUDGED)
    severe = pain_trend_alerts(_diary([(9, 3)]), judged_day=JUDGED)
    first_day = pain_trend_alerts([DailyPain(day=JUDGED, leg=10, back=4)], judged_day=JUDGED)
    silent = inactivity_alert_for(
        [JUDGED - timedelta(days=6)], judged_day=JUDGED, enrolled_on=JUDGED - timedelta(days=8)
    )
    poor_week = low_adherence_alert_for(28.6, JUDGED - timedelta(days=JUDGED.weekday()))
    assert silent is not None and poor_week is not None
    red_flag = AlertCandidate(
        kind=AlertKind.RED_FLAG,
        severity=1,
        evidence=RedFlagEvidence(signs=("both_legs", "saddle_numbness"), source="screen"),
        episode_key="red_flag:1",
    )
    return {
        "worsening_leg": _one(worse, AlertKind.WORSENING_LEG),
        "worsening_back": _one(worse, AlertKind.WORSENING_BACK),
        "severe_leg_pain": _one(severe, AlertKind.SEVERE_LEG_PAIN),
        "severe_leg_pain_first_checkin": _one(first_day, AlertKind.SEVERE_LEG_PAIN),
        "inactivity": silent,
        "low_adherence": poor_week,
        "red_flag": red_flag,
    }


def notice_for(candidate: AlertCandidate, *, name: str = "Alice Example") -> AlertNotice:
    """The notice the service would hand over for `candidate` (evidence as stored)."""
    return AlertNotice(
        alert_id=1,
        client_id=2,
        client_name=name,
        therapist_telegram_id=3,
        kind=candidate.kind,
        severity=candidate.severity,
        evidence=candidate.evidence.as_json(),
        created_at=RAISED_AT,
    )
