"""Periodic jobs run once per slot however many instances fire them.

Two instances (two engines on one database, as two processes would be) run the day-end alert
pass for the same quarter hour at the same moment — London's midnight, over 300 silent London
clients: the slot is claimed in the ledger, so one pass runs and 300 alerts are raised (before,
both ran the daily pass: 600 alerts). And whatever runs, the schema stores an open alert
episode once per client and kind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.models import Alert, Client, OutboxMessage, PainEntry
from bot.services.alerts import judge_finished_days
from tests.scheduling import add_therapist

CLIENTS = 300
# Midnight in London (BST) at the end of Wednesday 10 June 2026: that day is judged.
PASS_AT = datetime(2026, 6, 10, 23, 0, tzinfo=UTC)
ENROLLED = PASS_AT - timedelta(days=20)


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
    results = await asyncio.gather(
        judge_finished_days(db, now=PASS_AT + timedelta(milliseconds=20)),
        judge_finished_days(second_instance, now=PASS_AT + timedelta(seconds=1)),
    )

    assert sorted(len(r) for r in results) == [0, CLIENTS]  # one claim per slot
    alerts, open_pairs, notices = await _counts(db)
    with capsys.disabled():
        print(  # noqa: T201
            f"\ntwo instances, {CLIENTS} clients: {alerts} alerts, {notices} notices queued"
        )
    assert (alerts, open_pairs, notices) == (CLIENTS, CLIENTS, CLIENTS)

    # A pass restarted within the quarter hour finds the slot taken.
    assert await judge_finished_days(db, now=PASS_AT + timedelta(minutes=10)) == []


async def test_the_schema_stores_an_open_episode_once(db: Database) -> None:
    await _silent_clients(db, 1)
    await judge_finished_days(db, now=PASS_AT)
    async with db.sessions() as session:
        stored = (await session.execute(select(Alert))).scalar_one()
    twin = {
        "client_id": stored.client_id,
        "kind": stored.kind,
        "severity": stored.severity,
        "episode_key": stored.episode_key,
        "evidence": stored.evidence,
        "created_at": PASS_AT,
    }
    with pytest.raises(IntegrityError):
        async with db.sessions.begin() as session:
            await session.execute(insert(Alert), [twin])
    # Once acknowledged, the episode is closed: a later one may be stored.
    async with db.sessions.begin() as session:
        alert = await session.get(Alert, stored.id)
        assert alert is not None
        alert.acknowledged_at = PASS_AT
    async with db.sessions.begin() as session:
        await session.execute(insert(Alert), [twin])
