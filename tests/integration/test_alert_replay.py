"""`replay` split over processes tells the same story as one process."""

from __future__ import annotations

from benchmarks.replay import diary
from bot.services.alert_replay import replay, split_by_client


async def test_a_diary_split_by_client_over_two_processes_raises_the_same_alerts() -> None:
    rows = diary(clients=8, days=70)
    assert len(split_by_client(rows, 2)) == 2

    alone = await replay(rows, workers=1)
    shared = await replay(rows, workers=2)

    assert alone  # the diary has rises and silences to tell of
    assert [a.as_json() for a in shared] == [a.as_json() for a in alone]
