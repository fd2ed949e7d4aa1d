"""Weekly Sciatica Bothersomeness Index: one questionnaire per client per local week.

The week is the client's local Monday-to-Sunday (bot.domain.adherence.week_start_of); doing the
questionnaire again in the same week replaces that week's answers (unique client, instrument,
period_start). The total is compared with the previous week's when there is one.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.db.clients import live_client
from bot.db.engine import Database
from bot.db.models import OutcomeMeasure
from bot.db.outcomes import measures_for_weeks
from bot.domain.adherence import week_start_of
from bot.domain.sbi import SBI_KEYS, SbiChange, sbi_change, sbi_total
from bot.domain.schedule_times import local_day
from bot.services.schedules import skip_answered_prompts

SBI_INSTRUMENT = "SBI"


class SbiStatus(enum.StrEnum):
    SAVED = "saved"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    NOT_A_CLIENT = "not_a_client"


@dataclass(frozen=True)
class SbiResult:
    status: SbiStatus
    total: int
    client_id: int | None = None
    week_start: date | None = None
    # Against the previous week's total, when the client did it last week.
    change: SbiChange | None = None


async def record_sbi(
    db: Database, *, telegram_id: int, scores: Sequence[int], now: datetime
) -> SbiResult:
    """Store this week's four item scores (each 0-6, raises ValueError otherwise)."""
    if len(scores) != len(SBI_KEYS):
        raise ValueError(f"the SBI has {len(SBI_KEYS)} items, got {len(scores)} scores")
    items = dict(zip(SBI_KEYS, scores, strict=True))
    total = sbi_total(items)
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id, lock=True)
        if client is None:
            return SbiResult(SbiStatus.NOT_A_CLIENT, total)
        week = week_start_of(local_day(now, client.timezone))
        measures = await measures_for_weeks(
            session,
            client_id=client.id,
            instrument=SBI_INSTRUMENT,
            weeks=(week, week - timedelta(days=7)),
        )
        current, previous = measures.get(week), measures.get(week - timedelta(days=7))
        if current is None:
            session.add(
                OutcomeMeasure(
                    client_id=client.id,
                    instrument=SBI_INSTRUMENT,
                    period_start=week,
                    items=items,
                    total=total,
                    recorded_at=now,
                )
            )
            status = SbiStatus.SAVED
        elif current.items == items:
            status = SbiStatus.UNCHANGED
        else:
            current.items, current.total, current.recorded_at = items, total, now
            status = SbiStatus.UPDATED
        if status is not SbiStatus.UNCHANGED:
            await skip_answered_prompts(session, client_id=client.id, now=now)
        change = sbi_change(previous.total, total) if previous is not None else None
        return SbiResult(status, total, client_id=client.id, week_start=week, change=change)
