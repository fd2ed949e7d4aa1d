"""The therapist's weekly summary: one row per client, the ones needing attention first.

Built with a constant number of queries whatever the number of clients (DESIGN.md performance
target: 200 clients in ≤ 3 s): every query below is set-based over the therapist's clients,
and the per-client arithmetic runs in Python on the fetched rows.

"The week" is the 7 complete local days (in the therapist's zone) ending yesterday: on the
Monday 08:00 push that is last Monday … Sunday. "The previous week" is the 7 days before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import (
    Alert,
    Client,
    ClientStatus,
    Delivery,
    ExerciseLog,
    ExerciseOutcome,
    OutcomeMeasure,
    PainEntry,
    Schedule,
    ScheduleKind,
    Therapist,
)
from bot.domain.pain import DailyPain, comparison_with_last_week
from bot.services.audit import VIEW_SUMMARY, record_access

SBI_INSTRUMENT = "SBI"
WEEK_DAYS = 7


@dataclass(frozen=True)
class ClientWeekRow:
    """One client's week, as the therapist reads it."""

    client_id: int
    name: str
    status: str
    # Exercise slots done (partly = half) ÷ slots prescribed this week; None if nothing due.
    adherence_pct: float | None
    leg_this_week: float | None
    leg_previous_week: float | None
    # Positive = more pain than the week before; None without ≥ 2 check-ins in each week.
    leg_change: float | None
    back_change: float | None
    sbi_latest: int | None
    sbi_change: int | None
    alert_kinds: tuple[str, ...]
    open_alerts: int
    needs_attention: bool


@dataclass(frozen=True)
class SummaryOverview:
    week_start: date
    week_end: date
    clients: int
    needing_attention: int
    mean_adherence_pct: float | None
    alerts_this_week: int
    open_alerts: int


@dataclass(frozen=True)
class WeeklySummary:
    therapist_telegram_id: int
    generated_at: datetime
    timezone: str
    rows: tuple[ClientWeekRow, ...]
    overview: SummaryOverview


@dataclass(frozen=True)
class _Window:
    week_start: date
    week_end: date  # inclusive
    start_utc: datetime
    end_utc: datetime  # exclusive
    previous_start_utc: datetime


def _window(now: datetime, zone_name: str) -> _Window:
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    week_end = today - timedelta(days=1)
    week_start = week_end - timedelta(days=WEEK_DAYS - 1)

    def utc(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(now.tzinfo)

    return _Window(
        week_start=week_start,
        week_end=week_end,
        start_utc=utc(week_start),
        end_utc=utc(today),
        previous_start_utc=utc(week_start - timedelta(days=WEEK_DAYS)),
    )


# Which rows the therapist must look at first: open alerts, then worse pain, then poor adherence.
LOW_ADHERENCE_ATTENTION_PCT = 50.0
PAIN_RISE_ATTENTION_POINTS = 1.0


def _needs_attention(
    adherence: float | None, leg_change: float | None, open_alerts: int, alerts_week: int
) -> bool:
    return (
        open_alerts > 0
        or alerts_week > 0
        or (leg_change is not None and leg_change >= PAIN_RISE_ATTENTION_POINTS)
        or (adherence is not None and adherence < LOW_ADHERENCE_ATTENTION_PCT)
    )


def _attention_key(row: ClientWeekRow) -> tuple[int, int, float, float, str]:
    return (
        0 if row.needs_attention else 1,
        -row.open_alerts,
        -(row.leg_change or 0.0),
        row.adherence_pct if row.adherence_pct is not None else 101.0,
        row.name.casefold(),
    )


async def build_weekly_summary(
    db: Database, *, therapist_telegram_id: int, now: datetime, default_timezone: str = "UTC"
) -> WeeklySummary:
    """The summary for the week before `now`, for the therapist with this Telegram id."""
    async with db.sessions.begin() as session:
        therapist = (
            await session.execute(
                select(Therapist.id, Therapist.timezone).where(
                    Therapist.telegram_id == therapist_telegram_id
                )
            )
        ).one_or_none()
        zone_name = therapist.timezone if therapist is not None else default_timezone
        window = _window(now, zone_name)
        if therapist is None:
            return _assemble(therapist_telegram_id, now, zone_name, window, [], {}, {}, {}, {}, {})
        mine = select(Client.id).where(
            Client.therapist_id == therapist.id, Client.status != ClientStatus.DELETED
        )
        clients = (
            await session.execute(
                select(Client.id, Client.display_name, Client.status).where(Client.id.in_(mine))
            )
        ).all()
        pain_rows = (
            await session.execute(
                select(PainEntry.client_id, PainEntry.day, PainEntry.leg, PainEntry.back).where(
                    PainEntry.client_id.in_(mine),
                    PainEntry.day >= window.week_start - timedelta(days=WEEK_DAYS),
                    PainEntry.day <= window.week_end,
                )
            )
        ).all()
        sbi_rows = (
            await session.execute(
                select(
                    OutcomeMeasure.client_id, OutcomeMeasure.period_start, OutcomeMeasure.total
                ).where(
                    OutcomeMeasure.client_id.in_(mine),
                    OutcomeMeasure.instrument == SBI_INSTRUMENT,
                    OutcomeMeasure.recorded_at < window.end_utc,
                    OutcomeMeasure.recorded_at >= window.previous_start_utc,
                )
            )
        ).all()
        prescribed = (
            await session.execute(
                select(Schedule.client_id, func.count(Delivery.id))
                .join(Delivery, Delivery.schedule_id == Schedule.id)
                .where(
                    Schedule.client_id.in_(mine),
                    Schedule.kind == ScheduleKind.EXERCISE_REMINDER,
                    Delivery.slot >= window.start_utc,
                    Delivery.slot < window.end_utc,
                )
                .group_by(Schedule.client_id)
            )
        ).all()
        logged = (
            await session.execute(
                select(ExerciseLog.client_id, ExerciseLog.outcome, func.count(ExerciseLog.id))
                .where(
                    ExerciseLog.client_id.in_(mine),
                    ExerciseLog.slot >= window.start_utc,
                    ExerciseLog.slot < window.end_utc,
                )
                .group_by(ExerciseLog.client_id, ExerciseLog.outcome)
            )
        ).all()
        alert_rows = (
            await session.execute(
                select(Alert.client_id, Alert.kind, Alert.created_at, Alert.acknowledged_at).where(
                    Alert.client_id.in_(mine),
                    Alert.created_at < window.end_utc,
                    (Alert.created_at >= window.start_utc) | Alert.acknowledged_at.is_(None),
                )
            )
        ).all()
        # The summary shows each client's health data to the therapist: audit it (one INSERT).
        await record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=VIEW_SUMMARY,
            client_ids=[c.id for c in clients],
            now=now,
        )

    pains: dict[int, list[DailyPain]] = defaultdict(list)
    for p_client, p_day, p_leg, p_back in pain_rows:
        pains[p_client].append(DailyPain(day=p_day, leg=p_leg, back=p_back))
    sbi: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for s_client, s_period, s_total in sbi_rows:
        sbi[s_client].append((s_period, s_total))
    due = {client_id: count for client_id, count in prescribed if client_id is not None}
    done: dict[int, float] = defaultdict(float)
    for client_id, outcome, count in logged:
        if outcome is ExerciseOutcome.DONE:
            done[client_id] += count
        elif outcome is ExerciseOutcome.PARTLY:
            done[client_id] += count / 2
    alerts: dict[int, list[tuple[str, datetime, datetime | None]]] = defaultdict(list)
    for a_client, a_kind, a_created, a_acknowledged in alert_rows:
        alerts[a_client].append((a_kind, a_created, a_acknowledged))
    return _assemble(
        therapist_telegram_id,
        now,
        zone_name,
        window,
        [(c.id, c.display_name, c.status.value) for c in clients],
        pains,
        sbi,
        due,
        done,
        alerts,
    )


