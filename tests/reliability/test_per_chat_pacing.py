"""One therapist's burst of notices is paced at one a second without holding up anyone else.

Twenty "client joined" notices to one therapist, five to another and forty messages to
clients are queued through the outbox; a red-flag alert for the first therapist is written
while their notices are still going out. The Bot API double stamps every request it receives
with a virtual clock that moves only when every dispatcher worker is waiting (asleep on that
clock or idle), so the recorded instants are the dispatcher's own pacing decisions, not the
machine's speed.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from telegram import Bot

from bot.db import outbox as ledger
from bot.db.engine import Database
from bot.domain.recipients import Audience
from bot.services.kinds import CLIENT_JOINED, PLAIN_TEXT, RED_FLAG_ALERT
from bot.telegram_sender import TelegramSender
from scheduler.dispatch import Dispatcher
from scheduler.outbox import Outbox
from tests.conftest import TEST_TOKEN, THERAPIST_ID
from tests.scheduling import add_client
from tests.support.botapi_double import BotApiDouble, RecordedCall

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OTHER_THERAPIST = 900_002
CLIENTS = 40


class VirtualTime:
    """A monotonic clock and its sleep: time jumps to the next sleeper's wake-up only when
    every dispatcher worker is waiting, so sends and database writes take no time on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        # Time stops (and `paused` is set) once `pause_when()` holds, until `resume()`.
        self.pause_when: Callable[[], bool] = lambda: False
        self.paused = asyncio.Event()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), wake))
        await wake

    def resume(self) -> None:
        self.pause_when = lambda: False
        self.paused.clear()

    def _sleeping(self) -> int:
        return sum(1 for *_, wake in self._sleepers if not wake.done())

    async def run(self, dispatcher: Dispatcher, workers: int) -> None:
        while True:
            # Real time passes here only so that sends and writes in progress can finish.
            await asyncio.sleep(0.002)
            settled = dispatcher.untaken == 0 or dispatcher.idle_workers == 0
            if not settled or self._sleeping() + dispatcher.idle_workers != workers:
                continue
            if self.paused.is_set() or self.pause_when():
                self.paused.set()
                continue
            while self._sleepers:
                at, _, wake = heapq.heappop(self._sleepers)
                if not wake.done():
                    self.now = max(self.now, at)
                    wake.set_result(None)
                    break


@pytest.fixture
def virtual_time() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
async def double(virtual_time: VirtualTime) -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(arrival_clock=virtual_time) as started:
        yield started


def _sent(double: BotApiDouble, chat_id: int) -> list[RecordedCall]:
    return [c for c in double.calls("sendMessage", chat_id=chat_id) if c.ok]


async def test_twenty_notices_to_one_therapist_go_a_second_apart_and_nobody_else_waits(
    db: Database, double: BotApiDouble, virtual_time: VirtualTime
) -> None:
    joined = [await add_client(db, now=NOW, telegram_id=700_000 + n) for n in range(20)]
    others = [
        await add_client(
            db, now=NOW, telegram_id=710_000 + n, therapist_telegram_id=OTHER_THERAPIST
        )
        for n in range(5)
    ]
    rest = [await add_client(db, now=NOW, telegram_id=720_000 + n) for n in range(15)]
    clients = [
        *((c, 700_000 + n) for n, c in enumerate(joined)),
        *((c, 710_000 + n) for n, c in enumerate(others)),
        *((c, 720_000 + n) for n, c in enumerate(rest)),
    ]
    async with db.sessions.begin() as session:
        for n, (client_id, therapist) in enumerate(
            [(c, THERAPIST_ID) for c in joined] + [(c, OTHER_THERAPIST) for c in others]
        ):
            await ledger.enqueue(
                session,
                kind=CLIENT_JOINED,
                chat_id=therapist,
                audience=Audience.THERAPIST,
                client_id=client_id,
                payload={"client_name": f"Client {n}", "client_id": client_id},
                now=NOW,
            )
        for client_id, chat in clients:
            await ledger.enqueue(
                session,
                kind=PLAIN_TEXT,
                chat_id=chat,
                audience=Audience.CLIENT,
                client_id=client_id,
                payload={"text": "Your reminder times changed."},
                now=NOW,
            )

    async with Bot(TEST_TOKEN, base_url=double.base_url) as bot:
        dispatcher = Dispatcher(
            sender=TelegramSender(bot),
            db=db,
            clock=lambda: NOW,
            sleep=virtual_time.sleep,
            monotonic=virtual_time,
        )
        outbox = Outbox(
            db=db,
            dispatcher=dispatcher,
            clock=lambda: NOW,
            therapist_ids={THERAPIST_ID, OTHER_THERAPIST},
        )
        assert await outbox.pump(NOW) == 20 + 5 + CLIENTS
        # The red flag is written once the therapist has had three notices.
        virtual_time.pause_when = lambda: len(_sent(double, THERAPIST_ID)) >= 3
        await dispatcher.start()
        clock_task = asyncio.create_task(virtual_time.run(dispatcher, workers=16))
        try:
            await virtual_time.paused.wait()
            async with db.sessions.begin() as session:
                await ledger.enqueue(
                    session,
                    kind=RED_FLAG_ALERT,
                    chat_id=THERAPIST_ID,
                    audience=Audience.RED_FLAG,
                    client_id=joined[0],
                    payload={
                        "client_name": "Client 0",
                        "source": "checkin",
                        "answers": [],
                        "mentioned": ["saddle_numbness"],
                        "alert_id": 1,
                        "client_id": joined[0],
                    },
                    now=NOW,
                    urgent=True,
                )
            assert await outbox.pump(NOW) == 1
            virtual_time.resume()
            await dispatcher.drain()
        finally:
            await dispatcher.stop()
            clock_task.cancel()

    therapist = _sent(double, THERAPIST_ID)
    other_therapist = _sent(double, OTHER_THERAPIST)
    to_clients = [
        c
        for c in double.calls("sendMessage")
        if c.ok and c.chat_id not in (THERAPIST_ID, OTHER_THERAPIST)
    ]
    assert (len(therapist), len(other_therapist), len(to_clients)) == (21, 5, CLIENTS)

    # Urgent jumps the therapist's own queue: the notice already under way, then the red flag.
    kinds = ["URGENT" in (c.text or "") for c in therapist]
    assert kinds.index(True) == 4 and kinds.count(True) == 1

    # One a second to each therapist's chat, Telegram's per-chat limit...
    for chat in (therapist, other_therapist):
        gaps = [round(b.at - a.at, 9) for a, b in itertools.pairwise(chat)]
        assert min(gaps) >= 1.0
    assert round(therapist[-1].at - therapist[0].at, 9) >= 20.0
    # ...while the clients and the other therapist are served alongside, at the overall pace,
    # not behind the first therapist's twenty seconds.
    assert max(c.at for c in to_clients) < 2.0
    assert other_therapist[-1].at < 5.0
    # Never more than 30 sends in any one second, overall.
    instants = sorted(c.at for c in double.calls("sendMessage") if c.ok)
    assert all(round(b - a, 9) >= 1.0 for a, b in zip(instants, instants[30:], strict=False))
