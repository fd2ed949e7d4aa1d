"""A message caused by an event is not lost after the event is committed: a network error is
retried, and a sender that was down sends it when it is back.

Before the outbox, a trend alert was sent from the check-in handler itself: a failed send or a
crash after the commit lost it for good.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.app import BotApplication
from bot.db.engine import Database
from bot.db.models import OutboxMessage, OutboxStatus
from bot.services.kinds import TREND_ALERT
from tests.conftest import DEFAULT_NOW
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=656_001, first_name="Alice")


def _is_alert(call: RecordedCall) -> bool:
    return any(data.startswith("alert:ack:") for _, data in BotApiDouble.callback_buttons(call))


async def _check_in(bot: RunningApplication, botapi: BotApiDouble, leg: int, back: int) -> None:
    mark = botapi.mark()
    botapi.send_command(ALICE, "pain")
    prompt = await botapi.wait_for("sendMessage", chat_id=ALICE.id, after=mark)
    botapi.press_button(ALICE, prompt, str(leg))
    await bot.settle()
    botapi.press_button(ALICE, prompt, str(back))
    await bot.settle()


async def _trend_alerts(db: Database) -> list[OutboxStatus]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.status).where(OutboxMessage.kind == TREND_ALERT)
        )
        return list(rows.scalars())


async def test_a_trend_alert_whose_send_hits_a_network_error_is_retried_and_arrives_once(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await add_client(db, ALICE, name="Alice Example")
    botapi.fail_next("sendMessage", error_code=502, chat_id=therapist.id)
    mark = botapi.mark()

    await _check_in(bot, botapi, 8, 4)
    await botapi.wait_for(
        "sendMessage", chat_id=therapist.id, after=mark, predicate=lambda c: c.ok and _is_alert(c)
    )
    await bot.settle()

    tries = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    assert [c.ok for c in tries] == [False, True]
    assert await _trend_alerts(db) == [OutboxStatus.SENT]


async def test_a_trend_alert_written_while_the_sender_is_down_goes_out_when_it_is_back(
    application: BotApplication, bot: RunningApplication, botapi: BotApiDouble, db: Database,
    therapist: TgUser,
) -> None:  # fmt: skip
    await add_client(db, ALICE, name="Alice Example")
    scheduler = application.bot_data.scheduler
    await scheduler.stop(drain_timeout=1.0)  # the sender is gone; the check-in still commits
    mark = botapi.mark()

    await _check_in(bot, botapi, 8, 4)
    assert not [
        c for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark) if _is_alert(c)
    ]
    assert await _trend_alerts(db) == [OutboxStatus.QUEUED]

    await scheduler.start()
    await scheduler.run_pass(DEFAULT_NOW)
    await scheduler.dispatcher.drain()
    await bot.settle()
    await scheduler.run_pass(DEFAULT_NOW)
    await scheduler.dispatcher.drain()

    alerts = [
        c for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark) if _is_alert(c)
    ]
    assert len(alerts) == 1 and "Alice Example" in (alerts[0].text or "")
    assert await _trend_alerts(db) == [OutboxStatus.SENT]
