"""One pass of the scheduler: what the periodic tick (and `python -m bot tick --at`) runs.

A pass resumes clients whose pause has ended, re-sends deliveries orphaned by a crash, claims
every due slot, snoozed reminder and follow-up, composes their messages and hands them to the
dispatcher batch by batch. It returns as soon as the work is queued: the dispatcher sends at
Telegram's pace.

Look-ahead: the periodic tick (`Scheduler.tick`) also claims slots due within
`tick_lookahead` (CLAIM_LOOKAHEAD_SECONDS), so a burst is claimed before its minute rather
than up to a tick plus the claiming time after it; the dispatcher holds those messages until
their slot. `run_pass(now)` (and `python -m bot tick --at`) claims only what is due at `now`
unless given `lookahead`. Snoozes and follow-ups are never claimed ahead.

Idle: the periodic tick first asks one indexed question (`DueCheck`: is a schedule, snooze,
re-send or outbox message due?) and runs a pass only when the answer is yes. What depends on
the clock rather than on a row — follow-ups, paused clients coming back, the heartbeat
`python -m bot health` reads — runs every `ROUTINE_EVERY`. So a bot with nothing due costs
one small query a second however many schedules it holds, and a schedule created or moved
between two ticks (by this process or another) is seen by the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from bot.content import ExerciseLibrary
from bot.db import outbox as ledger
from bot.db.backup import HEARTBEAT_KEY
from bot.db.engine import Database
from bot.db.models import Delivery, DeliveryStatus, ScheduleKind
from bot.domain.alerts import DEFAULT_SENSITIVITY, Sensitivity
from bot.services.schedules import resume_due_paused_clients
from scheduler.claiming import (
    Claim,
    ClaimPolicy,
    DueCheck,
    Purpose,
    claim_due_slots,
    claim_follow_ups,
    claim_snoozed,
    reclaim_unsent,
)
from scheduler.dispatch import DRAIN_SECONDS, Dispatcher
from scheduler.messages import compose
from scheduler.outbox import Outbox, UnrecordedRedFlags

__all__ = ["PassReport", "Scheduler"]

NOT_ALLOWED = "recipient_not_allowed"
# How often the tick runs what no row change announces: follow-ups (3 h after a slot, so
# seconds do not matter), paused clients whose pause has ended (whole local days), and the
# heartbeat, which `python -m bot health` wants under a minute old.
ROUTINE_EVERY = timedelta(seconds=20)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassReport:
    now: datetime
    claims: tuple[Claim, ...]
    queued: int
    resumed_clients: int
    notices: int = 0  # outbox messages (alerts, relayed messages, notices) queued

    @property
    def missed(self) -> int:
        return sum(1 for c in self.claims if c.status is DeliveryStatus.MISSED)


class Scheduler:
    """Claims due work and queues it on the dispatcher; one `run_pass` per tick."""

    def __init__(
        self,
        *,
        db: Database,
        library: ExerciseLibrary,
        dispatcher: Dispatcher,
        policy: ClaimPolicy,
        tick_lookahead: timedelta = timedelta(0),
        outbox: Outbox | None = None,
        unrecorded_red_flags: UnrecordedRedFlags | None = None,
        therapist_ids: frozenset[int] | None = None,
        sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
    ) -> None:
        self.db = db
        self.library = library
        self.dispatcher = dispatcher
        self.policy = policy
        self.tick_lookahead = tick_lookahead
        self.outbox = outbox or Outbox(
            db=db, dispatcher=dispatcher, clock=dispatcher.clock, therapist_ids=()
        )
        self.unrecorded_red_flags = unrecorded_red_flags
        # The weekly summary carries every client's data: sent only to a therapist still in
        # THERAPIST_IDS (bot.domain.recipients); None: not checked (engine-only tests).
        self.therapist_ids = therapist_ids
        # ALERT_SENSITIVITY: the weekly summary ranks "worsening" as the alerts judge it.
        self.sensitivity = sensitivity
        self._due_check = DueCheck(policy)
        self._last_routine: datetime | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._in_pass = False

    async def start(self) -> None:
        """Start sending: the dispatcher's workers, then the outbox pump."""
        await self.dispatcher.start()
        await self.outbox.start()

    def tick_every(
        self,
        seconds: float,
        *,
        clock: Callable[[], datetime],
        on_error: Callable[[Exception], Awaitable[object]],
    ) -> None:
        """The running bot's metronome: `tick(clock())` every `seconds` until `stop`.

        One pass at a time: a pass that overruns its interval is followed at once by the
        next, never stacked (the rows it left due are claimed by that next pass). A failed
        tick goes to `on_error` (the application's error handler) and the next one runs on
        time. A plain task rather than a job of python-telegram-bot's job queue: an idle
        tick then costs its one query and not the job machinery around it (≈ 0.16 ms of CPU
        a second, measured in docs/benchmarks.md).
        """
        if self._ticker is None:
            self._ticker = asyncio.create_task(
                self._tick_forever(seconds, clock, on_error), name="scheduler-tick"
            )

    async def _tick_forever(
        self,
        seconds: float,
        clock: Callable[[], datetime],
        on_error: Callable[[Exception], Awaitable[object]],
    ) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + seconds
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            self._in_pass = True
            try:
                await self.tick(clock())
            except Exception as exc:
                await on_error(exc)
            finally:
                self._in_pass = False
            if self._ticker is None:  # `stop` was called during the pass
                return
            due = max(due + seconds, loop.time())

    async def _stop_ticking(self) -> None:
        """No new pass; a pass under way finishes (as the job queue let a running job end)."""
        ticker, self._ticker = self._ticker, None
        if ticker is None:
            return
        if not self._in_pass:
            ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker

    async def stop(self, *, drain_timeout: float = DRAIN_SECONDS) -> int:
        """Stop claiming, send what is queued (up to `drain_timeout`), release the rest.

        Returns how many messages were released for the next start.
        """
        await self._stop_ticking()
        await self.outbox.stop()
        released = await self.dispatcher.stop(drain_timeout=drain_timeout)
        try:
            async with self.db.sessions.begin() as session:
                await ledger.clear_heartbeat(session, key=HEARTBEAT_KEY)
        except Exception as exc:
            log.warning("heartbeat not cleared", extra={"error_type": type(exc).__name__})
        if self.unrecorded_red_flags is not None:
            await self.unrecorded_red_flags.stop()
        return released

    async def tick(self, now: datetime) -> PassReport:
        """The periodic tick: a pass claiming `tick_lookahead` ahead of `now` when anything
        is due (or the routine's time has come); otherwise one indexed look and nothing else."""
        last = self._last_routine
        # A clock set back (a test, an operator) counts as due: never wait longer than planned.
        routine = last is None or not last <= now < last + ROUTINE_EVERY
        due = await self._due_check.anything_due(self.db, now=now, until=now + self.tick_lookahead)
        if not (routine or due):
            return PassReport(now, (), 0, 0)
        if routine:
            self._last_routine = now
        return await self.run_pass(
            now, lookahead=self.tick_lookahead, heartbeat=routine, routine=routine, claiming=due
        )

    async def run_pass(
        self,
        now: datetime,
        *,
        lookahead: timedelta = timedelta(0),
        heartbeat: bool = False,
        routine: bool = True,
        claiming: bool = True,
    ) -> PassReport:
        """One pass at `now`; slots due by `now + lookahead` are claimed and held to their slot.

        `heartbeat` (the running bot's tick) also records the tick for `python -m bot health`.
        The tick leaves out what it knows to be idle: `routine=False` (between two routine
        ticks) what only the clock makes due, follow-ups and paused clients coming back;
        `claiming=False` (`DueCheck` found nothing) the outbox, re-sends, slots and snoozes.
        """
        resumed: list[int] = []
        if routine or heartbeat:
            async with self.db.sessions.begin() as session:
                if routine:
                    resumed = await resume_due_paused_clients(session, now=now)
                if heartbeat:
                    await ledger.record_heartbeat(session, key=HEARTBEAT_KEY, now=now)
        claims: list[Claim] = []
        queued = 0

        async def queue(batch: list[Claim]) -> None:
            # Per batch: the first messages leave while later batches are still being claimed.
            nonlocal queued
            claims.extend(batch)
            batch, not_allowed = self._allowed(batch)
            await self._record_missed(not_allowed, reason=NOT_ALLOWED)
            messages, nothing_to_say = await compose(
                self.db, self.library, batch, now=now, sensitivity=self.sensitivity
            )
            await self._record_missed(nothing_to_say)
            self.dispatcher.submit(messages, now=now)
            queued += len(messages)

        notices = 0
        if claiming:
            # Alerts and notices first: a red flag waits for no fan-out.
            notices = await self.outbox.pump(now)
            await queue(await reclaim_unsent(self.db, now=now, policy=self.policy))
            await claim_due_slots(
                self.db, now=now, policy=self.policy, on_batch=queue, until=now + lookahead
            )
            await queue(await claim_snoozed(self.db, now=now, policy=self.policy))
        if routine:
            await queue(await claim_follow_ups(self.db, now=now, policy=self.policy))
        report = PassReport(now, tuple(claims), queued, len(resumed), notices)
        if claims or resumed or notices:
            log.info(
                "scheduler pass",
                extra={
                    "claimed": len(claims),
                    "queued": queued,
                    "missed": report.missed,
                    "resumed": len(resumed),
                    "notices": notices,
                },
            )
        return report

    def _allowed(self, claims: list[Claim]) -> tuple[list[Claim], list[Claim]]:
        """Summaries for a therapist no longer in THERAPIST_IDS are not sent (recorded)."""
        if self.therapist_ids is None:
            return claims, []
        allowed: list[Claim] = []
        refused: list[Claim] = []
        for claim in claims:
            gone = (
                claim.kind is ScheduleKind.THERAPIST_SUMMARY
                and claim.to_send
                and claim.chat_id not in self.therapist_ids
            )
            (refused if gone else allowed).append(claim)
        if refused:
            log.warning("summaries withheld", extra={"count": len(refused)})
        return allowed, refused

    async def _record_missed(self, claims: list[Claim], *, reason: str = "nothing_due") -> None:
        ids = [c.delivery_id for c in claims if c.purpose in (Purpose.SLOT, Purpose.RESEND)]
        if not ids:
            return
        async with self.db.sessions.begin() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids), Delivery.status == DeliveryStatus.CLAIMED)
                .values(status=DeliveryStatus.MISSED, last_error=reason)
            )
