"""The background sender: a queue, a few workers, Telegram's pace and its errors.

Pacing: at most `send_rate` messages a second overall and `per_chat_rate` a second to any
one chat (Telegram's limits are 30/s overall and about 1/s per private chat). The
Application's `AIORateLimiter` also guards the overall rate and retries `RetryAfter`; the
spacing here keeps a burst to one chat from tripping Telegram's per-chat limit at all.

Per chat, one lane: a worker that takes a message for a chat another worker is already
sending to leaves it in that chat's lane (urgent first, then in order) and takes the next
message instead; the lane's worker sends it once the chat's second has passed since its
previous send *ended* (so Telegram never receives two in one second, whatever the latency).
Twenty alerts to one therapist therefore take twenty seconds and one worker, while the
messages to everyone else keep the overall pace — a chat's wait never books the overall
slots, and never holds a message to someone else.

Sending goes through a `scheduler.sending.Sender` (the bot's is `bot.telegram_sender`), whose
errors are the engine's own: `RetryLaterError` (Telegram's 429) waits the time Telegram gives
and tries again; `UnreachableError` (network errors, timeouts, 5xx) is retried with
exponential backoff, `MAX_ATTEMPTS` in all, then the delivery is marked `failed`;
`ChatBlockedError` (403, the client blocked the bot) marks the client blocked, stops their
schedules and tells their therapist once; `RequestRejectedError` (400) is a bug of ours, not
retried.

Holding (claim look-ahead): `submit(messages, now=pass_time)` holds a message whose slot is
after the claiming pass's time in one heap ordered by slot; a single release task moves each
into the send queue once the dispatcher's clock reaches its slot (`release_due`), so nothing
leaves before its slot and the queue, pacing and workers are unchanged. Memory: the heap holds
only what the tick claimed ahead, at most the look-ahead's worth of slots. A client who pauses
or blocks the bot in the seconds between the early claim and the slot is still sent that one
reminder (at most the look-ahead after pausing; a block answers 403 and is handled as
always): re-reading every client's status at release would cost a query per slot for a
window of seconds.

Priority: urgent messages (red-flag alerts from the outbox) go to the front of the queue, so a
10,000-reminder fan-out never delays one by more than the sends already under way.

Stopping (SIGTERM): `stop()` is called while the bot's HTTP client is still open (the app's
`post_stop`, before PTB closes it). It stops taking new work, sends what is queued and held
within its timeout, then cancels the workers and *releases* whatever is left — queued, held or
cut off in flight — in the ledger (`last_error = "released"`), so the next start takes it at
once instead of after the lease. A send that fails because we are stopping is never `failed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, update

from bot.db import outbox as outbox_ledger
from bot.db.engine import Database
from bot.db.models import Delivery, DeliveryStatus
from bot.domain.recipients import Audience
from bot.keyboards import Keyboard
from bot.services.kinds import CLIENT_BLOCKED, RELAY_UNDELIVERED
from bot.services.schedules import mark_client_blocked
from scheduler.claiming import Purpose
from scheduler.messages import OutgoingMessage
from scheduler.sending import (
    ChatBlockedError,
    RequestRejectedError,
    RetryLaterError,
    Sender,
    SendError,
    UnreachableError,
)

__all__ = ["MAX_ATTEMPTS", "Dispatcher", "SendOutcome"]

log = logging.getLogger(__name__)

RELEASED = outbox_ledger.RELEASED  # the same word in both ledgers (scheduler.claiming)

URGENT, NORMAL = 0, 1  # queue priorities
# How long a stopping dispatcher keeps sending before it releases the rest: with PTB's own
# stop around it, the process exits within 10 s of SIGTERM (a service manager's usual grace).
DRAIN_SECONDS = 5.0
MAX_ATTEMPTS = 3  # network errors / 5xx: this many tries, then `failed`
MAX_RETRY_AFTER = 5  # 429s honoured per message before giving up
BACKOFF_SECONDS = 1.0  # first backoff; doubles each retry
WORKERS = 16
# The release task looks again at least this long after a wake-up that found nothing due
# (the wall clock and the loop's timer can differ by a millisecond or so).
MIN_RELEASE_WAIT = 0.005
# Looks at a full one-second window after which a clock that has not moved (a test's fake)
# stops holding a send.
STILL_CLOCK_ROUNDS = 100

Sleep = Callable[[float], Awaitable[None]]
_Entry = tuple[int, int, OutgoingMessage]  # (priority, order, message)


@dataclass(frozen=True)
class SendOutcome:
    """How one message ended: `sent`, `failed` or `blocked`, and Telegram's message id."""

    message: OutgoingMessage
    status: str
    telegram_message_id: int | None = None


