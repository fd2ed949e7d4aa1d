"""BOT_API_CONNECTIONS: the bot never has more Bot API calls in flight than it has connections,
and calls beyond them wait their turn: with Telegram slow, every press is still answered."""

from __future__ import annotations

from datetime import date

from bot.app import build_application
from bot.content import load_library
from bot.db.engine import Database
from tests.conftest import CONTENT_DIR, FrozenClock, make_settings
from tests.handlers.client_seed import add_client, pain_rows
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import running_application
from tests.support.telegram_payloads import TgUser

CONNECTIONS = 2
# Each Bot API reply comes this long after its call arrives (Telegram's round trip).
LATENCY_S = 0.1
CLIENTS = [TgUser(id=640_001 + n, first_name=f"Client {n}") for n in range(8)]
TODAY = date(2026, 6, 1)  # DEFAULT_NOW (09:00 UTC) is 10:00 in London, same day.


async def test_presses_queue_for_the_bot_api_connections_and_every_one_is_answered(
    botapi: BotApiDouble, db: Database, database_url: str, clock: FrozenClock
) -> None:
    client_ids = [await add_client(db, client) for client in CLIENTS]
    settings = make_settings(botapi, database_url, bot_api_connections=CONNECTIONS)
    app = build_application(
        settings,
        db=db,
        library=load_library(CONTENT_DIR),
        clock=clock,
        scheduler_tick_job=False,
    )
    async with running_application(app, botapi) as running:
        for client in CLIENTS:
            botapi.send_command(client, "pain")
        prompts = [await botapi.wait_for("sendMessage", chat_id=c.id) for c in CLIENTS]
        await running.settle()

        botapi.latency = LATENCY_S
        mark = botapi.mark()
        for label in ("6", "3"):  # every client taps a leg score, then a back score, at once
            queries = [
                botapi.press_button(client, prompt, label)
                for client, prompt in zip(CLIENTS, prompts, strict=True)
            ]
            await running.settle()
            assert not botapi.unanswered_callback_ids()
        calls = [call for call in botapi.calls(after=mark) if call.method != "getUpdates"]

    # Every press answered, every check-in stored once and shown as saved.
    assert all("leg 6/10, back 3/10" in str(botapi.callback_answer(q).get("text")) for q in queries)
    for client, client_id in zip(CLIENTS, client_ids, strict=True):
        assert await pain_rows(db, client_id) == [(TODAY, 6, 3, None)]
        assert "leg 6/10, back 3/10" in botapi.last_text(client.id)
    # 8 clients x 2 taps x (answer + edit), never more than CONNECTIONS in flight: a call can
    # only start once one of the CONNECTIONS calls before it has had its reply, which comes
    # LATENCY_S after that call arrived.
    assert len(calls) == 32
    arrivals = sorted(call.at for call in calls)
    assert all(
        later - earlier >= LATENCY_S
        for earlier, later in zip(arrivals, arrivals[CONNECTIONS:], strict=False)
    )
