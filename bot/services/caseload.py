"""A therapist's caseload as `bot.domain.triage` sees it: every client's facts, set-based.

`/clients`, the weekly summary and the client card all gather their clients here and rank
them with `bot.domain.triage.triage`, so every view agrees on who needs attention. A fixed
number of queries whatever the number of clients (DESIGN.md: the summary for 200 clients in
≤ 3 s with a constant number of queries); the per-client arithmetic happens in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import reports
from bot.domain.adherence import Outcome, SlotOutcome
from bot.domain.alerts import HISTORY_DAYS
from bot.domain.pain import USUAL_MIN_CHECKINS, DailyPain
from bot.domain.triage import ALERT_MEMORY_DAYS, AlertFact, ClientFacts

# Pain history read to rank the caseload: what the alert rules judge (their usual level, the
# days under test and the cadence window), and a day either side for time zones.
RANKING_PAIN_DAYS = HISTORY_DAYS + 2
# Exercise slots read: this week and the three complete weeks before it in every zone (≤ 28
# days, and a day for time zones) — the card's 4 weeks, which hold the 2 that triage compares.
SLOT_HISTORY_DAYS = 29
ALERT_HISTORY_DAYS = ALERT_MEMORY_DAYS


@dataclass(frozen=True)
class CaseloadClient:
    """One client: the facts triage ranks, and what the views show besides."""

    facts: ClientFacts
    timezone: str
    alerts: tuple[reports.AlertRow, ...]
    pain_notes: tuple[tuple[date, str], ...]

    @property
    def client_id(self) -> int:
        return self.facts.client_id


async def gather_caseload(
    session: AsyncSession, *, clients: reports.ClientIds, now: datetime
) -> list[CaseloadClient]:
    """The facts of every client in `clients` (a `SELECT client.id` subquery) as of `now`."""
    rows = await reports.client_profiles(session, clients=clients)
    if not rows:
        return []
    prescribed = await reports.clients_with_prescription(session, clients=clients, now=now)
    pain_rows = [
        *await reports.first_pain_rows(session, clients=clients, count=USUAL_MIN_CHECKINS),
        *await reports.pain_rows(
            session, clients=clients, since=(now - timedelta(days=RANKING_PAIN_DAYS)).date()
        ),
    ]
    slot_rows = await reports.slot_outcomes(
        session, clients=clients, start=now - timedelta(days=SLOT_HISTORY_DAYS), end=now
    )
    last_checkin = await reports.last_checkin_days(session, clients=clients)
    last_log = await reports.last_exercise_logs(session, clients=clients)
    alert_rows = {
        alert.id: alert
        for alert in [
            *await reports.alerts_of(session, clients=clients, open_only=True),
            *await reports.alerts_of(
                session, clients=clients, since=now - timedelta(days=ALERT_HISTORY_DAYS)
            ),
        ]
    }

    zones = {row.id: ZoneInfo(row.timezone) for row in rows}
    pain: dict[int, dict[date, DailyPain]] = defaultdict(dict)
    notes: dict[int, dict[date, str]] = defaultdict(dict)
    for entry in pain_rows:
        pain[entry.client_id][entry.day] = DailyPain(day=entry.day, leg=entry.leg, back=entry.back)
        if entry.note:
            notes[entry.client_id][entry.day] = entry.note
    slots: dict[int, list[SlotOutcome]] = defaultdict(list)
    for slot in slot_rows:
        day = slot.slot.astimezone(zones[slot.client_id]).date()
        outcome = Outcome(slot.outcome) if slot.outcome is not None else None
        slots[slot.client_id].append(SlotOutcome(day=day, outcome=outcome))
    alerts: dict[int, list[reports.AlertRow]] = defaultdict(list)
    for alert in sorted(alert_rows.values(), key=lambda a: (a.created_at, a.id), reverse=True):
        alerts[alert.client_id].append(alert)

    result = []
    for row in rows:
        zone = zones[row.id]
        logged = last_log.get(row.id)
        facts = ClientFacts(
            client_id=row.id,
            name=row.display_name,
            status=row.status.value,
            today=now.astimezone(zone).date(),
            enrolled_on=row.created_at.astimezone(zone).date(),
            has_prescription=row.id in prescribed,
            pain=tuple(sorted(pain[row.id].values(), key=lambda p: p.day)),
            slots=tuple(slots[row.id]),
            last_checkin=last_checkin.get(row.id),
            last_exercise=logged.astimezone(zone).date() if logged is not None else None,
            alerts=tuple(
                AlertFact(
                    kind=a.kind,
                    day=a.created_at.astimezone(zone).date(),
                    open=a.acknowledged_at is None,
                )
                for a in alerts[row.id]
            ),
        )
        result.append(
            CaseloadClient(
                facts=facts,
                timezone=row.timezone,
                alerts=tuple(alerts[row.id]),
                pain_notes=tuple(sorted(notes[row.id].items(), reverse=True)),
            )
        )
    return result
