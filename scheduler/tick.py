"""One pass of the scheduler: what the periodic tick (and `python -m bot tick --at`) runs.

A pass resumes clients whose pause has ended, re-sends deliveries orphaned by a crash, claims
every due slot, snoozed reminder and follow-up, composes their messages and hands them to the
dispatcher batch by batch. It returns as soon as the work is queued: the dispatcher sends at
Telegram's pace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.models import Delivery, DeliveryStatus
from bot.services.schedules import resume_due_paused_clients
from scheduler.claiming import (
    Claim,
    ClaimPolicy,
    Purpose,
    claim_due_slots,
    claim_follow_ups,
    claim_snoozed,
    reclaim_unsent,
)
from scheduler.dispatch import Dispatcher
from scheduler.messages import compose

__all__ = ["PassReport", "Scheduler"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassReport:
    now: datetime
    claims: tuple[Claim, ...]
    queued: int
    resumed_clients: int

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
    ) -> None:
        self.db = db
        self.library = library
        self.dispatcher = dispatcher
        self.policy = policy

    async def run_pass(self, now: datetime) -> PassReport:
        async with self.db.sessions.begin() as session:
            resumed = await resume_due_paused_clients(session, now=now)
        claims: list[Claim] = []
        queued = 0

        async def queue(batch: list[Claim]) -> None:
            # Per batch: the first messages leave while later batches are still being claimed.
            nonlocal queued
            claims.extend(batch)
            messages, nothing_to_say = await compose(self.db, self.library, batch, now=now)
            await self._record_missed(nothing_to_say)
            self.dispatcher.submit(messages)
            queued += len(messages)

        await queue(await reclaim_unsent(self.db, now=now, policy=self.policy))
        await claim_due_slots(self.db, now=now, policy=self.policy, on_batch=queue)
        await queue(await claim_snoozed(self.db, now=now, policy=self.policy))
        await queue(await claim_follow_ups(self.db, now=now, policy=self.policy))
        report = PassReport(now, tuple(claims), queued, len(resumed))
        if claims or resumed:
            log.info(
                "scheduler pass",
                extra={
                    "claimed": len(claims),
                    "queued": queued,
                    "missed": report.missed,
                    "resumed": len(resumed),
                },
            )
        return report

    async def _record_missed(self, claims: list[Claim]) -> None:
        ids = [c.delivery_id for c in claims if c.purpose in (Purpose.SLOT, Purpose.RESEND)]
        if not ids:
            return
        async with self.db.sessions.begin() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids), Delivery.status == DeliveryStatus.CLAIMED)
                .values(status=DeliveryStatus.MISSED, last_error="nothing_due")
            )
