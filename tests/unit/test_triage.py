"""One ranking of a therapist's clients by need (bot.domain.triage)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.domain.adherence import Outcome, SlotOutcome
from bot.domain.pain import DailyPain
from bot.domain.triage import (
    AlertFact,
    ClientFacts,
    Need,
    triage,
    triage_one,
)

# Monday 8 June 2026; last complete week is Mon 1 – Sun 7 June.
TODAY = date(2026, 6, 8)
LAST_MONDAY = date(2026, 6, 1)


def _daily(
    legs: list[int], *, back: int = 2, last: date = TODAY - timedelta(days=1)
) -> tuple[DailyPain, ...]:
    first = last - timedelta(days=len(legs) - 1)
    return tuple(
        DailyPain(day=first + timedelta(days=i), leg=leg, back=back) for i, leg in enumerate(legs)
    )


def _slots(done_of_seven: int, week: date = LAST_MONDAY) -> tuple[SlotOutcome, ...]:
    return tuple(
        SlotOutcome(week + timedelta(days=i), Outcome.DONE if i < done_of_seven else None)
        for i in range(7)
    )


STEADY = ClientFacts(
    client_id=1,
    name="Sam Steady",
    status="active",
    today=TODAY,
    enrolled_on=TODAY - timedelta(days=60),
    has_prescription=True,
    pain=_daily([3, 3, 4, 3, 3, 2, 3] * 3),
    slots=_slots(7, LAST_MONDAY - timedelta(weeks=1)) + _slots(7),
    last_checkin=TODAY - timedelta(days=1),
    last_exercise=TODAY - timedelta(days=1),
)


def client(client_id: int, name: str, **changes: object) -> ClientFacts:
    return replace(STEADY, client_id=client_id, name=name, **changes)  # type: ignore[arg-type]


def test_a_steady_client_with_a_programme_needs_nothing() -> None:
    placed = triage_one(STEADY)
    assert placed.need is Need.NONE and not placed.needs_attention
    assert placed.adherence_last_week == 100.0
    assert not placed.checked_in_today


def test_leg_pain_3_3_3_6_7_7_7_is_worsening_before_any_alert_exists() -> None:
    worse = client(2, "Wendy Worse", pain=_daily([3] * 14 + [3, 3, 3, 6, 7, 7, 7]))
    placed = triage_one(worse)
    assert placed.need is Need.WORSENING and placed.needs_attention
    assert placed.leg_rise is not None and placed.leg_rise >= 3.0
    assert placed.open_alert_kinds == ()


def test_after_acknowledge_the_worsening_client_stays_flagged_above_stable_ones() -> None:
    pain = _daily([3] * 14 + [3, 3, 3, 6, 7, 7, 7])
    alert_day = TODAY - timedelta(days=1)
    open_alert = client(
        2, "Aaron Worse", pain=pain, alerts=(AlertFact("worsening_leg", alert_day, True),)
    )
    seen_alert = replace(open_alert, alerts=(AlertFact("worsening_leg", alert_day, False),))

    assert triage_one(open_alert).need is Need.OPEN_ALERT
    placed = triage_one(seen_alert)
    assert placed.need is Need.WORSENING
    assert placed.seen_alert_kinds == ("worsening_leg",)
    # Alphabetically first would be a steady "Aaron"; the worsening one still comes first.
    ranked = triage([client(3, "Aardvark Steady"), seen_alert])
    assert [t.name for t in ranked] == ["Aaron Worse", "Aardvark Steady"]


def test_a_seen_alert_whose_condition_has_passed_no_longer_flags() -> None:
    recovered = client(
        2, "Rita Recovered", alerts=(AlertFact("worsening_leg", TODAY - timedelta(days=10), False),)
    )
    placed = triage_one(recovered)
    assert placed.need is Need.NONE and placed.seen_alert_kinds == ()


def test_the_order_is_red_flag_open_alert_worsening_adherence_silence_awaiting_rest() -> None:
    week_ago = TODAY - timedelta(days=7)
    clients = [
        client(1, "Zoe Fine"),
        client(
            2,
            "Yan New",
            has_prescription=False,
            enrolled_on=TODAY - timedelta(days=1),
            pain=(),
            slots=(),
            last_checkin=None,
            last_exercise=None,
        ),
        client(
            3,
            "Xia Silent",
            pain=_daily([3] * 14, last=TODAY - timedelta(days=6)),
            last_checkin=TODAY - timedelta(days=6),
            last_exercise=TODAY - timedelta(days=6),
        ),
        client(4, "Will Lazy", slots=_slots(2)),
        client(5, "Vic Worse", pain=_daily([2] * 14 + [2, 2, 6, 7, 8])),
        client(6, "Uma Alerted", alerts=(AlertFact("inactivity", TODAY, True),)),
        client(7, "Tom Flag", alerts=(AlertFact("red_flag", week_ago + timedelta(days=2), False),)),
    ]
    ranked = triage(clients)
    assert [(t.name, t.need) for t in ranked] == [
        ("Tom Flag", Need.URGENT),
        ("Uma Alerted", Need.OPEN_ALERT),
        ("Vic Worse", Need.WORSENING),
        ("Will Lazy", Need.ADHERENCE_FALLING),
        ("Xia Silent", Need.SILENT),
        ("Yan New", Need.AWAITING_PRESCRIPTION),
        ("Zoe Fine", Need.NONE),
    ]
    assert [t.needs_attention for t in ranked] == [True] * 5 + [False] * 2


def test_new_clients_who_have_not_checked_in_yet_are_not_flagged_silent() -> None:
    joined_yesterday = client(
        2,
        "Nia New",
        enrolled_on=TODAY - timedelta(days=1),
        pain=(),
        slots=(),
        last_checkin=None,
        last_exercise=None,
    )
    placed = triage_one(joined_yesterday)
    assert placed.need is Need.NONE and placed.silent_days == 1
    three_days_on = replace(joined_yesterday, enrolled_on=TODAY - timedelta(days=3))
    assert triage_one(three_days_on).need is Need.SILENT


def test_a_client_without_a_prescription_awaits_one_and_is_not_an_emergency() -> None:
    placed = triage_one(client(2, "Pat NoRx", has_prescription=False, slots=()))
    assert placed.need is Need.AWAITING_PRESCRIPTION and not placed.needs_attention
    flagged = triage_one(
        client(
            3,
            "Quin",
            has_prescription=False,
            slots=(),
            alerts=(AlertFact("inactivity", TODAY, True),),
        )
    )
    assert flagged.needs == (Need.OPEN_ALERT, Need.AWAITING_PRESCRIPTION)


def test_adherence_falls_under_half_or_by_25_points_on_the_week_before() -> None:
    assert triage_one(client(2, "A", slots=_slots(3))).need is Need.ADHERENCE_FALLING
    dropped = _slots(7, LAST_MONDAY - timedelta(weeks=1)) + _slots(5)
    placed = triage_one(client(3, "B", slots=dropped))
    assert placed.need is Need.ADHERENCE_FALLING
    assert round(placed.adherence_week_before or 0) == 100
    assert round(placed.adherence_last_week or 0) == 71
    steady_high = _slots(6, LAST_MONDAY - timedelta(weeks=1)) + _slots(5)
    assert triage_one(client(4, "C", slots=steady_high)).need is Need.NONE


def test_silence_is_judged_against_the_clients_usual_cadence_never_under_three_days() -> None:
    every_fourth = tuple(
        DailyPain(day=TODAY - timedelta(days=d), leg=3, back=2) for d in range(4, 40, 4)
    )
    # Last check-in 4 days ago (3 silent days): usual for someone who checks in every 4 days.
    rare = client(
        2,
        "Rae Rare",
        pain=every_fourth,
        last_checkin=TODAY - timedelta(days=4),
        last_exercise=None,
    )
    placed = triage_one(rare)
    assert placed.silent_days == 3 and placed.need is not Need.SILENT
    daily = client(
        3,
        "Dan Daily",
        pain=_daily([3] * 20, last=TODAY - timedelta(days=4)),
        last_checkin=TODAY - timedelta(days=4),
        last_exercise=None,
    )
    assert triage_one(daily).need is Need.SILENT


def test_a_paused_client_is_never_silent_or_falling_behind() -> None:
    paused = client(
        2,
        "P",
        status="paused",
        slots=_slots(0),
        last_checkin=TODAY - timedelta(days=9),
        last_exercise=None,
        pain=(),
    )
    assert triage_one(paused).need is Need.NONE
    blocked = replace(paused, status="blocked")
    assert triage_one(blocked).need is Need.UNREACHABLE