@dataclass
class _Pacer:
    """Reserves send times: `interval` apart overall and `chat_interval` apart per chat.

    Booked times drift when the loop is busy: a worker woken late sends next to the one
    after it, and a send can wait behind a slice of a claiming pass before it leaves. So
    before each send `window_wait` also counts the sends of the last second that actually
    happened — those finished within it and those still in flight — and holds the send while
    that is already the rate. Telegram receives a send between its start and its end, so no
    one-second window there holds more than the rate (the benchmark saw 31-35 without this).
    """

    interval: float
    chat_interval: float
    clock: Callable[[], float]
    _next_any: float = 0.0
    _next_chat: dict[int, float] = field(default_factory=dict)
    _finished: deque[float] = field(default_factory=deque)
    _in_flight: int = 0

    def reserve(self, chat_id: int) -> float:
        """Seconds to wait before sending to `chat_id` (the slot is booked on return).

        The overall slot is booked from now, never from the chat's own next free second: a
        chat that must wait does not push everyone else's sends back.
        """
        now = self.clock()
        slot = max(now, self._next_any)
        self._next_any = slot + self.interval
        at = max(slot, self._next_chat.get(chat_id, 0.0))
        self._next_chat[chat_id] = at + self.chat_interval
        if len(self._next_chat) > 10_000:
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        return at - now

    def window_wait(self) -> float:
        """Seconds to hold a send so that the last second's sends stay within the rate."""
        now = self.clock()
        while self._finished and self._finished[0] <= now - 1.0:
            self._finished.popleft()
        if len(self._finished) + self._in_flight < round(1.0 / self.interval):
            return 0.0
        if self._finished:
            return max(self._finished[0] + 1.0 - now, self.interval / 10)
        return self.interval  # all of them still in flight: look again shortly

    def started(self) -> None:
        self._in_flight += 1

    def finished(self, chat_id: int) -> None:
        self._in_flight -= 1
        now = self.clock()
        self._finished.append(now)
        # The chat's next send starts a full interval after this one ended.
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), now + self.chat_interval)


