"""The therapist's view of their clients: the list, finding one by name, the client card.

Every function takes the therapist's Telegram id and only ever returns that therapist's own
clients (callback data is never trusted: a client id from a button is re-checked here). Each
view of a client's data writes an audit row in the same transaction (DESIGN.md privacy).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import reports
from bot.db.engine import Database
from bot.db.models import Client, ClientStatus, Prescription, Therapist
from bot.domain.adherence import (
    Outcome,
    SlotOutcome,
    adherence_pct,
    week_start_of,
    weekly_adherence,
)
from bot.domain.pain import DailyPain, comparison_with_last_week
from bot.services import audit
from bot.services.identity import therapist_row
from bot.services.schedules import (
    ensure_therapist_summary_schedule,
    pause_client_schedules,
    resume_client_schedules,
)

# A client is flagged for attention below this adherence (DESIGN.md alert threshold).
ATTENTION_ADHERENCE_PCT = 50.0
# …or when nothing was heard for this many days (DESIGN.md inactivity rule).
ATTENTION_SILENT_DAYS = 3
CARD_WEEKS = 4
CARD_PAIN_DAYS = 28
CARD_NOTES = 5
CARD_ALERTS = 5
# rapidfuzz WRatio: below this a name is not a plausible match for what the therapist typed.
NAME_MATCH_CUTOFF = 70.0
# A best match this far ahead of the next is taken without asking.
NAME_MATCH_MARGIN = 10.0


@dataclass(frozen=True)
class ClientLine:
    client_id: int
    name: str
    status: str
    last_checkin: date | None
    adherence_7d_pct: float | None
    latest_leg: int | None
    leg_arrow: str | None
    open_alerts: int
    needs_attention: bool


@dataclass(frozen=True)
class PrescriptionLine:
    prescription_id: int
    exercise_slug: str
    dosage: str
    times_per_day: int
    days_mask: int


@dataclass(frozen=True)
class PainPoint:
    day: date
    leg: int
    back: int


@dataclass(frozen=True)
class ClientCard:
    client_id: int
    name: str
    status: str
    timezone: str
    prescriptions: tuple[PrescriptionLine, ...]
    weekly_adherence: tuple[tuple[date, float | None], ...]
    pain: tuple[PainPoint, ...]
    notes: tuple[tuple[date, str], ...]
    alerts: tuple[reports.AlertRow, ...]
    open_alerts: int
    last_checkin: date | None


class PauseChange(enum.StrEnum):
    PAUSED = "paused"
    RESUMED = "resumed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PauseResult:
    change: PauseChange
    client_name: str
    client_telegram_id: int


async def register_therapist(
    db: Database, *, telegram_id: int, display_name: str, timezone: str, now: datetime
) -> int:
    """The therapist's row and their Monday summary schedule, made on first contact."""
    async with db.sessions.begin() as session:
        therapist = await therapist_row(
            session, telegram_id=telegram_id, display_name=display_name, timezone=timezone, now=now
        )
        await ensure_therapist_summary_schedule(
            session, therapist_id=therapist.id, tz=therapist.timezone, now=now
        )
        return therapist.id


def clients_of(therapist_telegram_id: int) -> Select[Any]:
    """The ids of this therapist's clients (erased ones are gone; DELETED is never shown)."""
    return (
        select(Client.id)
        .join(Therapist, Therapist.id == Client.therapist_id)
        .where(
            Therapist.telegram_id == therapist_telegram_id,
            Client.status != ClientStatus.DELETED,
        )
    )


async def owned_client(
    session: AsyncSession, *, therapist_telegram_id: int, client_id: int
) -> Client | None:
    """The client, if it is this therapist's; None for anyone else's or a made-up id."""
    return (
        await session.execute(
            select(Client).where(
                Client.id == client_id, Client.id.in_(clients_of(therapist_telegram_id))
            )
        )
    ).scalar_one_or_none()


