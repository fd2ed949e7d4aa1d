"""A therapist's week with 40 clients, played through the real Application and the Bot API double.

Four weeks of steady history, then Monday 1 – Sunday 7 June 2026 day by day: the scheduler
sends each morning's exercise reminders and each evening's check-in; clients press Done (two of
them Skip, "too painful") and check in with two taps; Wendy's leg pain goes 3,3,3,6,7,7,7;
five clients fall silent after Tuesday; three new clients join on Wednesday through the invite
link (two are then prescribed, one is not); the day-end alert pass runs at each midnight. On Monday
8 June at 08:00 the summary is pushed, and the therapist reads /clients (every page), /summary,
/alerts and Wendy's chart.

What must hold: Wendy is first in /clients and in the summary and has a chart button; no
message breaks Telegram's limits; the summary's counts agree with the open alerts; nothing
shows a raw `{`; every chart is a real, non-blank PNG.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from matplotlib import image
from sqlalchemy import func, select

from bot.buttons.therapist import ClientChart, PrescribeClient
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Alert, Client, PainEntry, Prescription
from bot.services.alerts import judge_finished_days
from bot.services.schedules import set_reminder_times, sync_client_schedules
from bot.texts.limits import (
    CALLBACK_DATA_LIMIT_BYTES,
    CAPTION_LIMIT,
    MESSAGE_TEXT_LIMIT,
    telegram_length,
)
from tests.conftest import FrozenClock, make_settings
from tests.handlers.client_seed import add_client, add_pain_entries
from tests.handlers.journey import onboard
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

LONDON_OFFSET = timedelta(hours=1)  # BST in June
WEEK_START = date(2026, 6, 1)  # a Monday
STEADY = 31
SILENT = 5
NEW_NAMES = ("Nia New", "Ned New", "Nora Noprescription")
WENDY_LEG = (3, 3, 3, 6, 7, 7, 7)
PNG = b"\x89PNG\r\n\x1a\n"


def _user(n: int, name: str) -> TgUser:
    return TgUser(id=690_000 + n, first_name=name.split()[0])


def _utc(day: date, hour: int) -> datetime:
    """`hour`:00 London time on `day`, as UTC."""
    return datetime.combine(day, time(hour), tzinfo=UTC) - LONDON_OFFSET


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    # SQLite only: a long scenario; the views' queries run on PostgreSQL in their own tests.
    return sqlite_url


@pytest.fixture
def settings(botapi: BotApiDouble, database_url: str) -> Settings:
    # Telegram's own ceiling, so a pass of 40 reminders takes about a second.
    return make_settings(botapi, database_url, send_rate_per_second=30)


async def _established(db: Database, n: int, name: str, *, seed: int) -> tuple[TgUser, int]:
    """A client of 60 days with a once-a-day programme reminded at 08:00 and four weeks of
    steady check-ins (leg about 3)."""
    user = _user(n, name)
    client_id = await add_client(db, user, name=name)
    setup = _utc(WEEK_START - timedelta(days=1), 12)  # Sunday noon: first reminder Monday
    async with db.sessions.begin() as session:
        session.add(
            Prescription(
                client_id=client_id,
                exercise_slug="glute-bridge",
                dosage="3 × 10 reps",
                times_per_day=1,
                # Prescribed (or re-prescribed) just before the week: no slots before it.
                active_from=setup,
                created_at=setup,
            )
        )
        await session.flush()
        await sync_client_schedules(session, client_id=client_id, now=setup)
        await set_reminder_times(session, client_id=client_id, times=[time(8)], now=setup)
    noise = (0, 1, 0, -1, 0, 0, 1)
    await add_pain_entries(
        db,
        client_id,
        [(WEEK_START - timedelta(days=d), 3 + noise[(d + seed) % 7], 2) for d in range(1, 29)],
    )
    return user, client_id


async def _pass(bot: RunningApplication, at: datetime) -> None:
    scheduler = bot.application.bot_data.scheduler
    await scheduler.run_pass(at)
    await scheduler.dispatcher.drain()
    await bot.settle(timeout=30)


def _latest(
    botapi: BotApiDouble, user: TgUser, label: str, after: int, *, data: str = ""
) -> RecordedCall | None:
    """The newest message sent to `user` since `after` with a button labelled `label` (whose
    callback data starts with `data`)."""
    for call in reversed(botapi.calls("sendMessage", chat_id=user.id, after=after)):
        buttons = botapi.callback_buttons(call)
        if any(text == label and value.startswith(data) for text, value in buttons):
            return call
    return None


async def _morning(
    bot: RunningApplication,
    botapi: BotApiDouble,
    day: date,
    doers: list[TgUser],
    skippers: list[TgUser],
) -> None:
    mark = botapi.mark()
    await _pass(bot, _utc(day, 8))
    for user in doers + skippers:
        reminder = _latest(botapi, user, "✅ Done", mark)
        assert reminder is not None, f"no reminder for {user.id} on {day}"
        botapi.press_button(user, reminder, "Done" if user in doers else "Skip")
    await bot.settle(timeout=30)
    for user in skippers:
        reminder = _latest(botapi, user, "✅ Done", mark)
        assert reminder is not None
        botapi.press_button(user, reminder, "Too painful")
    await bot.settle(timeout=30)


async def _evening(
    bot: RunningApplication, botapi: BotApiDouble, day: date, scores: dict[int, tuple[TgUser, int]]
) -> None:
    mark = botapi.mark()
    await _pass(bot, _utc(day, 20))
    prompts: dict[int, RecordedCall] = {}
    for key, (user, leg) in scores.items():
        # The pain check-in (on Sunday the weekly questionnaire comes at the same time).
        prompt = _latest(botapi, user, str(leg), mark, data="pain:leg:")
        assert prompt is not None, f"no check-in prompt for {user.id} on {day}"
        prompts[key] = prompt
        botapi.press_button(user, prompt, str(leg))
    await bot.settle(timeout=30)
    for key, (user, _) in scores.items():
        botapi.press_button(user, prompts[key], "2")
    await bot.settle(timeout=30)


async def _day_end_pass(bot: RunningApplication, db: Database, at: datetime) -> None:
    """What the day-end job does at London's midnight: judge the finished day of every active
    client (silence, a finished week's adherence); its alerts leave through the outbox."""
    await judge_finished_days(db, now=at)
    scheduler = bot.application.bot_data.scheduler
    await scheduler.outbox.pump(at)
    await scheduler.dispatcher.drain()
    await bot.settle(timeout=30)


def _buttons(call: RecordedCall) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup")
    if not isinstance(markup, dict):
        return []
    return [
        (button.get("text", ""), button.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


def _non_blank_png(data: bytes) -> bool:
    pixels: Any = image.imread(io.BytesIO(data), format="png")
    rgb = pixels[..., :3]
    ink = (rgb.min(axis=-1) < 0.9).mean()  # share of pixels that are not (near) white
    return bool(rgb.std() > 0.05 and ink > 0.02)


async def test_a_week_with_40_clients_puts_the_worsening_one_first_everywhere(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    clock.set(_utc(WEEK_START, 0) - timedelta(days=1))
    wendy_user, wendy = await _established(db, 0, "Wendy Worse", seed=0)
    steady = [
        await _established(db, n, f"Steady {n:02d} Client", seed=n) for n in range(1, 1 + STEADY)
    ]
    silent = [
        await _established(db, n, f"Quiet {n:02d} Client", seed=n)
        for n in range(1 + STEADY, 1 + STEADY + SILENT)
    ]
    skippers = [user for user, _ in steady[:2]]
    new_users: list[TgUser] = []
    # The therapist started the bot before the week (/start registers their Monday summary).
    botapi.send_command(therapist, "start")
    await bot.settle()

    for offset in range(7):
        day = WEEK_START + timedelta(days=offset)
        if offset == 2:
            # Wednesday: three new clients join through the invite link; the therapist
            # prescribes for two of them (as the prescription flow saves it).
            clock.set(_utc(day, 10))
            for index, name in enumerate(NEW_NAMES):
                user = _user(100 + index, name)
                await onboard(bot, botapi, therapist, user, name=name)
                new_users.append(user)
            async with db.sessions.begin() as session:
                for user in new_users[:2]:
                    client_id = (
                        await session.execute(
                            select(Client.id).where(Client.telegram_id == user.id)
                        )
                    ).scalar_one()
                    session.add(
                        Prescription(
                            client_id=client_id,
                            exercise_slug="glute-bridge",
                            dosage="2 × 8 reps",
                            times_per_day=1,
                            active_from=clock(),
                            created_at=clock(),
                        )
                    )
                    await session.flush()
                    await sync_client_schedules(session, client_id=client_id, now=clock())
        active_silent = [user for user, _ in silent] if offset < 2 else []
        prescribed_new = new_users[:2] if offset >= 3 else []
        # Two steady clients skip on Monday and Tuesday, "too painful".
        skipping = skippers if offset < 2 else []
        doers = [wendy_user, *[u for u, _ in steady if u not in skipping]]
        doers += [*active_silent, *prescribed_new]
        clock.set(_utc(day, 8))
        await _morning(bot, botapi, day, doers, skipping)
        scores = {
            wendy_user.id: (wendy_user, WENDY_LEG[offset]),
            **{u.id: (u, 3) for u, _ in steady},
            **{u.id: (u, 3) for u in active_silent},
            **({u.id: (u, 4) for u in new_users} if offset >= 3 else {}),
        }
        clock.set(_utc(day, 20))
        await _evening(bot, botapi, day, scores)
        clock.set(_utc(day + timedelta(days=1), 0))
        await _day_end_pass(bot, db, clock())

    # Monday 8 June 08:00: the summary push.
    monday = WEEK_START + timedelta(days=7)
    clock.set(_utc(monday, 8))
    mark = botapi.mark()
    await _pass(bot, clock())
    pushed = [c for c in botapi.calls(chat_id=therapist.id, after=mark) if c.ok]
    pushed_text = "\n".join(c.text or "" for c in pushed if c.method == "sendMessage")
    [overview] = [c for c in pushed if c.method == "sendPhoto"]

    # --- the worsening client comes first everywhere, with a chart button -------------------
    attention = pushed_text.split("⚠️ Needs attention", 1)[1]
    first_flagged = attention.splitlines()[1]
    assert first_flagged.startswith("⚠️ Wendy Worse — "), first_flagged
    assert ("📈 Wendy Worse", ClientChart(wendy).pack()) in _buttons(overview)
    # Chart buttons for everyone needing attention, in the summary's order, before anyone else.
    flagged = [
        line.split(" — ")[0].removeprefix("⚠️ ").removeprefix("🚨 ")
        for line in attention.split("\n\n", 1)[0].splitlines()[1:]
        if line.startswith(("⚠️", "🚨"))
    ]
    chart_names = [label.removeprefix("📈 ") for label, _ in _buttons(overview)]
    assert chart_names[: len(flagged)] == flagged
    nora = next(u for u in new_users if u.first_name == "Nora")
    async with db.sessions() as session:
        nora_id = (
            await session.execute(select(Client.id).where(Client.telegram_id == nora.id))
        ).scalar_one()
    assert ("💊 Nora Noprescription", PrescribeClient(nora_id).pack()) in _buttons(overview)

    mark = botapi.mark()
    botapi.send_command(therapist, "clients")
    await bot.settle(timeout=30)
    page = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)[-1]
    listing = page.text or ""
    first_entry = listing.split("⚠️ Needs attention — most urgent first\n", 1)[1].splitlines()[0]
    assert first_entry.startswith("⚠️ Wendy Worse — "), first_entry
    pages = [listing]
    assert page.message_id is not None
    shown = botapi.message(therapist.id, page.message_id)
    while any(label == "Next ▶️" for label, _ in botapi.callback_buttons(shown)):
        botapi.press_button(therapist, page, "Next")
        await bot.settle(timeout=30)
        shown = botapi.message(therapist.id, page.message_id)
        pages.append(shown["text"])
    everyone = "\n".join(pages)
    names = ["Wendy Worse", *(f"Steady {n:02d} Client" for n in range(1, 1 + STEADY))]
    names += [f"Quiet {n:02d} Client" for n in range(1 + STEADY, 1 + STEADY + SILENT)]
    names += list(NEW_NAMES)
    assert len(names) == 40
    # Every client once, on some page; each page a readable length.
    assert all(everyone.count(name) == 1 for name in names), everyone
    assert len(pages) == 3 and all(page.count("\n") < 60 for page in pages)
    assert "⚠️ 6 need attention" in listing  # Wendy and the five who fell silent
    assert "💊 1 awaiting a prescription" in listing
    # The new clients who check in are not flagged for having joined.
    assert all(f"⚠️ {name}" not in everyone for name in NEW_NAMES)

    # --- the summary's counts agree with the open alerts -------------------------------------
    async with db.sessions() as session:
        open_alerts = (
            await session.execute(
                select(func.count()).select_from(Alert).where(Alert.acknowledged_at.is_(None))
            )
        ).scalar_one()
    heading = pushed_text.splitlines()[1]
    assert f"{open_alerts} open alert" in heading, heading
    assert "6 need attention" in heading and "1 awaiting a prescription" in heading
    mark = botapi.mark()
    botapi.send_command(therapist, "alerts")
    await bot.settle(timeout=30)
    alerts_header = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)[0].text or ""
    assert alerts_header.startswith(f"Open alerts ({open_alerts})")
    assert open_alerts >= 1 + SILENT  # Wendy's worsening and each silence

    mark = botapi.mark()
    botapi.send_command(therapist, "summary")
    await bot.settle(timeout=30)
    asked = "\n".join(
        c.text or "" for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    )
    assert asked.splitlines()[1] == heading
    botapi.press(therapist, overview, ClientChart(wendy).pack())
    await bot.settle(timeout=30)

    # --- every message within Telegram's limits, no raw template, every chart drawn ---------
    calls = [c for c in botapi.calls() if c.ok]
    for call in calls:
        text = call.params.get("text")
        caption = call.params.get("caption")
        if isinstance(text, str):
            assert telegram_length(text) <= MESSAGE_TEXT_LIMIT, call.summary()
            assert "{" not in text and "}" not in text, text
        if isinstance(caption, str):
            assert telegram_length(caption) <= CAPTION_LIMIT, call.summary()
            assert "{" not in caption, caption
        for label, data in _buttons(call):
            assert len(data.encode()) <= CALLBACK_DATA_LIMIT_BYTES, data
            assert "{" not in label, label
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) >= 3  # the pushed overview, /summary's overview, Wendy's chart
    keep = os.environ.get("WEEK_CHARTS_DIR")
    for index, photo in enumerate(photos):
        data = photo.files["photo"]
        assert data.startswith(PNG)
        assert _non_blank_png(data), f"chart {index} is blank"
        (Path(keep) if keep else tmp_path).joinpath(f"week-chart-{index}.png").write_bytes(data)

    # The week really happened: every steady client checked in every day.
    async with db.sessions() as session:
        week_entries = (
            await session.execute(
                select(func.count())
                .select_from(PainEntry)
                .where(PainEntry.day >= WEEK_START, PainEntry.day < monday)
            )
        ).scalar_one()
    assert week_entries == 7 * (1 + STEADY) + 2 * SILENT + 4 * len(NEW_NAMES)
