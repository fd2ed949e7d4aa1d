"""Periodic jobs run once per slot however many instances fire them.

Two instances (two engines on one database, as two processes would be) run the 07:00 daily
alert pass at the same moment over 300 silent clients: the slot is claimed in the ledger, so
one pass runs and 300 alerts are raised (before: both ran, 600 alerts). Even a pass that skips
the claim (an older instance) cannot store a second open episode: the schema holds one open
alert per client and kind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, insert, select

from bot.db.engine import Database
from bot.db.models import Alert, Client, OutboxMessage, PainEntry
from bot.domain.periodic import latest_daily_slot
from bot.services.alerts import evaluate_all_alerts
from tests.scheduling import add_therapist

CLIENTS = 300
PASS_AT = datetime(2026, 6, 10, 7, 0, tzinfo=UTC)
ENROLLED = PASS_AT - timedelta(days=20)
DAILY = time(7, 0, tzinfo=UTC)


async def _silent_clients(db: Database, count: int) -> None:
    """`count` active clients whose last check-in was 8 days before the pass."""
    therapist_id = await add_therapist(db)
    async with db.sessions.begin() as session:
        ids = (
            (
                await session.execute(
                    insert(Client).returning(Client.id),
                    [
                        {
                            "therapist_id": therapist_id,
                            "telegram_id": 880_000 + n,
                            "display_name": f"Client {n}",
                            "timezone": "Europe/London",
                            "consent_version": "1",
                            "consent_at": ENROLLED,
                            "created_at": ENROLLED,
                        }
                        for n in range(count)
                    ],
                )
            )
            .scalars()
            .all()
        )
        day = (PASS_AT - timedelta(days=8)).date()
        await session.execute(
            insert(PainEntry),
            [
                {
                    "client_id": client_id,
                    "day": day,
                    "leg": 3,
                    "back": 3,
                    "created_at": ENROLLED,
                    "updated_at": ENROLLED,
                }
                for client_id in ids
            ],
        )


@pytest.fixture
async def second_instance(database_url: str, db: Database) -> AsyncIterator[Database]:
    other = Database.connect(database_url)
    try:
        yield other
    finally:
        await other.dispose()


async def _counts(db: Database) -> tuple[int, int, int]:
    async with db.sessions() as session:
        alerts = (await session.execute(select(func.count()).select_from(Alert))).scalar_one()
        open_pairs = (
            await session.execute(
                select(func.count()).select_from(
                    select(Alert.client_id, Alert.kind)
                    .where(Alert.acknowledged_at.is_(None))
                    .distinct()
                    .subquery()
                )
            )
        ).scalar_one()
        notices = (
            await session.execute(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "trend_alert")
            )
        ).scalar_one()
    return alerts, open_pairs, notices


async def test_two_instances_running_the_daily_pass_raise_each_alert_once(
    db: Database, second_instance: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    await _silent_clients(db, CLIENTS)
    # Each instance's job fires a moment apart and works out the same slot.
    first_now, second_now = PASS_AT + timedelta(milliseconds=20), PASS_AT + timedelta(seconds=1)
    results = await asyncio.gather(
        evaluate_all_alerts(db, now=first_now, job_slot=latest_daily_slot(first_now, DAILY)),
        evaluate_all_alerts(
            second_instance, now=second_now, job_slot=latest_daily_slot(second_now, DAILY)
        ),
    )

    ran = [r for r in results if r is not None]
    assert len(ran) == 1  # one claim per slot
    alerts, open_pairs, notices = await _counts(db)
    with capsys.disabled():
        print(  # noqa: T201
            f"\ntwo instances, {CLIENTS} clients: {alerts} alerts, {notices} notices queued"
        )
    assert (alerts, open_pairs, notices) == (CLIENTS, CLIENTS, CLIENTS)

    # The next day's slot is a new claim: the pass runs again (and raises nothing new yet).
    tomorrow = PASS_AT + timedelta(days=1, seconds=5)
    again = await evaluate_all_alerts(db, now=tomorrow, job_slot=latest_daily_slot(tomorrow, DAILY))
    assert again is not None


async def test_a_pass_without_the_claim_still_cannot_store_a_second_open_episode(
    db: Database, second_instance: Database
) -> None:
    await _silent_clients(db, 50)
    await asyncio.gather(
        evaluate_all_alerts(db, now=PASS_AT),
        evaluate_all_alerts(second_instance, now=PASS_AT + timedelta(seconds=1)),
    )
    alerts, open_pairs, _ = await _counts(db)
    assert alerts == open_pairs == 50
