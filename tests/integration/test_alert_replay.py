"""`replay` tells the same story however it is run: split over processes, or through
PostgreSQL instead of its fresh SQLite file."""

from __future__ import annotations

from pathlib import Path

from benchmarks.replay import diary
from bot.db.engine import Database
from bot.services.alert_replay import (
    ReplayedAlert,
    read_diary,
    replay,
    replay_into,
    split_by_client,
)
from tests.support.diaries import ALL_SCENARIOS, cohort, write_csv


def _told(alerts: list[ReplayedAlert]) -> list[dict[str, object]]:
    ordered = sorted(alerts, key=lambda a: (a.raised_at, a.client, a.kind.value))
    return [a.as_json() for a in ordered]


async def test_a_diary_split_by_client_over_two_processes_raises_the_same_alerts() -> None:
    rows = diary(clients=8, days=70)
    assert len(split_by_client(rows, 2)) == 2

    alone = await replay(rows, workers=1)
    shared = await replay(rows, workers=2)

    assert alone  # the diary has rises and silences to tell of
    assert [a.as_json() for a in shared] == [a.as_json() for a in alone]


async def test_the_seeded_cohort_raises_the_same_alerts_on_either_engine(
    db: Database, tmp_path: Path
) -> None:
    # One client of every scenario of the evaluation cohort (noisy, autocorrelated, mixed zones
    # and DST changes), as a DIARY.csv: every check-in through the check-in service and every
    # day-end pass, once into `db` (SQLite or PostgreSQL) and once as `alerts replay` runs it.
    path = tmp_path / "diary.csv"
    write_csv(cohort(20260329, 1), path)
    rows = read_diary(path)

    through_db = await replay_into(db, rows)
    as_the_command_does = await replay(rows, workers=1, workdir=tmp_path)

    assert len(as_the_command_does) >= len(ALL_SCENARIOS)  # rises, flares and silences
    assert _told(through_db) == _told(as_the_command_does)
