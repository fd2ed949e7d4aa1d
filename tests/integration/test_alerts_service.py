"""Trend alerts stored by the service: rules from bot.domain.alerts, one alert per episode."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Alert, ExerciseOutcome
from bot.services.alerts import acknowledge_alert, evaluate_all_alerts, evaluate_client_alerts
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.handlers.client_seed import add_client, add_exercise_slots, add_pain_entries
from tests.support.telegram_payloads import TgUser

NOW = DEFAULT_NOW  # Monday 1 June 2026, 10:00 in London
TODAY = NOW.date()


async def _kinds(db: Database) -> list[str]:
    async with db.sessions() as session:
        return list((await session.execute(select(Alert.kind).order_by(Alert.id))).scalars())


async def test_sustained_leg_pain_rise_raises_one_worsening_alert_with_evidence(
    db: Database,
) -> None:
    client = await add_client(db, TgUser(id=720_001, first_name="A"), name="Alice")
    baseline = [(TODAY - timedelta(days=d), 3, 3) for d in range(5, 12)]
    rise = [(TODAY - timedelta(days=d), 7, 3) for d in range(5)]
    await add_pain_entries(db, client, baseline + rise)

    async with db.sessions.begin() as session:
        first = await evaluate_client_alerts(session, client_id=client, now=NOW)
    async with db.sessions.begin() as session:
        again = await evaluate_client_alerts(
            session, client_id=client, now=NOW + timedelta(hours=2)
        )

    assert [n.kind for n in first] == ["worsening_leg"]
    assert first[0].evidence["usual"] == 3.0
    assert first[0].evidence["recent"] == 7.0
    assert float(first[0].evidence["rise_points"]) >= 2
    assert first[0].therapist_telegram_id == THERAPIST_ID and first[0].client_name == "Alice"
    assert again == []  # the 72 h episode rule
    assert await _kinds(db) == ["worsening_leg"]


async def test_three_silent_days_and_a_poor_week_are_found_by_the_daily_pass(
    db: Database,
) -> None:
    silent = await add_client(db, TgUser(id=720_002, first_name="S"), name="Silent")
    await add_pain_entries(db, silent, [(TODAY - timedelta(days=5), 3, 3)])
    lazy = await add_client(db, TgUser(id=720_003, first_name="L"), name="Lazy")
    await add_pain_entries(db, lazy, [(TODAY - timedelta(days=1), 3, 3)])
    # Last week (Mon 25 – Sun 31 May): 7 slots, 2 done → 29 %.
    await add_exercise_slots(
        db,
        lazy,
        [
            (NOW - timedelta(days=d), ExerciseOutcome.DONE if d < 3 else ExerciseOutcome.SKIPPED)
            for d in range(1, 8)
        ],
    )
    notices = await evaluate_all_alerts(db, now=NOW)
    found = {(n.client_name, n.kind) for n in notices}
    assert ("Silent", "inactivity") in found
    assert ("Lazy", "low_adherence") in found
    assert ("Lazy", "inactivity") not in found


async def test_an_acknowledged_episode_is_not_raised_again_but_a_worse_one_is(
    db: Database,
) -> None:
    client = await add_client(db, TgUser(id=720_004, first_name="B"), name="Bea")
    await add_pain_entries(db, client, [(TODAY, 8, 3)])
    async with db.sessions.begin() as session:
        [notice] = await evaluate_client_alerts(session, client_id=client, now=NOW)
    result = await acknowledge_alert(
        db, therapist_telegram_id=THERAPIST_ID, alert_id=notice.alert_id, now=NOW
    )
    assert result.outcome == "acknowledged"
    later = NOW + timedelta(hours=80)
    async with db.sessions.begin() as session:
        assert await evaluate_client_alerts(session, client_id=client, now=later) == []

    refused = await acknowledge_alert(
        db, therapist_telegram_id=123, alert_id=notice.alert_id, now=NOW
    )
    assert refused.outcome == "not_found"