async def active_prescriptions(
    session: AsyncSession, *, client_id: int, now: datetime
) -> list[Prescription]:
    """The client's prescription lines not ended by `now`, in the order they were prescribed."""
    rows = await session.execute(
        select(Prescription)
        .where(
            Prescription.client_id == client_id,
            or_(Prescription.active_to.is_(None), Prescription.active_to > now),
        )
        .order_by(Prescription.id)
    )
    return list(rows.scalars())


def _local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def _slot_outcomes(
    rows: list[reports.SlotRow], zones: dict[int, str]
) -> dict[int, list[SlotOutcome]]:
    result: dict[int, list[SlotOutcome]] = defaultdict(list)
    for row in rows:
        day = row.slot.astimezone(ZoneInfo(zones[row.client_id])).date()
        outcome = Outcome(row.outcome) if row.outcome is not None else None
        result[row.client_id].append(SlotOutcome(day=day, outcome=outcome))
    return result


def _attention_key(line: ClientLine) -> tuple[int, int, int, float, str]:
    return (
        0 if line.needs_attention else 1,
        -line.open_alerts,
        0 if line.leg_arrow == "↑" else 1,
        line.adherence_7d_pct if line.adherence_7d_pct is not None else 101.0,
        line.name.casefold(),
    )


async def list_clients(
    db: Database, *, therapist_telegram_id: int, now: datetime
) -> tuple[ClientLine, ...]:
    """One line per client, those needing attention first."""
    mine = clients_of(therapist_telegram_id)
    async with db.sessions.begin() as session:
        clients = (
            await session.execute(
                select(Client.id, Client.display_name, Client.status, Client.timezone).where(
                    Client.id.in_(mine)
                )
            )
        ).all()
        zones = {c.id: c.timezone for c in clients}
        pains = await reports.pain_rows(
            session, clients=mine, since=(now - timedelta(days=15)).date()
        )
        slots = await reports.slot_outcomes(
            session, clients=mine, start=now - timedelta(days=7), end=now
        )
        last_days = await reports.last_checkin_days(session, clients=mine)
        open_alerts = await reports.alerts_of(session, clients=mine, open_only=True)
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=audit.VIEW_CLIENT_LIST,
            client_ids=list(zones),
            now=now,
        )
    pain_by_client: dict[int, list[DailyPain]] = defaultdict(list)
    for row in pains:
        pain_by_client[row.client_id].append(DailyPain(day=row.day, leg=row.leg, back=row.back))
    outcomes = _slot_outcomes(slots, zones)
    alert_counts: dict[int, int] = defaultdict(int)
    for alert in open_alerts:
        alert_counts[alert.client_id] += 1
    lines = []
    for client in clients:
        today = _local_today(now, client.timezone)
        entries = pain_by_client.get(client.id, [])
        comparison = comparison_with_last_week(entries, today)
        adherence = adherence_pct(s.outcome for s in outcomes.get(client.id, []))
        last = last_days.get(client.id)
        silent = last is None or (today - last).days >= ATTENTION_SILENT_DAYS
        arrow = comparison.leg.arrow if comparison else None
        lines.append(
            ClientLine(
                client_id=client.id,
                name=client.display_name,
                status=client.status.value,
                last_checkin=last,
                adherence_7d_pct=adherence,
                latest_leg=entries[-1].leg if entries else None,
                leg_arrow=arrow,
                open_alerts=alert_counts.get(client.id, 0),
                needs_attention=client.status is ClientStatus.ACTIVE
                and (
                    alert_counts.get(client.id, 0) > 0
                    or arrow == "↑"
                    or (adherence is not None and adherence < ATTENTION_ADHERENCE_PCT)
                    or silent
                ),
            )
        )
    return tuple(sorted(lines, key=_attention_key))


