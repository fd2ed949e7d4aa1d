"""Trend alerts for the therapist: evaluate the rules, apply the episode rule, store, list, ack.

The rules themselves are pure functions in `bot.domain.alerts` (worsening leg/back pain, leg
pain ≥ 8, 3 days of silence, adherence < 50 % for a week) and `should_raise` is the 72 h
one-alert-per-episode rule. This module feeds them the data — set-based, one query per kind
of fact whatever the number of clients — and stores the alerts they raise. Red flags are raised
by `bot.services.red_flags`, at once; they are listed and acknowledged here like the others.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import reports
from bot.db.engine import Database
from bot.db.models import Alert, Client, ClientStatus, Therapist
from bot.domain.adherence import Outcome, SlotOutcome, week_start_of, weekly_adherence
from bot.domain.alerts import (
    HISTORY_DAYS,
    AlertCandidate,
    AlertKind,
    PreviousAlert,
    inactivity_alert_for,
    low_adherence_alert_for,
    pain_trend_alerts,
    should_raise,
)
from bot.domain.pain import DailyPain
from bot.services import audit
from bot.services.clients import clients_of, owned_client

# The pain history the rules need, ending on the judged day (bot.domain.alerts.HISTORY_DAYS).
PAIN_HISTORY_DAYS = HISTORY_DAYS


@dataclass(frozen=True)
class AlertNotice:
    """One alert as the therapist is told about it."""

    alert_id: int
    client_id: int
    client_name: str
    therapist_telegram_id: int
    kind: str
    severity: int
    evidence: dict[str, Any]
    created_at: datetime
    acknowledged_at: datetime | None = None


class AckOutcome(enum.StrEnum):
    ACKNOWLEDGED = "acknowledged"
    ALREADY = "already"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class AckResult:
    outcome: AckOutcome
    notice: AlertNotice | None = None


def _previous(row: reports.AlertRow | None) -> PreviousAlert | None:
    if row is None:
        return None
    try:
        kind = AlertKind(row.kind)
    except ValueError:
        return None
    return PreviousAlert(
        kind=kind,
        severity=row.severity,
        raised_at=row.created_at,
        acknowledged_at=row.acknowledged_at,
        episode_key=row.episode_key,
    )


@dataclass(frozen=True)
class _ClientFacts:
    client_id: int
    name: str
    zone: ZoneInfo
    enrolled_on: date
    therapist_telegram_id: int


def _candidates(
    facts: _ClientFacts,
    pain: list[DailyPain],
    last_checkin: date | None,
    last_log: datetime | None,
    slots: list[SlotOutcome],
    now: datetime,
) -> list[AlertCandidate]:
    today = now.astimezone(facts.zone).date()
    found: list[AlertCandidate | None] = [
        *pain_trend_alerts(pain, judged_day=today),
        # Judged on complete days only (the domain rule counts the judged day as silent), so
        # the evaluation may run at any hour: silent Mon-Wed is raised on Thursday.
        inactivity_alert_for(
            [p.day for p in pain] + ([last_checkin] if last_checkin else []),
            judged_day=today - timedelta(days=1),
            enrolled_on=facts.enrolled_on,
            last_exercise_log=last_log.astimezone(facts.zone).date() if last_log else None,
        ),
    ]
    last_week = week_start_of(today) - timedelta(weeks=1)
    if facts.enrolled_on <= last_week:
        pct = weekly_adherence(slots, [last_week])[last_week]
        found.append(low_adherence_alert_for(pct, last_week))
    return [c for c in found if c is not None]


async def _evaluate(
    session: AsyncSession, *, clients: Select[Any], now: datetime
) -> list[AlertNotice]:
    rows = (
        await session.execute(
            select(
                Client.id,
                Client.display_name,
                Client.timezone,
                Client.created_at,
                Therapist.telegram_id,
            )
            .join(Therapist, Therapist.id == Client.therapist_id)
            .where(Client.id.in_(clients), Client.status == ClientStatus.ACTIVE)
        )
    ).all()
    if not rows:
        return []
    facts = {
        r.id: _ClientFacts(
            client_id=r.id,
            name=r.display_name,
            zone=ZoneInfo(r.timezone),
            enrolled_on=r.created_at.astimezone(ZoneInfo(r.timezone)).date(),
            therapist_telegram_id=r.telegram_id,
        )
        for r in rows
    }
    # One day more than the history: "today" in the furthest-ahead zone is a day past UTC's.
    since = (now - timedelta(days=PAIN_HISTORY_DAYS + 1)).date()
    pain: dict[int, dict[date, DailyPain]] = defaultdict(dict)
    for row in await reports.pain_rows(session, clients=clients, since=since):
        pain[row.client_id][row.day] = DailyPain(day=row.day, leg=row.leg, back=row.back)
    last_checkin = await reports.last_checkin_days(session, clients=clients)
    last_log = await reports.last_exercise_logs(session, clients=clients)
    # Two Mondays back covers last week in every zone.
    slot_rows = await reports.slot_outcomes(
        session, clients=clients, start=now - timedelta(days=15), end=now
    )
    slots: dict[int, list[SlotOutcome]] = defaultdict(list)
    for slot in slot_rows:
        if slot.client_id in facts:
            day = slot.slot.astimezone(facts[slot.client_id].zone).date()
            outcome = Outcome(slot.outcome) if slot.outcome is not None else None
            slots[slot.client_id].append(SlotOutcome(day=day, outcome=outcome))
    latest = await reports.latest_alerts_by_kind(session, clients=clients)

    raised: list[tuple[_ClientFacts, Alert]] = []
    for client_id, client in facts.items():
        history = sorted(pain.get(client_id, {}).values(), key=lambda p: p.day)
        for candidate in _candidates(
            client,
            history,
            last_checkin.get(client_id),
            last_log.get(client_id),
            slots.get(client_id, []),
            now,
        ):
            previous = latest.get((client_id, candidate.kind.value))
            if not should_raise(candidate, _previous(previous), now):
                continue
            alert = Alert(
                client_id=client_id,
                kind=candidate.kind.value,
                severity=candidate.severity,
                episode_key=candidate.episode_key,
                evidence=candidate.evidence.as_json(),
                created_at=now,
            )
            session.add(alert)
            raised.append((client, alert))
    await session.flush()
    return [
        AlertNotice(
            alert_id=alert.id,
            client_id=client.client_id,
            client_name=client.name,
            therapist_telegram_id=client.therapist_telegram_id,
            kind=alert.kind,
            severity=alert.severity,
            evidence=dict(alert.evidence),
            created_at=alert.created_at,
        )
        for client, alert in raised
    ]


async def evaluate_client_alerts(
    session: AsyncSession, *, client_id: int, now: datetime
) -> list[AlertNotice]:
    """Run the trend rules for one client in the caller's transaction (e.g. after a check-in).

    Returns the alerts newly raised; the caller tells the therapist after committing.
    """
    return await _evaluate(
        session, clients=select(Client.id).where(Client.id == client_id), now=now
    )


async def evaluate_all_alerts(db: Database, *, now: datetime) -> list[AlertNotice]:
    """The daily pass over every active client: inactivity and adherence need no check-in."""
    async with db.sessions.begin() as session:
        return await _evaluate(
            session,
            clients=select(Client.id).where(Client.status == ClientStatus.ACTIVE),
            now=now,
        )


def _notice(row: reports.AlertRow, name: str, therapist_telegram_id: int) -> AlertNotice:
    return AlertNotice(
        alert_id=row.id,
        client_id=row.client_id,
        client_name=name,
        therapist_telegram_id=therapist_telegram_id,
        kind=row.kind,
        severity=row.severity,
        evidence=dict(row.evidence),
        created_at=row.created_at,
        acknowledged_at=row.acknowledged_at,
    )


async def open_alerts(
    db: Database, *, therapist_telegram_id: int, now: datetime
) -> tuple[AlertNotice, ...]:
    """The therapist's unacknowledged alerts, newest first (red flags first of all)."""
    mine = clients_of(therapist_telegram_id)
    async with db.sessions.begin() as session:
        rows = await reports.alerts_of(session, clients=mine, open_only=True)
        names = dict(
            (
                await session.execute(
                    select(Client.id, Client.display_name).where(Client.id.in_(mine))
                )
            ).all()
        )
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=audit.VIEW_ALERTS,
            client_ids=sorted({row.client_id for row in rows}),
            now=now,
        )
    notices = [_notice(row, names.get(row.client_id, ""), therapist_telegram_id) for row in rows]
    notices.sort(key=lambda n: (n.kind != AlertKind.RED_FLAG.value,))
    return tuple(notices)


async def acknowledge_alert(
    db: Database, *, therapist_telegram_id: int, alert_id: int, now: datetime
) -> AckResult:
    """Mark the alert seen; only the client's own therapist may, and only once."""
    async with db.sessions.begin() as session:
        alert = await session.get(Alert, alert_id)
        if alert is None:
            return AckResult(AckOutcome.NOT_FOUND)
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=alert.client_id
        )
        if client is None:
            return AckResult(AckOutcome.NOT_FOUND)
        outcome = AckOutcome.ALREADY
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by = now, therapist_telegram_id
            outcome = AckOutcome.ACKNOWLEDGED
        row = reports.AlertRow(
            id=alert.id,
            client_id=alert.client_id,
            kind=alert.kind,
            severity=alert.severity,
            episode_key=alert.episode_key,
            evidence=dict(alert.evidence),
            created_at=alert.created_at,
            acknowledged_at=alert.acknowledged_at,
        )
        return AckResult(outcome, _notice(row, client.display_name, therapist_telegram_id))
