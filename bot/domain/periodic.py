"""Periodic jobs' slots: which run a job firing at `now` stands for.

Every instance's job queue fires the daily jobs; the slot names the run so that exactly one
instance claims it in the ledger (`bot.db.outbox.claim_job_slot`).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta


def latest_daily_slot(now: datetime, at: time) -> datetime:
    """The most recent daily run time `at` (UTC) at or before `now`."""
    if now.tzinfo is None:
        raise ValueError("aware datetimes only")
    today = datetime.combine(now.astimezone(UTC).date(), at.replace(tzinfo=UTC))
    return today if today <= now else today - timedelta(days=1)