class _SentLedger:
    """Marks deliveries `sent`, many rows per transaction when sends come fast (group commit).

    A worker returns only once its own row is committed, so a crash re-sends at most what
    was in flight; but while one transaction is being written the next rows gather and go
    in one UPDATE. A paced fan-out costs one write per batch instead of one per message,
    which also keeps SQLite's single write lock free for the claiming transactions.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []

    async def record(self, row: dict[str, Any]) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, done))
        async with self._lock:
            if not done.done():
                await self._write()
        await done

    async def _write(self) -> None:
        batch, self._waiting = self._waiting, []
        table = cast(Table, Delivery.__table__)
        # Core executemany: compiled once, unlike the ORM's per-row bulk UPDATE bookkeeping.
        statement = (
            update(table)
            .where(table.c.id == bindparam("delivery_id"))
            .values(
                status=bindparam("b_status"),
                telegram_message_id=bindparam("b_message_id"),
                chat_id=bindparam("b_chat_id"),
                sent_at=bindparam("b_sent_at"),
                last_error=None,
            )
        )
        try:
            async with self._db.sessions.begin() as session:
                await session.execute(statement, [row for row, _ in batch])
        except asyncio.CancelledError:
            for _, waiter in batch:
                waiter.cancel()
            raise
        except Exception as exc:
            for _, waiter in batch:
                waiter.set_exception(exc)
        else:
            for _, waiter in batch:
                waiter.set_result(None)


class Dispatcher:
    """Sends queued messages with `WORKERS` tasks; `drain()` waits until all are done."""

    def __init__(
        self,
        *,
        sender: Sender,
        db: Database,
        clock: Callable[[], datetime],
        send_rate: float = 30.0,
        per_chat_rate: float = 1.0,
        workers: int = WORKERS,
        backoff: float = BACKOFF_SECONDS,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        keep_outcomes: bool = False,
    ) -> None:
        self._sender = sender
        self._db = db
        self._clock = clock
        self._workers = workers
        self._backoff = backoff
        self._sleep = sleep
        self._pacer = _Pacer(1.0 / send_rate, 1.0 / per_chat_rate, monotonic)
        self._queue: asyncio.PriorityQueue[_Entry] = asyncio.PriorityQueue()
        # Chat → messages waiting behind the one a worker is sending there (a heap).
        self._lanes: dict[int, list[_Entry]] = {}
        self._idle = 0
        self._order = itertools.count()
        self._cut_off: list[OutgoingMessage] = []
        self._stopping = False
        # Called after the dispatcher wrote an outbox row itself (the "client blocked" notice).
        self.on_outbox_queued: Callable[[], None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._keep_outcomes = keep_outcomes
        self._ledger = _SentLedger(db)
        self.outcomes: list[SendOutcome] = []
        self._held: list[tuple[datetime, int, OutgoingMessage]] = []
        self._held_order = itertools.count()
        self._held_changed = asyncio.Event()
        self._released = asyncio.Event()
        self._releaser: asyncio.Task[None] | None = None

    @property
    def clock(self) -> Callable[[], datetime]:
        return self._clock

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    async def start(self) -> None:
        if self._tasks:
            return
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self._work(), name=f"dispatch-{i}") for i in range(self._workers)
        ]
        self._releaser = asyncio.create_task(self._release_held(), name="dispatch-release")

    def submit(self, messages: list[OutgoingMessage], *, now: datetime | None = None) -> None:
        """Queue `messages`; with `now` (the claiming pass's time) a message whose slot is
        after `now` is held until the dispatcher's clock reaches its slot."""
        for message in messages:
            slot = message.claim.slot if message.claim is not None else None
            if now is not None and slot is not None and slot > now:
                heapq.heappush(self._held, (slot, next(self._held_order), message))
                self._held_changed.set()
            else:
                self._put(message)

    def _put(self, message: OutgoingMessage) -> None:
        priority = URGENT if message.urgent else NORMAL
        self._queue.put_nowait((priority, next(self._order), message))

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def pending(self) -> int:
        """Messages queued or waiting in a chat's lane (held ones not counted)."""
        return self._queue.qsize() + sum(len(lane) for lane in self._lanes.values())

    @property
    def untaken(self) -> int:
        """Messages queued that no worker has taken yet."""
        return self._queue.qsize()

    @property
    def idle_workers(self) -> int:
        """Workers waiting for a message (the others are sending or pacing)."""
        return self._idle

    @property
    def held(self) -> int:
        """Messages claimed ahead of their slot, waiting for it."""
        return len(self._held)

    def release_due(self) -> int:
        """Move every held message whose slot has come (on the clock) to the send queue."""
        now = self._clock()
        released = 0
        while self._held and self._held[0][0] <= now:
            self._put(heapq.heappop(self._held)[2])
            released += 1
        if released:
            self._released.set()
        return released

    async def _release_held(self) -> None:
        """The one task that releases held messages at their slot (no task per message)."""
        while True:
            self._held_changed.clear()
            self.release_due()
            if not self._held:
                await self._held_changed.wait()
                continue
            wait = (self._held[0][0] - self._clock()).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._held_changed.wait(), max(wait, MIN_RELEASE_WAIT))

    async def drain(self) -> None:
        """Wait until every queued message was sent or given up (held ones are not queued
        until their slot: `release_due`)."""
        await self._queue.join()

    async def _drain_all(self) -> None:
        while True:
            await self.drain()
            if not self._held:
                return
            self._released.clear()
            await self._released.wait()

    async def stop(self, *, drain_timeout: float = DRAIN_SECONDS) -> int:
        """Finish what is queued or held (up to `drain_timeout`), then stop the workers.

        Whatever is left — queued, held, or cut off in flight — is released in the ledger for
        the next start to take at once. Returns how many messages were released.
        """
        if not self._tasks:
            return 0
        self._stopping = True
        try:
            await asyncio.wait_for(self._drain_all(), drain_timeout)
        except TimeoutError:
            log.warning(
                "dispatcher stopped with messages queued",
                extra={"left": self.pending, "held": self.held},
            )
        tasks = [*self._tasks, *([self._releaser] if self._releaser is not None else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks = []
        self._releaser = None
        untried = (
            [entry[2] for entry in self._held]
            + [self._queue.get_nowait()[2] for _ in range(self._queue.qsize())]
            + [entry[2] for lane in self._lanes.values() for entry in lane]
        )
        self._lanes.clear()
        in_flight, self._cut_off = self._cut_off, []
        self._held.clear()
        await self._release(untried, tried=False)
        await self._release(in_flight, tried=True)
        return len(untried) + len(in_flight)

    async def _release(self, messages: list[OutgoingMessage], *, tried: bool) -> None:
        """Hand unsent messages back to the ledger: the next start sends them at once.

        A message that never left (`tried=False`) gets its claim back, so releasing it does
        not count towards the one re-send a crashed delivery is allowed.
        """
        deliveries = [
            m.claim.delivery_id
            for m in messages
            if m.claim is not None and m.claim.purpose in (Purpose.SLOT, Purpose.RESEND)
        ]
        outbox_ids = [m.outbox.outbox_id for m in messages if m.outbox is not None]
        if not deliveries and not outbox_ids:
            return
        try:
            async with self._db.sessions.begin() as session:
                if deliveries:
                    await session.execute(
                        update(Delivery)
                        .where(
                            Delivery.id.in_(deliveries),
                            Delivery.status == DeliveryStatus.CLAIMED,
                        )
                        .values(
                            last_error=RELEASED,
                            attempts=Delivery.attempts - (0 if tried else 1),
                        )
                    )
                await outbox_ledger.release(session, ids=outbox_ids, tried=tried)
        except Exception as exc:
            # Left `claimed`: the next start re-sends them after the lease instead.
            log.error("release failed", extra={"error_type": type(exc).__name__})
        log.info(
            "unsent messages released",
            extra={"deliveries": len(deliveries), "outbox": len(outbox_ids), "in_flight": tried},
        )

    async def _work(self) -> None:
        while True:
            self._idle += 1
            try:
                entry = await self._queue.get()
            finally:
                self._idle -= 1
            chat = entry[2].chat_id
            lane = self._lanes.get(chat)
            if lane is not None:
                # Another worker is sending to this chat: it sends this one after, in turn.
                heapq.heappush(lane, entry)
                continue
            lane = self._lanes[chat] = []
            try:
                while True:
                    await self._handle(entry[2])
                    if not lane:
                        break
                    entry = heapq.heappop(lane)
            finally:
                if self._lanes.get(chat) is lane and not lane:
                    del self._lanes[chat]

    async def _handle(self, message: OutgoingMessage) -> None:
        """Send one message (and its follow-ups); marks its queue entry done."""
        try:
            outcome = await self._deliver(message)
            if self._keep_outcomes:
                self.outcomes.append(outcome)
            for follow_up in message.then if outcome.status == "sent" else ():
                # In order, by this worker: a summary's chart never overtakes its text.
                outcome = await self._deliver(follow_up)
                if self._keep_outcomes:
                    self.outcomes.append(outcome)
                if outcome.status != "sent":
                    break
        except asyncio.CancelledError:
            self._cut_off.append(message)
            raise
        except Exception as exc:
            # A database hiccup while recording must not kill the worker; the ledger
            # keeps the delivery `claimed`, so it is re-sent once after its lease.
            log.error("dispatch failed", extra={"error_type": type(exc).__name__})
        finally:
            self._queue.task_done()

    async def _deliver(self, message: OutgoingMessage) -> SendOutcome:
        attempts = retry_afters = 0
        text, keyboard = message.render()
        while True:
            wait = self._pacer.reserve(message.chat_id)
            if wait > 0:
                await self._sleep(wait)
            await self._hold_for_window()
            try:
                sent = await self._send(message, text, keyboard)
            except RetryLaterError as exc:
                retry_afters += 1
                if retry_afters > MAX_RETRY_AFTER:
                    return await self._failed(message, "retry_after")
                await self._sleep(exc.seconds)
            except ChatBlockedError:
                return await self._blocked(message)
            except RequestRejectedError:
                return await self._failed(message, "bad_request")
            except UnreachableError as exc:  # timeouts and every 5xx too
                if self._stopping:
                    # Cut off by our own shutdown, not Telegram's answer: released, not failed.
                    self._cut_off.append(message)
                    return SendOutcome(message, "released")
                attempts += 1
                if attempts >= MAX_ATTEMPTS:
                    return await self._failed(message, exc.reason)
                await self._sleep(self._backoff * 2 ** (attempts - 1))
            except SendError as exc:
                return await self._failed(message, exc.reason)
            else:
                await self._sent(message, sent)
                return SendOutcome(message, "sent", sent)

    async def _hold_for_window(self) -> None:
        """Wait while the last second's sends are already the rate.

        With 16 workers waiting, one is let through per expiring send, so a worker may lose
        that race many times in a row: only a clock that does not move (a test's fake) ends
        the wait after `STILL_CLOCK_ROUNDS` looks; a moving clock waits as long as it takes.
        """
        first = self._pacer.clock()
        for rounds in itertools.count(1):
            hold = self._pacer.window_wait()
            if hold <= 0:
                return
            if rounds >= STILL_CLOCK_ROUNDS and self._pacer.clock() == first:
                return
            await self._sleep(hold)

    async def _send(self, message: OutgoingMessage, text: str, keyboard: Keyboard | None) -> int:
        """Telegram's id of the message once sent."""
        self._pacer.started()
        try:
            return await self._send_now(message, text, keyboard)
        finally:
            self._pacer.finished(message.chat_id)

    async def _send_now(
        self, message: OutgoingMessage, text: str, keyboard: Keyboard | None
    ) -> int:
        if message.photo is not None:
            return await self._sender.send_photo(message.chat_id, message.photo, text, keyboard)
        return await self._sender.send_text(message.chat_id, text, keyboard)

    def _recorded(self, message: OutgoingMessage) -> bool:
        """Sends that update the delivery row (a follow-up leaves the reminder's row as is)."""
        claim = message.claim
        return claim is not None and claim.purpose is not Purpose.FOLLOW_UP

    async def _sent(self, message: OutgoingMessage, message_id: int) -> None:
        if message.outbox is not None:
            ref = message.outbox
            async with self._db.sessions.begin() as session:
                await outbox_ledger.mark_sent(
                    session,
                    outbox_id=ref.outbox_id,
                    telegram_message_id=message_id,
                    now=self._clock(),
                    disclosure=(
                        (ref.client_id, ref.kind)
                        if ref.discloses and ref.client_id is not None
                        else None
                    ),
                    relay=ref.relay,
                )
            return
        if not self._recorded(message) or message.claim is None:
            return
        await self._ledger.record(
            {
                "delivery_id": message.claim.delivery_id,
                "b_status": DeliveryStatus.SENT,
                "b_message_id": message_id,
                "b_chat_id": message.chat_id,
                "b_sent_at": self._clock(),
            }
        )

    async def _failed(self, message: OutgoingMessage, error: str) -> SendOutcome:
        log.warning("send failed", extra={"error_type": error})
        if message.outbox is not None:
            ref = message.outbox
            async with self._db.sessions.begin() as session:
                await outbox_ledger.mark_failed(session, outbox_id=ref.outbox_id, error=error)
                if ref.sender is not None:
                    # The therapist wrote it: they are told it did not arrive, and why.
                    sender, client_name = ref.sender
                    await outbox_ledger.enqueue(
                        session,
                        kind=RELAY_UNDELIVERED,
                        chat_id=sender,
                        audience=Audience.THERAPIST,
                        client_id=ref.client_id,
                        payload={"client_name": client_name, "blocked": error == "forbidden"},
                        now=self._clock(),
                    )
            if ref.sender is not None and self.on_outbox_queued is not None:
                self.on_outbox_queued()
        elif self._recorded(message) and message.claim is not None:
            async with self._db.sessions.begin() as session:
                await session.execute(
                    update(Delivery)
                    .where(Delivery.id == message.claim.delivery_id)
                    .values(status=DeliveryStatus.FAILED, last_error=error[:64])
                )
        return SendOutcome(message, "failed")

    async def _blocked(self, message: OutgoingMessage) -> SendOutcome:
        """403: the chat blocked the bot. A client is marked blocked (their schedules stop)
        and their therapist is told once, through the outbox like any notice."""
        await self._failed(message, "forbidden")
        client_id = self._client_chat_owner(message)
        if client_id is None:
            return SendOutcome(message, "blocked")
        now = self._clock()
        async with self._db.sessions.begin() as session:
            blocked = await mark_client_blocked(session, client_id=client_id, now=now)
            if blocked is not None:
                await outbox_ledger.enqueue(
                    session,
                    kind=CLIENT_BLOCKED,
                    chat_id=blocked.therapist_telegram_id,
                    audience=Audience.THERAPIST,
                    client_id=blocked.client_id,
                    payload={"client_name": blocked.display_name},
                    now=now,
                )
        if blocked is not None:
            log.info("client blocked the bot", extra={"client_id": blocked.client_id})
            if self.on_outbox_queued is not None:
                self.on_outbox_queued()
        return SendOutcome(message, "blocked")

    @staticmethod
    def _client_chat_owner(message: OutgoingMessage) -> int | None:
        """The client whose own chat this message went to (None: a therapist's chat)."""
        if message.claim is not None:
            return message.claim.client_id
        if message.outbox is not None and not message.outbox.discloses:
            return message.outbox.client_id
        return None
