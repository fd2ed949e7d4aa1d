"""The outbox pump: queued outbox rows become messages on the dispatcher's queue.

Everything the bot sends on its own initiative other than reminders (alerts, red flags,
relayed messages, notices) is an outbox row written with the event that causes it
(`bot.db.outbox.enqueue`). This pump claims those rows — when woken after an update was
handled, and on every scheduler pass, so a row written by another instance or left by a
crash is not forgotten — checks at that moment who may receive each one
(`bot.domain.recipients`), withholds the rest, and hands the others to the dispatcher:
the same pacing, RetryAfter, backoff, 403 handling and ledger as reminders, urgent first.

Quiet hours: a message to a client (a relayed message, "your prescription changed", a
notice) that comes due inside the client's quiet hours, in their own zone, is not claimed but
held in the ledger until they end (`outside_quiet_hours_from`), then sent like any other —
held rows are never dropped and, being unclaimed while they wait, never sent twice. Red-flag
alerts and everything to therapists are never held; the emergency advice is a direct reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import event

from bot.db import outbox as ledger
from bot.db.engine import Database
from bot.domain.recipients import Audience, may_receive
from bot.domain.schedule_times import outside_quiet_hours_from
from bot.services.kinds import EXERCISE_QUESTION, RELAY_TO_CLIENT, RELAY_TO_THERAPIST
from bot.services.red_flags import (
    RedFlagReport,
    ReportNotStoredError,
    fallback_recipients,
    record_red_flag,
)
from bot.texts import red_flags as red_flag_texts
from scheduler.dispatch import BACKOFF_SECONDS, MAX_ATTEMPTS, Dispatcher
from scheduler.messages import OutboxRef, OutgoingMessage
from scheduler.notices import render_notice
from scheduler.sending import (
    RequestRejectedError,
    RetryLaterError,
    Sender,
    SendError,
    UnreachableError,
)

__all__ = ["Outbox", "UnrecordedRedFlags"]

log = logging.getLogger(__name__)

BATCH_SIZE = 200
_OUTBOX_INSERT = "INSERT INTO outbox"
NOT_ALLOWED = "recipient_not_allowed"


class Outbox:
    """Claims queued outbox rows and submits them; `wake()` after writing one."""

    def __init__(
        self,
        *,
        db: Database,
        dispatcher: Dispatcher,
        clock: Callable[[], datetime],
        therapist_ids: Iterable[int],
        also_notify: Iterable[int] = (),
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._db = db
        self._dispatcher = dispatcher
        self._clock = clock
        self._therapist_ids = frozenset(therapist_ids)
        self._also_notify = frozenset(also_notify)
        self._batch_size = batch_size
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.withheld = 0
        # When the rows this pump held for quiet hours may go (a heap): it wakes itself then.
        self._holds: list[datetime] = []
        self._written = False
        dispatcher.on_outbox_queued = self.wake
        # Notice this process writing outbox rows, so `after_update` pumps only then (an
        # update that wrote none costs no query). One string test per statement.
        event.listen(db.engine.sync_engine, "after_cursor_execute", self._saw_statement)

    def _saw_statement(self, *args: Any) -> None:
        statement = args[2]
        if isinstance(statement, str) and statement.startswith(_OUTBOX_INSERT):
            self._written = True

    def wake(self) -> None:
        self._woken.set()

    async def after_update(self) -> None:
        """After a handled update: if it wrote outbox rows, queue them now."""
        if not self._written or self._dispatcher.stopping:
            return
        self._written = False
        try:
            await self.pump(self._clock())
        except Exception as exc:
            # The next wake-up or scheduler pass takes them; the update itself is done.
            log.error("outbox pump failed", extra={"error_type": type(exc).__name__})

    async def start(self) -> None:
        if self._task is None:
            self._woken.set()  # whatever a previous run released goes out first
            self._task = asyncio.create_task(self._run(), name="outbox-pump")

    async def stop(self) -> None:
        """Stop claiming (what was claimed is the dispatcher's to send or release)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await self._wait_for_work()
            self._woken.clear()
            if self._dispatcher.stopping:
                return
            try:
                await self.pump(self._clock())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The database is busy or away: the next wake-up or scheduler pass retries.
                log.error("outbox pump failed", extra={"error_type": type(exc).__name__})

    async def _wait_for_work(self) -> None:
        """Until woken, or until the first message held for quiet hours may go (the
        scheduler's passes take held rows too; this is for a process with no passes)."""
        if not self._holds:
            await self._woken.wait()
            return
        wait = (self._holds[0] - self._clock()).total_seconds()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), max(wait, 0.0))
        now = self._clock()
        while self._holds and self._holds[0] <= now:
            heapq.heappop(self._holds)

    def _held_until(self, now: datetime, row: ledger.OutboxRow) -> datetime | None:
        """When a message to a client may go: after their quiet hours (their own zone).
        Urgent messages and messages to therapists are never held."""
        if row.audience is not Audience.CLIENT or row.urgent or row.client_timezone is None:
            return None
        until = outside_quiet_hours_from(now, row.client_timezone, row.quiet_start, row.quiet_end)
        if until > now and until not in self._holds:
            heapq.heappush(self._holds, until)
        return until

    async def pump(self, now: datetime) -> int:
        """Claim every sendable row (batch by batch) and queue it; returns how many."""
        queued = 0
        while True:
            async with self._db.sessions.begin() as session:
                rows, _ = await ledger.claim_queued(
                    session,
                    now=now,
                    limit=self._batch_size,
                    hold_until=partial(self._held_until, now),
                )
                allowed = [r for r in rows if self._allowed(r)]
                refused = [r.id for r in rows if not self._allowed(r)]
                await ledger.mark_withheld(session, ids=refused, reason=NOT_ALLOWED)
            if refused:
                self.withheld += len(refused)
                log.warning("outbox messages withheld", extra={"count": len(refused)})
            self._dispatcher.submit([self._message(r) for r in allowed])
            queued += len(allowed)
            if len(rows) < self._batch_size:
                return queued

    def _allowed(self, row: ledger.OutboxRow) -> bool:
        return may_receive(
            row.chat_id,
            row.audience,
            client_chat=row.client_chat,
            own_therapist_chat=row.own_therapist_chat,
            therapist_ids=self._therapist_ids,
            also_notify=self._also_notify,
        )

    @staticmethod
    def _message(row: ledger.OutboxRow) -> OutgoingMessage:
        relay: tuple[int, str] | None = None
        if row.client_id is not None and row.kind == RELAY_TO_CLIENT:
            relay = (row.client_id, "to_client")
        elif row.client_id is not None and row.kind in (RELAY_TO_THERAPIST, EXERCISE_QUESTION):
            relay = (row.client_id, "to_therapist")
        sender = row.payload.get("sender")
        ref = OutboxRef(
            outbox_id=row.id,
            kind=row.kind,
            client_id=row.client_id,
            discloses=row.audience in (Audience.THERAPIST, Audience.RED_FLAG),
            relay=relay,
            sender=(
                (int(sender), str(row.payload.get("client_name", "")))
                if row.kind == RELAY_TO_CLIENT and sender is not None
                else None
            ),
        )
        return OutgoingMessage(
            row.chat_id,
            partial(render_notice, row.kind, row.payload),
            outbox=ref,
            urgent=row.urgent,
        )


