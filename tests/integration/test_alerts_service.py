"""Trend alerts through the production path: judged at the check-in, and after the day ends.

The check-in tests drive `record_pain_entry` (what the /pain buttons call) through
`bot.services.alert_replay.replay`, which also runs the day-end pass at the instants the bot
runs it; the pass tests call `judge_finished_days` on a real database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Alert, ExerciseOutcome
from bot.domain.alerts import AlertKind, Sensitivity
from bot.domain.pain import DailyPain
from bot.services.alert_replay import DiaryRow, ReplayedAlert, replay
from bot.services.alerts import acknowledge_alert, judge_checkin, judge_finished_days
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.handlers.client_seed import add_client, add_exercise_slots, add_pain_entries
from tests.support.telegram_payloads import TgUser

NOW = DEFAULT_NOW  # Monday 1 June 2026, 10:00 in London
TODAY = NOW.date()
LONDON = ZoneInfo("Europe/London")
# Four weeks of an ordinary leg around 3 (a real diary wobbles).
USUAL_WEEK = (3, 2, 3, 4, 3, 3, 2)


def _diary(
    first_day: date,
    legs: list[int | None],
    *,
    zone: str = "Europe/London",
    at: time = time(20, 0),
    client: str = "alice",
) -> list[DiaryRow]:
    """One evening check-in a day from `first_day` (None: no check-in that day), back 2."""
    tz = ZoneInfo(zone)
    return [
        DiaryRow(
            client=client,
            timezone=zone,
            at=datetime.combine(first_day + timedelta(days=i), at, tz).astimezone(UTC),
            leg=leg,
            back=2,
            line=i + 2,
        )
        for i, leg in enumerate(legs)
        if leg is not None
    ]


def _checkin_instants(rows: list[DiaryRow]) -> set[datetime]:
    return {r.at for r in rows}


def _of(alerts: list[ReplayedAlert], kind: AlertKind) -> list[ReplayedAlert]:
    return [a for a in alerts if a.kind is kind]


async def test_a_played_week_is_alerted_at_the_checkin_that_makes_the_rise_sustained(
    tmp_path: object,
) -> None:
    # 3,3,3,6,7,7,7: the alert belongs to one of the 7s, read against the usual 3 — not to a
    # morning job whose "usual" already holds the rise.
    start = date(2026, 5, 4)  # a Monday
    rows = _diary(start, [*USUAL_WEEK * 4, 3, 3, 3, 6, 7, 7, 7])
    rise_rows = rows[-4:]

    alerts = await replay(rows)

    worsening = _of(alerts, AlertKind.WORSENING_LEG)
    # At the fourth check-in of the rise (6, 7, 7, 7): far beyond this client's noise, it is
    # told once it has held 4 days (a smaller rise must hold a week); again only when it gets
    # worse (a further whole MCID), each time at a check-in.
    assert [a.raised_at for a in worsening][:1] == [rise_rows[3].at]
    assert {a.raised_at for a in worsening} <= _checkin_instants(rise_rows)
    first = worsening[0].evidence
    # "usually about 3, the last 3 days about 7, +4 points"
    assert (first["usual"], first["recent"], first["rise_points"]) == (3.0, 7.0, 4.0)


async def test_one_bad_day_back_at_the_usual_level_raises_no_worsening() -> None:
    start = date(2026, 5, 4)
    rows = _diary(start, [*USUAL_WEEK * 4, 3, 9, 3, 3, 3, 3, 3])

    alerts = await replay(rows)

    assert _of(alerts, AlertKind.WORSENING_LEG) == []


async def test_the_usual_level_comes_from_all_the_history_the_rule_needs() -> None:
    # Check-ins every other day for three weeks around 2, a fortnight away, then 6 days at 6:
    # the usual level sits more than 14 days back. A service that read less history than the
    # rule declares would take the new level as usual and say nothing.
    start = date(2026, 4, 6)
    before = [2, None, 2, None, 3, None, 2, None, 1, None, 2, None, 2, None, 3, None, 2, None, 2]
    away: list[int | None] = [None] * 13
    rows = _diary(start, [*before, *away, 6, 6, 7, 6, 6, 6])

    alerts = await replay(rows)

    worsening = _of(alerts, AlertKind.WORSENING_LEG)
    assert worsening, alerts
    assert worsening[0].evidence["usual"] == 2.0
    assert worsening[0].raised_at in _checkin_instants(rows[-6:])


async def test_silence_is_raised_just_after_the_clients_own_midnight_never_before() -> None:
    # Enrolled Monday 4 May in Los Angeles, checked in that evening, then silent. Its third
    # silent day (Thursday) ends at 07:00 UTC on Friday: not at London's midnight, not at a
    # morning job while the client's Thursday is still going on.
    rows = _diary(date(2026, 5, 4), [3], zone="America/Los_Angeles", client="la")
    rows += _diary(date(2026, 5, 4), [3], zone="Europe/London", client="london")

    alerts = await replay(rows, until=datetime(2026, 5, 9, tzinfo=UTC))

    first = {a.client: a.raised_at for a in reversed(_of(alerts, AlertKind.INACTIVITY))}
    thursday_ends_la = datetime.combine(
        date(2026, 5, 8), time(0), ZoneInfo("America/Los_Angeles")
    ).astimezone(UTC)
    thursday_ends_london = datetime.combine(date(2026, 5, 8), time(0), LONDON).astimezone(UTC)
    assert first == {"la": thursday_ends_la, "london": thursday_ends_london}


async def test_the_day_end_pass_judges_silence_and_a_finished_week_for_clients_whose_day_ended(
    db: Database,
) -> None:
    silent = await add_client(db, TgUser(id=720_002, first_name="S"), name="Silent")
    await add_pain_entries(db, silent, [(TODAY - timedelta(days=5), 3, 3)])
    lazy = await add_client(db, TgUser(id=720_003, first_name="L"), name="Lazy")
    await add_pain_entries(db, lazy, [(TODAY - timedelta(days=1), 3, 3)])
    far = await add_client(
        db, TgUser(id=720_005, first_name="F"), name="Far", timezone="America/New_York"
    )
    await add_pain_entries(db, far, [(TODAY - timedelta(days=6), 3, 3)])
    # Last week (Mon 25 – Sun 31 May): 7 slots, 2 done → 29 %.
    await add_exercise_slots(
        db,
        lazy,
        [
            (NOW - timedelta(days=d), ExerciseOutcome.DONE if d < 3 else ExerciseOutcome.SKIPPED)
            for d in range(1, 8)
        ],
    )
    london_sunday_ends = datetime.combine(TODAY, time(0), LONDON).astimezone(UTC)

    notices = await judge_finished_days(db, now=london_sunday_ends + timedelta(minutes=3))
    again = await judge_finished_days(db, now=london_sunday_ends + timedelta(minutes=15))

    found = {(n.client_name, n.kind) for n in notices}
    assert found == {("Silent", AlertKind.INACTIVITY), ("Lazy", AlertKind.LOW_ADHERENCE)}
    assert notices[0].created_at == london_sunday_ends + timedelta(minutes=3)
    # New York's Sunday is still going on: judged at its own midnight, not London's.
    assert again == []


async def test_a_day_that_ended_while_the_bot_was_down_is_judged_at_the_next_pass(
    db: Database,
) -> None:
    silent = await add_client(db, TgUser(id=720_012, first_name="S"), name="Silent")
    await add_pain_entries(db, silent, [(TODAY - timedelta(days=5), 3, 3)])
    lazy = await add_client(db, TgUser(id=720_013, first_name="L"), name="Lazy")
    await add_pain_entries(db, lazy, [(TODAY - timedelta(days=1), 3, 3)])
    await add_exercise_slots(
        db,
        lazy,
        [
            (NOW - timedelta(days=d), ExerciseOutcome.DONE if d < 3 else ExerciseOutcome.SKIPPED)
            for d in range(1, 8)
        ],
    )
    london_sunday_ends = datetime.combine(TODAY, time(0), LONDON).astimezone(UTC)
    # The last pass before the bot went down: London's Sunday still going on.
    before = await judge_finished_days(db, now=london_sunday_ends - timedelta(hours=1))
    # Down from then until 01:30 on Monday: the pass at London's midnight never ran.
    restarted = london_sunday_ends + timedelta(hours=2, minutes=30)

    notices = await judge_finished_days(db, now=restarted)
    again = await judge_finished_days(db, now=restarted + timedelta(minutes=15))

    assert before == []
    assert {(n.client_name, n.kind) for n in notices} == {
        ("Silent", AlertKind.INACTIVITY),
        ("Lazy", AlertKind.LOW_ADHERENCE),
    }
    assert {n.created_at for n in notices} == {restarted}
    assert again == []


async def test_a_long_outage_makes_up_only_the_last_days_and_alerts_once(db: Database) -> None:
    silent = await add_client(db, TgUser(id=720_014, first_name="S"), name="Silent")
    await add_pain_entries(db, silent, [(TODAY - timedelta(days=9), 3, 3)])
    london_sunday_ends = datetime.combine(TODAY, time(0), LONDON).astimezone(UTC)
    await judge_finished_days(db, now=london_sunday_ends - timedelta(days=6, hours=1))
    # Down for almost a week: the pass after the restart judges the silence once, up to the
    # last finished day, not once per day missed.

    notices = await judge_finished_days(db, now=london_sunday_ends + timedelta(minutes=20))

    assert [n.kind for n in notices] == [AlertKind.INACTIVITY]
    async with db.sessions() as session:
        stored = (await session.scalars(select(Alert).where(Alert.client_id == silent))).all()
    assert [a.evidence["silent_days"] for a in stored] == [8]


async def test_an_acknowledged_episode_is_not_raised_again(db: Database) -> None:
    client = await add_client(db, TgUser(id=720_004, first_name="B"), name="Bea")
    history = [DailyPain(day=TODAY, leg=10, back=3)]
    async with db.sessions.begin() as session:
        [notice] = await judge_checkin(
            session, client_id=client, day=TODAY, history=history, now=NOW
        )
    assert notice.kind is AlertKind.SEVERE_LEG_PAIN
    result = await acknowledge_alert(
        db, therapist_telegram_id=THERAPIST_ID, alert_id=notice.alert_id, now=NOW
    )
    assert result.outcome == "acknowledged"
    later = NOW + timedelta(hours=80)
    async with db.sessions.begin() as session:
        assert (
            await judge_checkin(session, client_id=client, day=TODAY, history=history, now=later)
            == []
        )
    async with db.sessions() as session:
        assert list((await session.execute(select(Alert.kind))).scalars()) == ["severe_leg_pain"]

    refused = await acknowledge_alert(
        db, therapist_telegram_id=123, alert_id=notice.alert_id, now=NOW
    )
    assert refused.outcome == "not_found"


async def test_alert_sensitivity_reaches_the_rule_from_the_checkin() -> None:
    # Usual about 3, then 5 every evening: "sensitive" tells it sooner than "strict" (a rise of
    # the MCID must hold 5 days for the one, 8 for the other).
    rows = _diary(date(2026, 5, 4), [*USUAL_WEEK * 4, *[5] * 10])

    first = {}
    for setting in (Sensitivity.STRICT, Sensitivity.SENSITIVE):
        worsening = _of(await replay(rows, sensitivity=setting), AlertKind.WORSENING_LEG)
        first[setting] = worsening[0].raised_at

    assert first[Sensitivity.SENSITIVE] == first[Sensitivity.STRICT] - timedelta(days=3)
