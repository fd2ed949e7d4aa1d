"""Bugs found by the outside-in acceptance run (tests/e2e), each pinned where it lives."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Client, ClientStatus, Schedule, ScheduleKind
from bot.services.schedules import mark_client_blocked
from tests.conftest import DEFAULT_NOW
from tests.handlers.journey import onboard
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

MakeUser = Callable[..., TgUser]


async def _client(db: Database, user: TgUser) -> tuple[Client, list[Schedule]]:
    async with db.sessions() as session:
        client = (
            await session.execute(select(Client).where(Client.telegram_id == user.id))
        ).scalar_one()
        rows = await session.execute(select(Schedule).where(Schedule.client_id == client.id))
        return client, list(rows.scalars())


async def test_a_client_who_blocked_the_bot_and_sends_start_again_gets_reminders_again(
    bot: RunningApplication,
    botapi: BotApiDouble,
    therapist: TgUser,
    make_user: MakeUser,
    db: Database,
) -> None:
    user = make_user("Alex")
    await onboard(bot, botapi, therapist, user)
    client, _ = await _client(db, user)
    async with db.sessions.begin() as session:
        assert await mark_client_blocked(session, client_id=client.id, now=DEFAULT_NOW)
    _, stopped = await _client(db, user)
    assert all(row.next_fire_at is None for row in stopped)

    botapi.send_command(user, "start")
    await bot.settle()

    assert "Welcome back" in botapi.last_text(user.id)
    client, rows = await _client(db, user)
    assert client.status is ClientStatus.ACTIVE
    checkin = next(row for row in rows if row.kind is ScheduleKind.CHECKIN)
    assert checkin.active and checkin.next_fire_at is not None