class UnrecordedRedFlags:
    """The red-flag path when the report cannot be written (the database is locked or away).

    The alert is never silently dropped: it is sent at once, directly, to the recipients
    the rule allows (`fallback_recipients`), then the report — event, alert, advice and these
    sends — is written as soon as the database takes it (retried every `retry_seconds`).
    """

    def __init__(
        self,
        *,
        db: Database,
        sender: Sender,
        clock: Callable[[], datetime],
        therapist_ids: Iterable[int],
        also_notify: Iterable[int] = (),
        retry_seconds: float = 2.0,
    ) -> None:
        self._db = db
        self._sender = sender
        self._clock = clock
        self._therapist_ids = frozenset(therapist_ids)
        self._also_notify = frozenset(also_notify)
        self._retry_seconds = retry_seconds
        self._waiting: list[tuple[RedFlagReport, dict[int, int | None]]] = []
        self._task: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Reports sent but not yet written to the database."""
        return len(self._waiting)

    async def alert(self, report: RedFlagReport, telegram_name: str) -> int:
        """Send the urgent alert directly; returns how many recipients got it."""
        who = await fallback_recipients(
            self._db,
            telegram_id=report.telegram_id,
            therapist_ids=self._therapist_ids,
            also_notify=self._also_notify,
        )
        text = red_flag_texts.therapist_urgent_text(
            name=who.client_name or telegram_name,
            source=report.source,
            answers=report.answers,
            mentioned=report.mentioned,
        )
        text += red_flag_texts.NOT_YET_RECORDED
        sent: dict[int, int | None] = {}
        for chat in who.chats:
            message_id = await self._send(chat, text)
            if message_id is not None:
                sent[chat] = message_id
        if not who.chats:
            log.error("red flag with no permitted recipient", extra={"source": report.source})
        self._waiting.append((report, sent))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._record_when_back(), name="red-flag-record")
        return len(sent)

    async def _send(self, chat: int, text: str) -> int | None:
        for attempt in range(MAX_ATTEMPTS):
            try:
                return await self._sender.send_text(chat, text)
            except RetryLaterError as exc:
                await asyncio.sleep(exc.seconds)
            except (UnreachableError, RequestRejectedError):
                # A 400 is tried again too, as before the engine had its own errors (PTB files
                # BadRequest under NetworkError): an urgent alert gets every bounded attempt.
                await asyncio.sleep(BACKOFF_SECONDS * 2**attempt)
            except SendError as exc:
                log.error("urgent red-flag alert not delivered", extra={"error_type": exc.reason})
                return None
        log.error("urgent red-flag alert not delivered", extra={"error_type": "NetworkError"})
        return None

    async def record_waiting(self) -> int:
        """Try to write every waiting report now; returns how many are still waiting."""
        still: list[tuple[RedFlagReport, dict[int, int | None]]] = []
        for report, sent in self._waiting:
            try:
                await record_red_flag(
                    self._db,
                    report,
                    therapist_ids=self._therapist_ids,
                    also_notify=self._also_notify,
                    now=self._clock(),
                    sent_directly=sent,
                )
            except ReportNotStoredError as exc:
                log.warning("red flag still not recorded", extra={"error_type": str(exc)})
                still.append((report, sent))
            else:
                log.info("red flag recorded after an outage", extra={"source": report.source})
        self._waiting = still
        return len(still)

    async def _record_when_back(self) -> None:
        while self._waiting:
            await asyncio.sleep(self._retry_seconds)
            await self.record_waiting()

    async def stop(self) -> None:
        """One last try to write what is waiting; what cannot be written is logged (ids only)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._waiting and await self.record_waiting():
            log.error(
                "red flags alerted but never recorded",
                extra={"telegram_ids": [r.telegram_id for r, _ in self._waiting]},
            )
