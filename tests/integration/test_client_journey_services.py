"""Check-in, SBI, red-flag and progress services against both database engines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import Alert, ExerciseOutcome, RedFlagEvent
from bot.services.checkin import (
    CheckinStatus,
    NoteStatus,
    add_pain_note,
    record_pain_entry,
)
from bot.services.progress import progress_of
from bot.services.red_flags import RedFlagReport, UrgentAlert, record_red_flag
from bot.services.sbi import SbiStatus, record_sbi
from tests.conftest import THERAPIST_ID
from tests.handlers.client_seed import add_client, add_exercise_slots, pain_rows
from tests.support.telegram_payloads import TgUser

LONDON = TgUser(id=650_001, first_name="Lon")
SYDNEY = TgUser(id=650_002, first_name="Syd")
# 15:00 UTC on Monday 1 June: 16:00 in London, 01:00 on Tuesday 2 June in Sydney.
AFTERNOON = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


async def test_the_checkin_day_is_the_clients_own_local_day(db: Database) -> None:
    london = await add_client(db, LONDON)
    sydney = await add_client(db, SYDNEY, timezone="Australia/Sydney")
    for user in (LONDON, SYDNEY):
        result = await record_pain_entry(
            db,
            telegram_id=user.id,
            leg=5,
            back=2,
            for_day=None,
            confirm_update=False,
            now=AFTERNOON,
        )
        assert result.status is CheckinStatus.SAVED
    assert [row[0] for row in await pain_rows(db, london)] == [date(2026, 6, 1)]
    assert [row[0] for row in await pain_rows(db, sydney)] == [date(2026, 6, 2)]


async def test_scores_outside_the_scale_are_refused_before_anything_is_stored(
    db: Database,
) -> None:
    client_id = await add_client(db, LONDON)
    with pytest.raises(ValueError, match="0 to 10"):
        await record_pain_entry(
            db,
            telegram_id=LONDON.id,
            leg=11,
            back=2,
            for_day=None,
            confirm_update=False,
            now=AFTERNOON,
        )
    assert await pain_rows(db, client_id) == []


async def test_a_note_is_only_taken_right_after_a_checkin(db: Database) -> None:
    client_id = await add_client(db, LONDON)
    before = await add_pain_note(db, telegram_id=LONDON.id, text="hello", now=AFTERNOON)
    assert before.status is NoteStatus.NOT_EXPECTED

    await record_pain_entry(
        db,
        telegram_id=LONDON.id,
        leg=5,
        back=2,
        for_day=None,
        confirm_update=False,
        now=AFTERNOON,
    )
    much_later = AFTERNOON + timedelta(hours=7)
    late = await add_pain_note(db, telegram_id=LONDON.id, text="late", now=much_later)
    assert late.status is NoteStatus.NOT_EXPECTED
    assert [row[3] for row in await pain_rows(db, client_id)] == [None]


async def test_the_sbi_week_starts_on_the_clients_local_monday(db: Database) -> None:
    await add_client(db, SYDNEY, timezone="Australia/Sydney")
    # Sunday 7 June 15:00 UTC is already Monday 8 June in Sydney.
    result = await record_sbi(
        db, telegram_id=SYDNEY.id, scores=[1, 2, 3, 4], now=datetime(2026, 6, 7, 15, tzinfo=UTC)
    )
    assert (result.status, result.total, result.week_start) == (
        SbiStatus.SAVED,
        10,
        date(2026, 6, 8),
    )
    again = await record_sbi(
        db, telegram_id=SYDNEY.id, scores=[1, 2, 3, 4], now=datetime(2026, 6, 8, 1, tzinfo=UTC)
    )
    assert again.status is SbiStatus.UNCHANGED


async def test_each_red_flag_report_is_stored_once_and_never_merged_into_an_episode(
    db: Database,
) -> None:
    await add_client(db, LONDON)

    async def report(key: str) -> UrgentAlert | None:
        return await record_red_flag(
            db,
            RedFlagReport(
                telegram_id=LONDON.id,
                source="free_text",
                report_key=key,
                reported_at=AFTERNOON,
                mentioned=("bladder_bowel",),
            ),
            therapist_ids=[THERAPIST_ID],
            now=AFTERNOON,
        )

    first, repeat, later = await report("text:1"), await report("text:1"), await report("text:2")
    assert first is not None and repeat is not None and later is not None
    assert (first.is_new, repeat.is_new, later.is_new) == (True, False, True)
    assert repeat.alert_id == first.alert_id != later.alert_id
    assert first.therapist_chat_ids == (THERAPIST_ID,)
    async with db.sessions() as session:
        alerts = (await session.execute(select(func.count()).select_from(Alert))).scalar_one()
        events = (
            await session.execute(select(func.count()).select_from(RedFlagEvent))
        ).scalar_one()
    assert (alerts, events) == (2, 2)


async def test_weekly_adherence_counts_partly_as_half_and_silence_as_nothing(
    db: Database,
) -> None:
    client_id = await add_client(db, LONDON)
    await add_exercise_slots(
        db,
        client_id,
        [
            (datetime(2026, 5, 25, 7, tzinfo=UTC), ExerciseOutcome.DONE),
            (datetime(2026, 5, 26, 7, tzinfo=UTC), ExerciseOutcome.PARTLY),
            (datetime(2026, 5, 27, 7, tzinfo=UTC), ExerciseOutcome.SKIPPED),
            (datetime(2026, 5, 28, 7, tzinfo=UTC), None),
        ],
    )
    progress = await progress_of(db, telegram_id=LONDON.id, now=AFTERNOON)
    assert progress is not None
    weeks = {week.week_start: week.pct for week in progress.weeks}
    # From the week of the first reminder on, not 8 weeks of nothing before it.
    assert sorted(weeks) == [date(2026, 5, 25), date(2026, 6, 1)]
    assert weeks[date(2026, 5, 25)] == pytest.approx(37.5)
    assert weeks[date(2026, 6, 1)] is None
