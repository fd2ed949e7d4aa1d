"""A client's own settings: time zone, reminder times ticked in a draft, check-in time, quiet
hours that move what falls inside them, pause and resume (both engines)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from bot.db.engine import Database
from bot.db.models import ClientStatus
from bot.services.client_settings import (
    MAX_REMINDER_TIMES,
    SETTINGS_PENDING_TTL,
    MovedTime,
    SettingsError,
    change_checkin_time,
    change_quiet_hours,
    change_time_zone,
    current_settings,
    pause,
    resume,
    save_reminder_draft,
    start_reminder_draft,
    toggle_reminder_time,
)
from bot.services.schedules import sync_client_schedules
from tests.conftest import DEFAULT_NOW
from tests.handlers.client_seed import add_client
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=661_001, first_name="Alice")
STRANGER = TgUser(id=661_002, first_name="Sam")
NOW = DEFAULT_NOW


async def _set_up_client(db: Database, user: TgUser = ALICE) -> int:
    """A client as onboarding leaves them: the default reminder and check-in schedules."""
    client_id = await add_client(db, user)
    async with db.sessions.begin() as session:
        await sync_client_schedules(session, client_id=client_id, now=NOW)
    return client_id


async def test_a_new_client_starts_with_the_default_times_in_their_zone(db: Database) -> None:
    await _set_up_client(db)

    settings = await current_settings(db, telegram_id=ALICE.id)

    assert settings is not None
    assert settings.timezone == "Europe/London"
    assert settings.reminder_times == (time(8, 0), time(19, 0))
    assert settings.checkin_time == time(20, 0)
    assert (settings.quiet_start, settings.quiet_end) == (None, None)
    assert settings.status is ClientStatus.ACTIVE


async def test_someone_who_is_not_a_client_has_no_settings_to_change(db: Database) -> None:
    assert await current_settings(db, telegram_id=STRANGER.id) is None
    assert await pause(db, telegram_id=STRANGER.id, weeks=1, now=NOW) is None
    assert await start_reminder_draft(db, telegram_id=STRANGER.id, now=NOW) is None


async def test_the_zone_changes_and_an_unknown_one_is_refused(db: Database) -> None:
    await _set_up_client(db)

    changed = await change_time_zone(db, telegram_id=ALICE.id, zone="Australia/Sydney", now=NOW)
    with pytest.raises(SettingsError, match="unknown_zone"):
        await change_time_zone(db, telegram_id=ALICE.id, zone="Narnia/Cair_Paravel", now=NOW)

    assert changed is not None and changed.settings.timezone == "Australia/Sydney"
    assert changed.onboarding_next is False
    settings = await current_settings(db, telegram_id=ALICE.id)
    assert settings is not None and settings.timezone == "Australia/Sydney"


async def test_ticked_reminder_times_replace_the_old_ones_when_saved(db: Database) -> None:
    await _set_up_client(db)

    draft = await start_reminder_draft(db, telegram_id=ALICE.id, now=NOW)
    await toggle_reminder_time(db, telegram_id=ALICE.id, at=time(12, 30), now=NOW)
    ticked = await toggle_reminder_time(db, telegram_id=ALICE.id, at=time(19, 0), now=NOW)
    saved = await save_reminder_draft(db, telegram_id=ALICE.id, now=NOW)

    assert draft is not None and draft.times == (time(8, 0), time(19, 0))
    assert ticked is not None and ticked.times == (time(8, 0), time(12, 30))
    assert saved is not None and saved.times == (time(8, 0), time(12, 30))
    settings = await current_settings(db, telegram_id=ALICE.id)
    assert settings is not None and settings.reminder_times == (time(8, 0), time(12, 30))
    # The draft is closed: a later press on its buttons changes nothing.
    assert await toggle_reminder_time(db, telegram_id=ALICE.id, at=time(9, 0), now=NOW) is None


async def test_a_draft_left_for_a_day_no_longer_takes_presses(db: Database) -> None:
    await _set_up_client(db)
    await start_reminder_draft(db, telegram_id=ALICE.id, now=NOW)

    stale = NOW + SETTINGS_PENDING_TTL + timedelta(minutes=1)
    assert await toggle_reminder_time(db, telegram_id=ALICE.id, at=time(9, 0), now=stale) is None
    assert await save_reminder_draft(db, telegram_id=ALICE.id, now=stale) is None


async def test_no_reminder_time_at_all_or_too_many_is_refused(db: Database) -> None:
    await _set_up_client(db)
    await start_reminder_draft(db, telegram_id=ALICE.id, now=NOW)
    await toggle_reminder_time(db, telegram_id=ALICE.id, at=time(8, 0), now=NOW)
    await toggle_reminder_time(db, telegram_id=ALICE.id, at=time(19, 0), now=NOW)

    with pytest.raises(SettingsError, match="no_times"):
        await save_reminder_draft(db, telegram_id=ALICE.id, now=NOW)
    for hour in range(MAX_REMINDER_TIMES):
        await toggle_reminder_time(db, telegram_id=ALICE.id, at=time(9 + hour, 0), now=NOW)
    with pytest.raises(SettingsError, match="too_many_times"):
        await toggle_reminder_time(db, telegram_id=ALICE.id, at=time(20, 0), now=NOW)


async def test_the_checkin_time_changes(db: Database) -> None:
    await _set_up_client(db)

    settings = await change_checkin_time(db, telegram_id=ALICE.id, at=time(21, 0), now=NOW)

    assert settings is not None and settings.checkin_time == time(21, 0)


async def test_quiet_hours_move_the_times_inside_them_and_say_where(db: Database) -> None:
    await _set_up_client(db)

    change = await change_quiet_hours(
        db, telegram_id=ALICE.id, start=time(19, 30), end=time(7, 0), now=NOW
    )

    assert change is not None
    assert (change.settings.quiet_start, change.settings.quiet_end) == (time(19, 30), time(7, 0))
    assert {m.asked for m in change.moved} == {time(20, 0)}
    (moved,) = change.moved
    assert moved == MovedTime("checkin", time(20, 0), change.settings.checkin_time)
    # Nearer the start than the end: the check-in now comes just before quiet hours begin.
    assert change.settings.checkin_time < time(19, 30)
    assert change.settings.reminder_times == (time(8, 0), time(19, 0))


async def test_quiet_hours_need_both_ends(db: Database) -> None:
    await _set_up_client(db)

    with pytest.raises(SettingsError, match="quiet_hours_incomplete"):
        await change_quiet_hours(db, telegram_id=ALICE.id, start=time(22, 0), end=None, now=NOW)
    with pytest.raises(SettingsError, match="quiet_hours_incomplete"):
        await change_quiet_hours(
            db, telegram_id=ALICE.id, start=time(22, 0), end=time(22, 0), now=NOW
        )


async def test_a_pause_ends_on_the_clients_own_date_and_resume_says_if_there_was_one(
    db: Database,
) -> None:
    await _set_up_client(db)

    paused = await pause(db, telegram_id=ALICE.id, weeks=2, now=NOW)
    resumed = await resume(db, telegram_id=ALICE.id, now=NOW + timedelta(days=1))
    again = await resume(db, telegram_id=ALICE.id, now=NOW + timedelta(days=1))

    assert paused is not None
    assert paused.status is ClientStatus.PAUSED
    assert paused.paused_until == date(2026, 6, 1) + timedelta(weeks=2)
    assert resumed is not None and resumed[0] is True
    assert resumed[1].status is ClientStatus.ACTIVE
    assert again is not None and again[0] is False
    with pytest.raises(SettingsError, match="bad_pause"):
        await pause(db, telegram_id=ALICE.id, weeks=3, now=NOW)
