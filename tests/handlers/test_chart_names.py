"""Charts draw people's names literally: mathtext markup, emoji and right-to-left script."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.db.engine import Database
from tests.conftest import DEFAULT_NOW
from tests.handlers.client_seed import add_client, add_pain_entries
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser, png_dimensions

TODAY = DEFAULT_NOW.date()
# A name matplotlib would read as mathtext (and fail on), one in emoji, one right-to-left.
NAMES = {
    TgUser(id=656_001, first_name="Dollar"): r"$\foo$ Smith",
    TgUser(id=656_002, first_name="Flower"): "Rosie 🌸🦵❤️ Day",
    TgUser(id=656_003, first_name="Sarah"): "שרה כהן سارة",
}


async def _clients(db: Database) -> dict[TgUser, int]:
    ids = {}
    for user, name in NAMES.items():
        client_id = await add_client(db, user, name=name)
        await add_pain_entries(
            db, client_id, [(TODAY - timedelta(days=n), 3 + n % 4, 2) for n in range(14)]
        )
        ids[user] = client_id
    return ids


def _png(call: RecordedCall, keep: Path, name: str) -> bytes:
    assert call.ok, call.summary()
    data = call.files["photo"]
    assert png_dimensions(data) is not None
    # Kept beside the test's other files, for a person to look at.
    (keep / f"{name}.png").write_bytes(data)
    return data


@pytest.mark.parametrize("user", list(NAMES), ids=["mathtext", "emoji", "rtl"])
async def test_the_client_pain_chart_draws_the_name_literally(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    tmp_path: Path,
    user: TgUser,
) -> None:
    ids = await _clients(db)
    mark = botapi.mark()
    botapi.forge_press(therapist, f"client:open:{ids[user]}", message_id=1)
    await bot.settle()
    photos = botapi.calls("sendPhoto", chat_id=therapist.id, after=mark)
    assert len(photos) == 1, botapi.report(mark)
    _png(photos[0], tmp_path, f"pain-{user.first_name}")
    assert not bot.handler_errors


@pytest.mark.parametrize("user", list(NAMES), ids=["mathtext", "emoji", "rtl"])
async def test_progress_chart_renders_for_every_name(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, tmp_path: Path, user: TgUser
) -> None:
    await _clients(db)
    mark = botapi.mark()
    botapi.send_command(user, "progress")
    await bot.settle()
    photos = botapi.calls("sendPhoto", chat_id=user.id, after=mark)
    assert len(photos) == 1, botapi.report(mark)
    _png(photos[0], tmp_path, f"progress-{user.first_name}")


async def test_the_weekly_overview_draws_every_name_and_offers_each_chart(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser, tmp_path: Path
) -> None:
    ids = await _clients(db)
    mark = botapi.mark()
    botapi.send_command(therapist, "summary")
    await bot.settle()
    photos = botapi.calls("sendPhoto", chat_id=therapist.id, after=mark)
    assert len(photos) == 1, botapi.report(mark)
    _png(photos[0], tmp_path, "overview")
    for user, client_id in ids.items():
        mark = botapi.mark()
        botapi.press(therapist, photos[0], f"summary:chart:{client_id}")
        await bot.settle()
        charts = botapi.calls("sendPhoto", chat_id=therapist.id, after=mark)
        assert len(charts) == 1, botapi.report(mark)
        _png(charts[0], tmp_path, f"summary-chart-{user.first_name}")
    assert not bot.handler_errors
