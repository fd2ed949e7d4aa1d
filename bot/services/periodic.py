"""Periodic jobs run once per slot across every instance, claimed through the ledger."""

from __future__ import annotations

from datetime import datetime

from bot.db import outbox
from bot.db.engine import Database


async def claim_periodic_run(db: Database, *, job: str, slot: datetime, now: datetime) -> bool:
    """True for exactly one caller per (job, slot): that caller runs the job."""
    async with db.sessions.begin() as session:
        return await outbox.claim_job_slot(session, job=job, slot=slot, now=now)
