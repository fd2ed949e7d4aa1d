"""Alert rules and the one-alert-per-episode rule (bot.domain.alerts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.alerts import (
    EPISODE_WINDOW,
    WORSENING_HISTORY_DAYS,
    AlertCandidate,
    AlertKind,
    PreviousAlert,
    inactivity_alert_for,
    low_adherence_alert_for,
    red_flag_alert_for,
    severe_leg_pain_alert_for,
    should_raise,
    worsening_alert_for,
)
from bot.domain.pain import DailyPain, Region

START = date(2026, 3, 2)
NOW = datetime(2026, 3, 20, 19, 0, tzinfo=UTC)


def day(n: int) -> date:
    return START + timedelta(days=n)


def legs(values: list[int | None], back: int = 3) -> list[DailyPain]:
    return [DailyPain(day(i), v, back) for i, v in enumerate(values) if v is not None]


# --- worsening -----------------------------------------------------------------------------

STEADY_3 = [3] * 10


@pytest.mark.parametrize(
    ("name", "values", "today", "alerted"),
    [
        ("a sustained rise of three points", [*STEADY_3, 6, 6, 6, 6], 13, True),
        ("the rise shows on only two 3-day means so far", [*STEADY_3, 6, 6, 6], 12, False),
        ("one very bad day", [*STEADY_3, 9, 3, 3, 3], 13, False),
        ("two bad days then back to usual", [*STEADY_3, 7, 7, 3, 3], 13, False),
        ("a rise of one point", [*STEADY_3, 4, 4, 4, 4], 13, False),
        ("a day missed inside the rise still counts", [*STEADY_3, 6, 6, None, 6, 6], 14, True),
        ("too few check-ins to judge", [3, None, None, None, None, 7, None, 7], 7, False),
        ("two points but under 30 % from a high baseline", [7] * 10 + [9, 9, 9, 9], 13, False),
        ("nothing before the rise to compare with", [6, 6, 6], 2, False),
        ("a new client, judged against their first entries", [3, 3, 3, 3, 6, 6, 6, 6], 7, True),
    ],
)
def test_worsening_leg_pain_rule(
    name: str, values: list[int | None], today: int, alerted: bool
) -> None:
    candidate = worsening_alert_for(legs(values), day(today), Region.LEG)
    assert (candidate is not None) is alerted, name
    if candidate is not None:
        assert candidate.kind is AlertKind.WORSENING_LEG


def test_leg_pain_rise_of_two_points_and_thirty_percent_alerts_with_its_evidence() -> None:
    entries = legs([*STEADY_3, 6, 6, 6, 6])
    candidate = worsening_alert_for(entries, day(13), Region.LEG)
    assert candidate is not None
    assert candidate.severity == 2  # 6 against a baseline of 3.27 (one 6 has entered it)
    assert candidate.evidence["baseline_source"] == "recent_days"
    assert candidate.evidence["rolling_mean"] == 6.0
    assert candidate.evidence["baseline"] == pytest.approx(3.27)
    assert candidate.evidence["rise_pct"] == pytest.approx(83.3)
    assert candidate.episode_key == f"worsening_leg:{day(13).isoformat()}"


def test_a_bigger_rise_has_a_higher_severity() -> None:
    moderate = worsening_alert_for(legs([*STEADY_3, 6, 6, 6, 6]), day(13), Region.LEG)
    large = worsening_alert_for(legs([*STEADY_3, 8, 8, 8, 8]), day(13), Region.LEG)
    assert moderate is not None
    assert large is not None
    assert large.severity > moderate.severity


def test_back_pain_is_judged_separately_from_leg_pain() -> None:
    entries = [DailyPain(day(i), 3, 2 if i < 10 else 6) for i in range(14)]
    assert worsening_alert_for(entries, day(13), Region.LEG) is None
    back = worsening_alert_for(entries, day(13), Region.BACK)
    assert back is not None
    assert back.kind is AlertKind.WORSENING_BACK
    assert back.evidence["region"] == "back"


# --- severe leg pain -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "today", "severity"),
    [
        ([3, 8], 1, 8),
        ([3, 10], 1, 10),
        ([3, 7], 1, None),
        ([9, 3], 1, None),  # yesterday's 9 was yesterday's alert
        ([9, None], 1, None),  # no check-in today
    ],
)
def test_leg_pain_of_eight_or_more_on_the_day_is_its_own_alert(
    values: list[int | None], today: int, severity: int | None
) -> None:
    candidate = severe_leg_pain_alert_for(legs(values), day(today))
    if severity is None:
        assert candidate is None
    else:
        assert candidate is not None
        assert candidate.kind is AlertKind.SEVERE_LEG_PAIN
        assert candidate.severity == severity
        assert candidate.evidence["leg"] == severity


# --- inactivity ----------------------------------------------------------------------------

TODAY = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("last_checkin", "last_exercise", "enrolled_ago", "severity"),
    [
        (2, None, 30, None),  # checked in two days ago
        (3, 3, 30, 1),  # nothing on the 3 days ending today
        (5, 1, 30, None),  # exercised yesterday
        (1, 9, 30, None),  # checked in yesterday
        (None, None, 0, None),  # enrolled today
        (None, None, 1, None),
        (None, None, 2, 1),  # enrolled two days ago and silent for 3 days
        (7, 8, 30, 2),  # a week of silence
        (14, None, 30, 3),  # a fortnight
        (40, 40, 3, 1),  # activity before a re-enrolment does not count
    ],
)
def test_no_check_in_and_no_exercise_for_three_days_is_an_inactivity_alert(
    last_checkin: int | None,
    last_exercise: int | None,
    enrolled_ago: int,
    severity: int | None,
) -> None:
    def ago(n: int | None) -> date | None:
        return None if n is None else TODAY - timedelta(days=n)

    candidate = inactivity_alert_for(
        ago(last_checkin), ago(last_exercise), TODAY, TODAY - timedelta(days=enrolled_ago)
    )
    if severity is None:
        assert candidate is None
    else:
        assert candidate is not None
        assert candidate.kind is AlertKind.INACTIVITY
        assert candidate.severity == severity


def test_inactivity_is_one_episode_until_the_client_does_something() -> None:
    last = TODAY - timedelta(days=5)
    keys = {
        candidate.episode_key
        for n in range(3, 6)
        if (candidate := inactivity_alert_for(last, None, last + timedelta(days=n), last))
    }
    assert keys == {f"inactivity:{last.isoformat()}"}


# --- adherence -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pct", "severity"),
    [(None, None), (100.0, None), (50.0, None), (49.9, 1), (25.0, 1), (24.9, 2), (0.0, 2)],
)
def test_adherence_under_half_for_a_week_alerts(pct: float | None, severity: int | None) -> None:
    week = date(2026, 3, 16)
    candidate = low_adherence_alert_for(pct, week)
    if severity is None:
        assert candidate is None
    else:
        assert candidate is not None
        assert candidate.severity == severity
        assert candidate.episode_key == "low_adherence:2026-03-16"


# --- red flags -----------------------------------------------------------------------------


def test_any_red_flag_is_an_alert() -> None:
    candidate = red_flag_alert_for(
        ["saddle_numbness", "bladder_bowel", "saddle_numbness"], reported_at=NOW, source="screen"
    )
    assert candidate is not None
    assert candidate.kind is AlertKind.RED_FLAG
    assert candidate.evidence["flags"] == "saddle_numbness,bladder_bowel"
    assert red_flag_alert_for([], reported_at=NOW, source="screen") is None


# --- the episode rule ----------------------------------------------------------------------


def candidate(kind: AlertKind, severity: int = 1, key: str = "k") -> AlertCandidate:
    return AlertCandidate(kind=kind, severity=severity, evidence={}, episode_key=key)


def previous(
    kind: AlertKind,
    severity: int = 1,
    hours_ago: float = 1,
    acknowledged_hours_ago: float | None = None,
    key: str = "k",
) -> PreviousAlert:
    return PreviousAlert(
        kind=kind,
        severity=severity,
        raised_at=NOW - timedelta(hours=hours_ago),
        acknowledged_at=(
            None
            if acknowledged_hours_ago is None
            else NOW - timedelta(hours=acknowledged_hours_ago)
        ),
        episode_key=key,
    )


W = AlertKind.WORSENING_LEG
R = AlertKind.RED_FLAG


@pytest.mark.parametrize(
    ("name", "new", "before", "raised"),
    [
        ("first alert of its kind", candidate(W), None, True),
        ("red flags are never deduplicated", candidate(R), previous(R, hours_ago=0.1), True),
        ("red flag after an acknowledged one", candidate(R), previous(R, 5, 1, 0.5), True),
        ("same kind a day later", candidate(W), previous(W, hours_ago=24), False),
        ("same kind just inside 72 h", candidate(W), previous(W, hours_ago=71.9), False),
        ("same kind 72 h later", candidate(W), previous(W, hours_ago=72), True),
        ("worse within 72 h", candidate(W, 3), previous(W, 2, hours_ago=1), True),
        ("less bad within 72 h", candidate(W, 2), previous(W, 3, hours_ago=1), False),
        ("another kind", candidate(W), previous(AlertKind.SEVERE_LEG_PAIN), True),
        (
            "acknowledged episode does not remind again",
            candidate(AlertKind.INACTIVITY, key="inactivity:2026-03-01"),
            previous(AlertKind.INACTIVITY, 1, 200, 150, key="inactivity:2026-03-01"),
            False,
        ),
        (
            "acknowledged episode that got worse",
            candidate(AlertKind.INACTIVITY, 2, key="inactivity:2026-03-01"),
            previous(AlertKind.INACTIVITY, 1, 200, 150, key="inactivity:2026-03-01"),
            True,
        ),
        (
            "acknowledged recently: quiet for 72 h from the acknowledgement",
            candidate(W, key="worsening_leg:b"),
            previous(W, 2, hours_ago=80, acknowledged_hours_ago=10, key="worsening_leg:a"),
            False,
        ),
        (
            "acknowledged over 72 h ago and still firing",
            candidate(W, key="worsening_leg:b"),
            previous(W, 2, hours_ago=100, acknowledged_hours_ago=73, key="worsening_leg:a"),
            True,
        ),
    ],
)
def test_one_alert_per_episode(
    name: str, new: AlertCandidate, before: PreviousAlert | None, raised: bool
) -> None:
    assert should_raise(new, before, NOW) is raised, name


def test_episode_window_is_seventy_two_hours() -> None:
    assert timedelta(hours=72) == EPISODE_WINDOW


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=5, max_size=45),
    region=st.sampled_from(Region),
)
def test_worsening_needs_only_the_recent_history_and_the_first_three_entries(
    values: list[int | None], region: Region
) -> None:
    entries = (
        legs(values) if region is Region.LEG else [DailyPain(e.day, 3, e.leg) for e in legs(values)]
    )
    today = day(len(values) - 1)
    recent_from = today - timedelta(days=WORSENING_HISTORY_DAYS - 1)
    trimmed = sorted(entries, key=lambda e: e.day)[:3] + [
        e for e in entries if e.day >= recent_from
    ]
    assert worsening_alert_for(trimmed, today, region) == worsening_alert_for(
        entries, today, region
    )