async def find_clients(
    db: Database, *, therapist_telegram_id: int, query: str
) -> tuple[tuple[int, str], ...]:
    """The therapist's clients whose name matches `query`, best first; one when it is clear."""
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(Client.id, Client.display_name).where(
                    Client.id.in_(clients_of(therapist_telegram_id))
                )
            )
        ).all()
    names = {row.id: row.display_name for row in rows}
    wanted = query.strip()
    if not wanted:
        return ()
    exact = [(cid, name) for cid, name in names.items() if name.casefold() == wanted.casefold()]
    if len(exact) == 1:
        return tuple(exact)
    found = process.extract(
        wanted,
        names,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=NAME_MATCH_CUTOFF,
        limit=5,
    )
    matches = [(int(key), str(name), float(score)) for name, score, key in found]
    if len(matches) >= 2 and matches[0][2] - matches[1][2] >= NAME_MATCH_MARGIN:
        matches = matches[:1]
    return tuple((cid, name) for cid, name, _ in matches)


async def client_card(
    db: Database, *, therapist_telegram_id: int, client_id: int, now: datetime
) -> ClientCard | None:
    """Everything the therapist sees about one client; None unless it is their client."""
    async with db.sessions.begin() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return None
        one: Select[Any] = select(Client.id).where(Client.id == client.id)
        today = _local_today(now, client.timezone)
        first_week = week_start_of(today) - timedelta(weeks=CARD_WEEKS - 1)
        week_start_utc = datetime.combine(first_week, time(0), tzinfo=ZoneInfo(client.timezone))
        prescriptions = await active_prescriptions(session, client_id=client.id, now=now)
        pains = await reports.pain_rows(
            session, clients=one, since=today - timedelta(days=CARD_PAIN_DAYS - 1)
        )
        slots = await reports.slot_outcomes(session, clients=one, start=week_start_utc, end=now)
        alerts = await reports.alerts_of(session, clients=one)
        last = await reports.last_checkin_days(session, clients=one)
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=audit.VIEW_CLIENT,
            client_ids=[client.id],
            now=now,
        )
    outcomes = _slot_outcomes(slots, {client.id: client.timezone}).get(client.id, [])
    weeks = [first_week + timedelta(weeks=i) for i in range(CARD_WEEKS)]
    by_week = weekly_adherence(outcomes, weeks)
    notes = [(p.day, p.note) for p in pains if p.note]
    return ClientCard(
        client_id=client.id,
        name=client.display_name,
        status=client.status.value,
        timezone=client.timezone,
        prescriptions=tuple(
            PrescriptionLine(
                prescription_id=p.id,
                exercise_slug=p.exercise_slug,
                dosage=p.dosage,
                times_per_day=p.times_per_day,
                days_mask=p.days_mask,
            )
            for p in prescriptions
        ),
        weekly_adherence=tuple((week, by_week[week]) for week in weeks),
        pain=tuple(PainPoint(day=p.day, leg=p.leg, back=p.back) for p in pains),
        notes=tuple(reversed(notes[-CARD_NOTES:])),
        alerts=tuple(alerts[:CARD_ALERTS]),
        open_alerts=sum(1 for a in alerts if a.acknowledged_at is None),
        last_checkin=last.get(client.id),
    )


async def toggle_pause(
    db: Database, *, therapist_telegram_id: int, client_id: int, now: datetime
) -> PauseResult | None:
    """Pause an active client's reminders, or resume a paused client; None if not theirs."""
    async with db.sessions.begin() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return None
        change = PauseChange.UNCHANGED
        if client.status is ClientStatus.ACTIVE:
            await pause_client_schedules(session, client_id=client.id, until=None, now=now)
            change = PauseChange.PAUSED
        elif client.status is ClientStatus.PAUSED:
            await resume_client_schedules(session, client_id=client.id, now=now)
            change = PauseChange.RESUMED
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=audit.PAUSE_CLIENT,
            client_ids=[client.id],
            now=now,
            detail=change.value,
        )
        return PauseResult(
            change=change, client_name=client.display_name, client_telegram_id=client.telegram_id
        )
