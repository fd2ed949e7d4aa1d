"""The weekly summary: right numbers, attention first, and a constant number of queries."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.cli import main
from bot.db.engine import Database
from bot.db.models import Alert, ExerciseOutcome
from bot.domain.triage import Need
from bot.services.summary import build_weekly_summary
from bot.texts.summary import render_weekly_summary
from tests.conftest import DEFAULT_NOW, TEST_TOKEN, THERAPIST_ID
from tests.handlers.client_seed import (
    add_client,
    add_exercise_slots,
    add_pain_entries,
    add_prescription,
)
from tests.support.botapi_double import BotApiDouble
from tests.support.telegram_payloads import TgUser

# DEFAULT_NOW is Monday 1 June 2026 09:00 UTC: the week summarised is Mon 25 – Sun 31 May.
NOW = DEFAULT_NOW


@contextmanager
def counting_statements(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def _clients(db: Database, count: int) -> None:
    for n in range(count):
        client_id = await add_client(
            db, TgUser(id=700_000 + n, first_name=f"C{n}"), name=f"Client {n:03d}"
        )
        day = NOW.date()
        await add_pain_entries(
            db,
            client_id,
            [(day - timedelta(days=d), 3 + (d < 8) * (n % 3), 2) for d in range(1, 14)],
        )
        await add_exercise_slots(
            db,
            client_id,
            [
                (NOW - timedelta(days=d), ExerciseOutcome.DONE if d % 2 else None)
                for d in range(1, 8)
            ],
        )


async def _statements_for(db: Database) -> int:
    with counting_statements(db) as statements:
        summary = await build_weekly_summary(db, therapist_telegram_id=THERAPIST_ID, now=NOW)
    assert summary.rows
    return len(statements)


async def test_the_summary_uses_the_same_number_of_queries_for_5_and_50_clients(
    db: Database,
) -> None:
    await _clients(db, 5)
    five = await _statements_for(db)
    await _clients_more(db, 45)
    fifty = await _statements_for(db)
    assert fifty == five


async def _clients_more(db: Database, count: int) -> None:
    for n in range(5, 5 + count):
        client_id = await add_client(
            db, TgUser(id=700_000 + n, first_name=f"C{n}"), name=f"Client {n:03d}"
        )
        await add_pain_entries(db, client_id, [(NOW.date() - timedelta(days=2), 4, 2)])


async def test_adherence_pain_change_and_attention_order(db: Database) -> None:
    worse = await add_client(db, TgUser(id=710_001, first_name="W"), name="Wendy Worse")
    steady = await add_client(db, TgUser(id=710_002, first_name="S"), name="Sam Steady")
    today = NOW.date()
    # Previous week (18–24 May) leg 3; this week (25–31 May) leg 6 for Wendy, 3 for Sam.
    await add_pain_entries(
        db, worse, [(today - timedelta(days=d), 6 if d <= 7 else 3, 2) for d in (2, 4, 9, 11)]
    )
    await add_pain_entries(db, steady, [(today - timedelta(days=d), 3, 2) for d in (2, 4, 9, 11)])
    week = [NOW - timedelta(days=d) for d in range(1, 8)]
    await add_exercise_slots(
        db, worse, [(s, ExerciseOutcome.PARTLY if i < 2 else None) for i, s in enumerate(week)]
    )
    await add_exercise_slots(db, steady, [(s, ExerciseOutcome.DONE) for s in week])
    await add_prescription(db, worse)
    await add_prescription(db, steady)

    summary = await build_weekly_summary(db, therapist_telegram_id=THERAPIST_ID, now=NOW)

    assert [row.name for row in summary.rows] == ["Wendy Worse", "Sam Steady"]
    wendy, sam = summary.rows
    # bot.domain.triage: leg pain 3 → 6 on the week before is a clinically important rise,
    # 1 of 7 slots done is under 50 %; Sam has nothing to look at.
    assert wendy.triage.needs == (Need.WORSENING, Need.ADHERENCE_FALLING)
    assert not sam.needs_attention
    assert wendy.leg_pain_change == 3.0 and sam.leg_pain_change == 0.0
    assert round(wendy.adherence_pct or 0) == round(100 * 1 / 7)
    assert sam.adherence_pct == 100.0
    assert summary.overview.week_start.isoformat() == "2026-05-25"
    assert summary.overview.needing_attention == 1


async def test_a_red_flag_this_week_comes_first_and_a_one_point_rise_is_not_flagged(
    db: Database,
) -> None:
    today = NOW.date()
    rising = await add_client(db, TgUser(id=720_001, first_name="A"), name="Anna Rising")
    flagged = await add_client(db, TgUser(id=720_002, first_name="Z"), name="Zed Flagged")
    # Anna: leg 3 → 4, a change the therapist sees but not the MCID (≥ 2 points and ≥ 30 %).
    await add_pain_entries(
        db, rising, [(today - timedelta(days=d), 4 if d <= 7 else 3, 2) for d in (2, 4, 9, 11)]
    )
    async with db.sessions.begin() as session:
        session.add(
            Alert(
                client_id=flagged,
                kind="red_flag",
                episode_key="red_flag",
                evidence={},
                created_at=NOW - timedelta(days=3),
            )
        )

    summary = await build_weekly_summary(db, therapist_telegram_id=THERAPIST_ID, now=NOW)

    assert [row.name for row in summary.rows] == ["Zed Flagged", "Anna Rising"]
    zed, anna = summary.rows
    assert zed.triage.need is Need.URGENT and zed.alerts_count == 1
    assert anna.leg_pain_change == 1.0 and anna.leg_pain_trend == "↑"
    assert not anna.needs_attention
    assert summary.overview.needing_attention == 1
    assert summary.overview.alerts_this_week == summary.overview.open_alerts == 1
    text = render_weekly_summary(summary)
    assert "🚨 Zed Flagged — 🚨 red flag (open)" in text
    assert "alerts this week: red flag" in text
    assert "💊 Anna Rising · – · leg 4.0 ↑" in text


async def test_the_summary_command_prints_the_therapists_week(
    sqlite_db: Database,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = await add_client(sqlite_db, TgUser(id=730_001, first_name="P"), name="Pat Printed")
    await add_pain_entries(sqlite_db, client, [(NOW.date() - timedelta(days=2), 4, 2)])
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("THERAPIST_IDS", str(THERAPIST_ID))

    # main() runs its own event loop, so it runs in a thread here.
    status = await asyncio.to_thread(main, ["summary", "--at", "2026-06-01T08:00+01:00"])

    out = capsys.readouterr().out
    assert status == 0
    assert "Weekly summary Mon 25 May – Sun 31 May" in out
    assert "Pat Printed" in out


async def test_the_summary_command_with_a_token_also_sends_text_and_chart_to_the_therapist(
    database_url: str, db: Database, botapi: BotApiDouble
) -> None:
    client = await add_client(db, TgUser(id=730_002, first_name="S"), name="Sid Sent")
    await add_pain_entries(db, client, [(NOW.date() - timedelta(days=2), 4, 2)])
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "THERAPIST_IDS": str(THERAPIST_ID),
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": botapi.base_url,
        "TELEGRAM_FILE_BASE_URL": botapi.file_base_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "summary", "--at", "2026-06-01T08:00+01:00", "--therapist"),
        str(THERAPIST_ID),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    assert process.returncode == 0, stderr.decode()
    assert "Sid Sent" in stdout.decode()
    [text] = [c for c in botapi.calls("sendMessage", chat_id=THERAPIST_ID) if c.ok]
    assert "Weekly summary Mon 25 May – Sun 31 May" in (text.text or "")
    assert "Sid Sent" in (text.text or "")
    [photo] = [c for c in botapi.calls("sendPhoto", chat_id=THERAPIST_ID) if c.ok]
    assert photo.files["photo"].startswith(b"\x89PNG\r\n\x1a\n")
    assert ("📈 Sid Sent", f"summary:chart:{client}") in botapi.callback_buttons(photo)


async def test_the_therapists_zone_follows_the_setting_and_moves_the_monday_summary(
    db: Database,
) -> None:
    from sqlalchemy import select

    from bot.db.models import Schedule, ScheduleKind, Therapist
    from bot.services.clients import register_therapist

    await register_therapist(
        db, telegram_id=THERAPIST_ID, display_name="T", timezone="Europe/London", now=NOW
    )
    # THERAPIST_TIMEZONE changed to New York: the next command the therapist sends moves them.
    await register_therapist(
        db, telegram_id=THERAPIST_ID, display_name="T", timezone="America/New_York", now=NOW
    )
    async with db.sessions() as session:
        zone = (await session.execute(select(Therapist.timezone))).scalar_one()
        schedule = (
            await session.execute(
                select(Schedule).where(Schedule.kind == ScheduleKind.THERAPIST_SUMMARY)
            )
        ).scalar_one()
    assert zone == schedule.timezone == "America/New_York"
    # 09:00 UTC on Monday 1 June is 05:00 in New York: the summary comes at 08:00 there (EDT).
    assert schedule.next_fire_at is not None
    assert schedule.next_fire_at.isoformat() == "2026-06-01T12:00:00+00:00"