def _assemble(
    therapist_telegram_id: int,
    now: datetime,
    zone_name: str,
    window: _Window,
    clients: list[tuple[int, str, str]],
    pains: dict[int, list[DailyPain]],
    sbi: dict[int, list[tuple[date, int]]],
    due: dict[int, int],
    done: dict[int, float],
    alerts: dict[int, list[tuple[str, datetime, datetime | None]]],
) -> WeeklySummary:
    rows: list[ClientWeekRow] = []
    for client_id, name, status in clients:
        slots = due.get(client_id, 0)
        adherence = min(100.0, 100.0 * done.get(client_id, 0.0) / slots) if slots else None
        comparison = comparison_with_last_week(pains.get(client_id, []), window.week_end)
        scores = sorted(sbi.get(client_id, []))
        sbi_latest = scores[-1][1] if scores else None
        sbi_change = scores[-1][1] - scores[0][1] if len(scores) >= 2 else None
        client_alerts = alerts.get(client_id, [])
        week_kinds = tuple(
            dict.fromkeys(kind for kind, created, _ in client_alerts if created >= window.start_utc)
        )
        open_count = sum(1 for _, _, acknowledged in client_alerts if acknowledged is None)
        leg_change = comparison.leg.change if comparison else None
        rows.append(
            ClientWeekRow(
                client_id=client_id,
                name=name,
                status=status,
                adherence_pct=adherence,
                leg_this_week=comparison.leg.this_week if comparison else None,
                leg_previous_week=comparison.leg.last_week if comparison else None,
                leg_change=leg_change,
                back_change=comparison.back.change if comparison else None,
                sbi_latest=sbi_latest,
                sbi_change=sbi_change,
                alert_kinds=week_kinds,
                open_alerts=open_count,
                needs_attention=_needs_attention(
                    adherence, leg_change, open_count, len(week_kinds)
                ),
            )
        )
    rows.sort(key=_attention_key)
    adherences = [r.adherence_pct for r in rows if r.adherence_pct is not None]
    overview = SummaryOverview(
        week_start=window.week_start,
        week_end=window.week_end,
        clients=len(rows),
        needing_attention=sum(1 for r in rows if r.needs_attention),
        mean_adherence_pct=sum(adherences) / len(adherences) if adherences else None,
        alerts_this_week=sum(
            1 for items in alerts.values() for _, created, _ in items if created >= window.start_utc
        ),
        open_alerts=sum(r.open_alerts for r in rows),
    )
    return WeeklySummary(
        therapist_telegram_id=therapist_telegram_id,
        generated_at=now,
        timezone=zone_name,
        rows=tuple(rows),
        overview=overview,
    )
