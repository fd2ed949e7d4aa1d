"""The Monday 08:00 summary push (issue 7, part 5): the same messages as /summary.

Each therapist's summary schedule fires on Monday at 08:00 in their own zone; a scheduler pass
then sends the week's text and the overview chart (a PNG) with a chart button per client, and
those buttons work like the ones under /summary.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import BotApplication
from bot.config import Settings
from bot.db.engine import Database
from bot.services.clients import register_therapist
from scheduler.tick import Scheduler
from tests.conftest import THERAPIST_ID, FrozenClock, make_settings
from tests.handlers.client_seed import add_client, add_pain_entries
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NEW_YORK_THERAPIST = 900_777
ALICE = TgUser(id=660_001, first_name="Alice")
BOB = TgUser(id=660_002, first_name="Bob")
# Both therapists started using the bot on Wednesday 27 May 2026.
REGISTERED = datetime(2026, 5, 27, 12, 0, tzinfo=UTC)
# London is on BST (UTC+1) and New York on EDT (UTC-4) in June.
SUNDAY_8_LONDON = datetime(2026, 5, 31, 7, 0, tzinfo=UTC)
MONDAY_8_LONDON = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
MONDAY_8_NEW_YORK = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(botapi: BotApiDouble, database_url: str, request: pytest.FixtureRequest) -> Settings:
    # Both therapists are configured: a summary goes only to a therapist in THERAPIST_IDS.
    # A test may choose ALERT_SENSITIVITY by parametrizing this fixture.
    return make_settings(
        botapi,
        database_url,
        therapist_ids=frozenset({THERAPIST_ID, NEW_YORK_THERAPIST}),
        alert_sensitivity=getattr(request, "param", "balanced"),
    )


async def _therapists_with_clients(db: Database) -> int:
    await register_therapist(
        db, telegram_id=THERAPIST_ID, display_name="Terry", timezone="Europe/London", now=REGISTERED
    )
    await register_therapist(
        db,
        telegram_id=NEW_YORK_THERAPIST,
        display_name="Nia",
        timezone="America/New_York",
        now=REGISTERED,
    )
    alice = await add_client(db, ALICE, name="Alice Example")
    today = MONDAY_8_LONDON.date()
    # Leg pain 3 the week before last, 6 last week: a worsening the summary puts first.
    await add_pain_entries(
        db, alice, [(today - timedelta(days=d), 6 if d <= 7 else 3, 2) for d in (2, 4, 9, 11)]
    )
    await add_client(db, BOB, name="Bob Faraway", therapist_telegram_id=NEW_YORK_THERAPIST)
    return alice


async def _pass_at(application: BotApplication, bot: RunningApplication, now: datetime) -> None:
    scheduler: Scheduler = application.bot_data.scheduler
    await scheduler.run_pass(now)
    await scheduler.dispatcher.drain()
    await bot.settle()


def _texts(botapi: BotApiDouble, chat_id: int, after: int) -> str:
    return "\n".join(
        c.text or "" for c in botapi.calls("sendMessage", chat_id=chat_id, after=after)
    )


def _photos(botapi: BotApiDouble, chat_id: int, after: int) -> list[RecordedCall]:
    return [c for c in botapi.calls("sendPhoto", chat_id=chat_id, after=after) if c.ok]


async def test_monday_0800_london_sends_the_summary_text_and_overview_chart(
    application: BotApplication, bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    alice = await _therapists_with_clients(db)
    mark = botapi.mark()

    await _pass_at(application, bot, MONDAY_8_LONDON)

    text = _texts(botapi, THERAPIST_ID, mark)
    assert "Weekly summary Mon 25 May – Sun 31 May" in text
    assert "⚠️ Alice Example — leg pain up 3.0 points (no alert yet)" in text
    assert "Bob Faraway" not in text
    photos = _photos(botapi, THERAPIST_ID, mark)
    assert len(photos) == 1
    assert photos[0].files["photo"].startswith(PNG_SIGNATURE)
    assert "adherence and leg-pain change per client" in (photos[0].text or "")
    assert ("📈 Alice Example", f"summary:chart:{alice}") in botapi.callback_buttons(photos[0])
    # The text comes before the chart it explains.
    first_text = botapi.calls("sendMessage", chat_id=THERAPIST_ID, after=mark)[0]
    assert first_text.at <= photos[0].at


async def test_a_chart_button_under_the_pushed_summary_sends_that_clients_chart(
    application: BotApplication, bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    alice = await _therapists_with_clients(db)
    await _pass_at(application, bot, MONDAY_8_LONDON)
    [overview] = _photos(botapi, THERAPIST_ID, 0)
    therapist = TgUser(id=THERAPIST_ID, first_name="Terry")

    mark = botapi.mark()
    query_id = botapi.press(therapist, overview, f"summary:chart:{alice}")
    await bot.settle()

    assert query_id in botapi.answered_callback_ids()
    [chart] = _photos(botapi, THERAPIST_ID, mark)
    assert chart.files["photo"].startswith(PNG_SIGNATURE)


async def test_nothing_is_pushed_on_sunday_or_twice_on_monday(
    application: BotApplication, bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await _therapists_with_clients(db)

    await _pass_at(application, bot, SUNDAY_8_LONDON)
    await _pass_at(application, bot, MONDAY_8_LONDON - timedelta(minutes=1))

    assert not botapi.calls("sendMessage", chat_id=THERAPIST_ID)
    assert not botapi.calls("sendPhoto", chat_id=THERAPIST_ID)
    await _pass_at(application, bot, MONDAY_8_LONDON)
    mark = botapi.mark()
    await _pass_at(application, bot, MONDAY_8_LONDON + timedelta(minutes=5))
    assert not botapi.calls("sendMessage", chat_id=THERAPIST_ID, after=mark)
    assert not botapi.calls("sendPhoto", chat_id=THERAPIST_ID, after=mark)


async def test_a_therapist_in_new_york_gets_the_summary_at_their_own_0800(
    application: BotApplication, bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await _therapists_with_clients(db)

    await _pass_at(application, bot, MONDAY_8_LONDON)
    assert not botapi.calls("sendMessage", chat_id=NEW_YORK_THERAPIST)

    mark = botapi.mark()
    await _pass_at(application, bot, MONDAY_8_NEW_YORK)

    text = _texts(botapi, NEW_YORK_THERAPIST, mark)
    assert "Weekly summary Mon 25 May – Sun 31 May" in text
    assert "Bob Faraway" in text and "Alice Example" not in text
    [photo] = _photos(botapi, NEW_YORK_THERAPIST, mark)
    assert photo.files["photo"].startswith(PNG_SIGNATURE)
    assert not botapi.calls("sendMessage", chat_id=THERAPIST_ID, after=mark)


@pytest.mark.parametrize(
    ("settings", "wendys_line"),
    [
        ("sensitive", "⚠️ Wendy Worse — leg pain up 2.0 points (no alert yet)"),
        ("balanced", "💊 Wendy Worse · – · leg 4.4 ↑"),
    ],
    indirect=["settings"],
    ids=["sensitive", "balanced"],
)
async def test_the_pushed_summary_judges_worsening_with_the_configured_sensitivity(
    application: BotApplication,
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    clock: FrozenClock,
    wendys_line: str,
) -> None:
    # Usually 3, then 5 for the last five evenings: a rise of exactly the MCID, which
    # "sensitive" calls worsening after 5 days and "balanced" only after 7. The Monday push
    # ranks it as ALERT_SENSITIVITY says, like /summary and the alerts do.
    await register_therapist(
        db, telegram_id=THERAPIST_ID, display_name="Terry", timezone="Europe/London", now=REGISTERED
    )
    wendy = await add_client(db, ALICE, name="Wendy Worse")
    sunday = MONDAY_8_LONDON.date() - timedelta(days=1)
    await add_pain_entries(
        db, wendy, [(sunday - timedelta(days=d), 5 if d < 5 else 3, 2) for d in range(34)]
    )

    mark = botapi.mark()
    await _pass_at(application, bot, MONDAY_8_LONDON)
    pushed = _texts(botapi, THERAPIST_ID, mark)
    clock.set(MONDAY_8_LONDON)
    mark = botapi.mark()
    botapi.send_command(TgUser(id=THERAPIST_ID, first_name="Terry"), "summary")
    await bot.settle()
    asked = _texts(botapi, THERAPIST_ID, mark)

    assert wendys_line in pushed
    assert pushed == asked
