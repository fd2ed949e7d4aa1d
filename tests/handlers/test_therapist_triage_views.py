"""The therapist's views agree on who needs help, in local time, with the actions in the chat:
acknowledged worsening stays flagged, skip reasons, every note, times from the card, the
prescribe prompt for a client without exercises, one adherence figure per week."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Alert, ExerciseOutcome, PainEntry, Schedule, ScheduleKind
from tests.conftest import DEFAULT_NOW, FrozenClock
from tests.handlers.client_seed import (
    add_client,
    add_exercise_slots,
    add_pain_entries,
    add_prescription,
)
from tests.handlers.journey import latest_with_buttons, onboard, press
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

AARON = TgUser(id=680_001, first_name="Aaron")
ZED = TgUser(id=680_002, first_name="Zed")
NINA = TgUser(id=680_003, first_name="Nina")
TODAY = DEFAULT_NOW.date()  # Monday 1 June 2026, 10:00 in London


async def _worsening_zed_and_stable_aaron(db: Database) -> tuple[int, int]:
    """Aaron (first by name) steady at 3; Zed steady at 3 for four weeks, then 3,3,3,6,7,7,7
    up to yesterday, with an open leg-pain alert raised yesterday."""
    aaron = await add_client(db, AARON, name="Aaron Stable")
    zed = await add_client(db, ZED, name="Zed Worse")
    for client in (aaron, zed):
        await add_prescription(db, client)
    await add_pain_entries(db, aaron, [(TODAY - timedelta(days=d), 3, 2) for d in range(1, 36)])
    rise = {7: 3, 6: 3, 5: 3, 4: 6, 3: 7, 2: 7, 1: 7}
    await add_pain_entries(
        db, zed, [(TODAY - timedelta(days=d), rise.get(d, 3), 2) for d in range(1, 36)]
    )
    async with db.sessions.begin() as session:
        session.add(
            Alert(
                client_id=zed,
                kind="worsening_leg",
                severity=4,
                episode_key="worsening_leg:2026-05-28",
                evidence={
                    "region": "leg",
                    "day": "2026-05-31",
                    "usual": 3.0,
                    "recent": 7.0,
                    "rise_points": 4.0,
                    "since": "2026-05-28",
                    "days": 4,
                    "checkins": 4,
                },
                created_at=DEFAULT_NOW - timedelta(hours=20),
            )
        )
    return aaron, zed


def _text(call: RecordedCall) -> str:
    return call.text or ""


async def _clients_text(bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser) -> str:
    mark = botapi.mark()
    botapi.send_command(therapist, "clients")
    await bot.settle()
    return _text(botapi.calls("sendMessage", chat_id=therapist.id, after=mark)[-1])


async def test_after_acknowledge_the_worsening_client_stays_first_and_flagged(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await _worsening_zed_and_stable_aaron(db)
    before = await _clients_text(bot, botapi, therapist)
    assert before.index("Zed Worse") < before.index("Aaron Stable")
    assert "open alert: leg pain worsening" in before

    mark = botapi.mark()
    botapi.send_command(therapist, "alerts")
    await bot.settle()
    alert = next(
        c
        for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
        if "Zed Worse" in _text(c)
    )
    botapi.press_button(therapist, alert, "Acknowledge")
    await bot.settle()

    after = await _clients_text(bot, botapi, therapist)
    # Seen, not forgotten: still first, still ⚠️, for as long as the pain stays up.
    assert after.index("Zed Worse") < after.index("Aaron Stable")
    assert "⚠️ Zed Worse — leg pain up" in after and "(alert seen)" in after
    assert "⚠️ Aaron" not in after

    mark = botapi.mark()
    botapi.send_command(therapist, "summary")
    await bot.settle()
    summary = "\n".join(
        _text(c) for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    )
    # The heading counts every alert still open, whatever week it was raised in.
    assert "1 needs attention · 0 open alerts (1 raised this week)" in summary
    assert summary.index("Zed Worse") < summary.index("Aaron Stable")


async def test_the_card_shows_skip_reasons_local_times_and_only_weeks_since_joining(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    clock: FrozenClock,
) -> None:
    nina = await add_client(db, NINA, name="Nina Newish")
    await add_prescription(db, nina)
    async with db.sessions.begin() as session:
        from bot.db.models import Client

        client = await session.get(Client, nina)
        assert client is not None
        # Joined on Wednesday 20 May: the card starts at the week of 18 May.
        client.created_at = datetime(2026, 5, 20, 9, 0, tzinfo=DEFAULT_NOW.tzinfo)
    slots = [DEFAULT_NOW - timedelta(days=d) for d in range(1, 8)]
    await add_exercise_slots(
        db, nina, [(s, ExerciseOutcome.SKIPPED) for s in slots[:3]], skip_reason="pain"
    )
    await add_exercise_slots(db, nina, [(s, ExerciseOutcome.DONE) for s in slots[3:]])
    # Today's 08:00 reminder is still open at 10:00: not yet a miss.
    await add_exercise_slots(db, nina, [(DEFAULT_NOW - timedelta(hours=1), None)])

    mark = botapi.mark()
    botapi.send_command(therapist, "client", "Nina")
    await bot.settle()
    card = "\n".join(
        _text(c) for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    )
    assert "w/c Mon 18 May" in card and "w/c Mon 11 May" not in card
    assert "w/c Mon 25 May: 57 %" in card
    assert "w/c Mon 1 Jun: nothing due yet" in card
    assert "Skipped: too painful ×3" in card
    assert "Daily check-in at 20:00 (their time)" in card

    mark = botapi.mark()
    botapi.send_command(therapist, "summary")
    await bot.settle()
    summary = "\n".join(
        _text(c) for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    )
    # One adherence definition: the summary's week is /clients' "last week", the same figure.
    assert "Nina Newish · 57 % · leg – · skipped too painful ×3" in summary
    listing = await _clients_text(bot, botapi, therapist)
    assert "Nina Newish · 57 % last wk" in listing


async def test_notes_shows_every_note_a_page_at_a_time(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    nina = await add_client(db, NINA, name="Nina Notes")
    async with db.sessions.begin() as session:
        for d in range(1, 24):
            session.add(
                PainEntry(
                    client_id=nina,
                    day=TODAY - timedelta(days=d),
                    leg=3,
                    back=2,
                    note=f"note number {d}",
                    created_at=DEFAULT_NOW,
                    updated_at=DEFAULT_NOW,
                )
            )
    mark = botapi.mark()
    botapi.send_command(therapist, "notes", "nina")
    await bot.settle()
    first = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)[-1]
    assert "Nina Notes's notes from check-ins (23), newest first" in _text(first)
    assert "note number 1\n" in _text(first) + "\n" and "note number 11" not in _text(first)
    assert "Page 1 of 3" in _text(first)

    botapi.press_button(therapist, first, "Next")
    await bot.settle()
    assert first.message_id is not None
    page_two = botapi.message(therapist.id, first.message_id)
    assert "note number 11" in page_two["text"] and "Page 2 of 3" in page_two["text"]
    botapi.press_button(therapist, first, "Next")
    await bot.settle()
    page_three = botapi.message(therapist.id, first.message_id)
    assert "note number 23" in page_three["text"]


async def test_reminder_and_checkin_times_change_from_the_card_and_the_client_is_told(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    nina = await add_client(db, NINA, name="Nina Times")
    await add_prescription(db, nina)
    from bot.services.schedules import sync_client_schedules

    async with db.sessions.begin() as session:
        await sync_client_schedules(session, client_id=nina, now=DEFAULT_NOW)
    botapi.send_command(therapist, "client", "Nina")
    await bot.settle()
    card = latest_with_buttons(botapi, therapist.id)
    botapi.press_button(therapist, card, "Times")
    await bot.settle()
    times = latest_with_buttons(botapi, therapist.id)
    assert "Exercise reminders: 08:00, 19:00" in times["text"]
    await press(bot, botapi, therapist, "✅ 19:00")  # untick
    await press(bot, botapi, therapist, "07:00")  # tick
    await press(bot, botapi, therapist, "Check-in 21:00")
    await press(bot, botapi, therapist, "Save")

    assert "Saved: Nina Times's reminders at 07:00, 08:00, check-in at 21:00" in botapi.last_text(
        therapist.id
    )
    # The client's notice is queued with the change and sent by the dispatcher.
    notice = await botapi.wait_for(
        "sendMessage", chat_id=NINA.id, predicate=lambda c: "changed your times" in (c.text or "")
    )
    assert "exercise reminders at 07:00, 08:00, daily check-in at 21:00" in (notice.text or "")
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(Schedule.kind, Schedule.local_times).where(
                    Schedule.client_id == nina, Schedule.active.is_(True)
                )
            )
        ).all()
    reminders = sorted(t for k, t in rows if k is ScheduleKind.EXERCISE_REMINDER)
    assert reminders == ["07:00", "08:00"]
    assert [t for k, t in rows if k is ScheduleKind.CHECKIN] == ["21:00"]


async def test_a_client_without_exercises_is_told_honestly_and_the_therapist_is_prompted(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await onboard(bot, botapi, therapist, NINA, name="Nina Noprescription")

    told = botapi.last_text(NINA.id)
    assert "hasn't added your exercises yet" in told
    assert "I'll remind you of your exercises" not in told
    prompt = latest_with_buttons(botapi, therapist.id)
    assert (
        "no exercises yet, so no exercise reminders will come until you prescribe" in prompt["text"]
    )
    botapi.press_button(therapist, prompt, "Prescribe")
    await bot.settle()
    assert "Prescription for Nina Noprescription" in botapi.last_text(therapist.id)

    listing = await _clients_text(bot, botapi, therapist)
    assert "💊 1 awaiting a prescription" in listing
    assert "💊 Nina Noprescription" in listing
