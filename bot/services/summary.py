"""The therapist's weekly summary: gathers each client's week, set-based, for bot.domain.summary.

Built with a constant number of queries whatever the number of clients (DESIGN.md performance
target: 200 clients in ≤ 3 s): every query below is set-based over the therapist's clients.
The service only turns rows into `ClientWeek`s; who needs attention and in which order the
therapist reads the rows are the pure rules of `bot.domain.summary`.

"The week" is the 7 complete local days (in the therapist's zone) ending yesterday: on the
Monday 08:00 push that is last Monday … Sunday. "The previous week" is the 7 days before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db import reports
from bot.db.engine import Database
from bot.db.models import Alert, Client, ClientStatus, OutcomeMeasure, Therapist
from bot.domain.adherence import Outcome, adherence_pct
from bot.domain.pain import WEEK_MIN_ENTRIES, DailyPain, Region, rolling_mean
from bot.domain.summary import ClientWeek, SummaryRow, summary_rows
from bot.services.audit import VIEW_SUMMARY, record_access

__all__ = ["ClientSummary", "SummaryOverview", "WeeklySummary", "build_weekly_summary"]

SBI_INSTRUMENT = "SBI"
WEEK_DAYS = 7


@dataclass(frozen=True)
class ClientSummary:
    """One client's line: the domain's row (figures, attention reasons, place in the order)
    and what the summary shows besides."""

    row: SummaryRow
    # NRS points, positive = more back pain than the week before; None without both weeks.
    back_pain_change: float | None
    # Alert kinds raised this week, first raised first (`bot.domain.alerts.AlertKind` values).
    alert_kinds: tuple[str, ...]


@dataclass(frozen=True)
class SummaryOverview:
    week_start: date
    week_end: date  # inclusive
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
    # In `bot.domain.summary.summary_rows` order: those needing attention first.
    clients: tuple[ClientSummary, ...]
    overview: SummaryOverview

    @property
    def rows(self) -> tuple[SummaryRow, ...]:
        return tuple(client.row for client in self.clients)


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


@dataclass(frozen=True)
class _AlertFact:
    kind: str
    created_at: datetime
    open: bool


@dataclass
class _Gathered:
    """Everything fetched for one therapist, keyed by client id."""

    clients: list[tuple[int, str, str]]
    pains: dict[int, list[DailyPain]]
    # (this week, last week) slot outcomes; each element one prescribed slot.
    slots: dict[int, tuple[list[Outcome | None], list[Outcome | None]]]
    # (recorded_at, total), this week and last week.
    sbi: dict[int, tuple[list[tuple[datetime, int]], list[tuple[datetime, int]]]]
    alerts: dict[int, list[_AlertFact]]


def _nothing() -> _Gathered:
    return _Gathered([], {}, {}, {}, {})


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
            return _assemble(therapist_telegram_id, now, zone_name, window, _nothing())
        mine = select(Client.id).where(
            Client.therapist_id == therapist.id, Client.status != ClientStatus.DELETED
        )
        client_rows = (
            await session.execute(
                select(Client.id, Client.display_name, Client.status).where(Client.id.in_(mine))
            )
        ).all()
        pain_rows = await reports.pain_rows(
            session,
            clients=mine,
            since=window.week_start - timedelta(days=WEEK_DAYS),
            until=window.week_end,
        )
        slot_rows = await reports.slot_outcomes(
            session, clients=mine, start=window.previous_start_utc, end=window.end_utc
        )
        sbi_rows = (
            await session.execute(
                select(
                    OutcomeMeasure.client_id, OutcomeMeasure.recorded_at, OutcomeMeasure.total
                ).where(
                    OutcomeMeasure.client_id.in_(mine),
                    OutcomeMeasure.instrument == SBI_INSTRUMENT,
                    OutcomeMeasure.recorded_at >= window.previous_start_utc,
                    OutcomeMeasure.recorded_at < window.end_utc,
                )
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
            client_ids=[c.id for c in client_rows],
            now=now,
        )

    gathered = _nothing()
    gathered.clients = [(c.id, c.display_name, c.status.value) for c in client_rows]
    for pain in pain_rows:
        gathered.pains.setdefault(pain.client_id, []).append(
            DailyPain(day=pain.day, leg=pain.leg, back=pain.back)
        )
    for slot in slot_rows:
        this_week, last_week = gathered.slots.setdefault(slot.client_id, ([], []))
        outcome = Outcome(slot.outcome) if slot.outcome is not None else None
        (this_week if slot.slot >= window.start_utc else last_week).append(outcome)
    for client_id, recorded_at, total in sbi_rows:
        this_sbi, last_sbi = gathered.sbi.setdefault(client_id, ([], []))
        (this_sbi if recorded_at >= window.start_utc else last_sbi).append((recorded_at, total))
    for client_id, kind, created_at, acknowledged_at in alert_rows:
        gathered.alerts.setdefault(client_id, []).append(
            _AlertFact(kind=kind, created_at=created_at, open=acknowledged_at is None)
        )
    return _assemble(therapist_telegram_id, now, zone_name, window, gathered)


def _week_means(
    pains: list[DailyPain], week_end: date, region: Region
) -> tuple[float | None, float | None]:
    """Mean pain this week and last week; None for a week with fewer than 2 check-ins
    (`pain.WEEK_MIN_ENTRIES`: one day does not stand for a week)."""

    def mean(last_day: date) -> float | None:
        return rolling_mean(pains, last_day, WEEK_DAYS, region=region, min_entries=WEEK_MIN_ENTRIES)

    return mean(week_end), mean(week_end - timedelta(days=WEEK_DAYS))


def _latest(scores: list[tuple[datetime, int]]) -> int | None:
    return max(scores)[1] if scores else None


def _change(current: float | None, previous: float | None) -> float | None:
    return None if current is None or previous is None else current - previous


def _assemble(
    therapist_telegram_id: int,
    now: datetime,
    zone_name: str,
    window: _Window,
    gathered: _Gathered,
) -> WeeklySummary:
    weeks: list[ClientWeek] = []
    extras: dict[int, tuple[float | None, tuple[str, ...]]] = {}
    for client_id, name, status in gathered.clients:
        pains = gathered.pains.get(client_id, [])
        leg_now, leg_before = _week_means(pains, window.week_end, Region.LEG)
        back_now, back_before = _week_means(pains, window.week_end, Region.BACK)
        this_slots, last_slots = gathered.slots.get(client_id, ([], []))
        this_sbi, last_sbi = gathered.sbi.get(client_id, ([], []))
        raised = sorted(
            (a for a in gathered.alerts.get(client_id, []) if a.created_at >= window.start_utc),
            key=lambda a: a.created_at,
        )
        kinds = tuple(dict.fromkeys(a.kind for a in raised))
        weeks.append(
            ClientWeek(
                client_id=client_id,
                name=name,
                status=status,
                adherence_this_week=adherence_pct(this_slots),
                adherence_last_week=adherence_pct(last_slots),
                leg_pain_this_week=leg_now,
                leg_pain_last_week=leg_before,
                sbi_this_week=_latest(this_sbi),
                sbi_last_week=_latest(last_sbi),
                alerts_count=len(raised),
                alert_kinds=frozenset(kinds),
            )
        )
        extras[client_id] = (_change(back_now, back_before), kinds)
    rows = summary_rows(weeks)
    adherences = [r.adherence_pct for r in rows if r.adherence_pct is not None]
    overview = SummaryOverview(
        week_start=window.week_start,
        week_end=window.week_end,
        clients=len(rows),
        needing_attention=sum(1 for r in rows if r.needs_attention),
        mean_adherence_pct=sum(adherences) / len(adherences) if adherences else None,
        alerts_this_week=sum(r.alerts_count for r in rows),
        open_alerts=sum(1 for facts in gathered.alerts.values() for a in facts if a.open),
    )
    return WeeklySummary(
        therapist_telegram_id=therapist_telegram_id,
        generated_at=now,
        timezone=zone_name,
        clients=tuple(
            ClientSummary(
                row=row,
                back_pain_change=extras[row.client_id][0],
                alert_kinds=extras[row.client_id][1],
            )
            for row in rows
        ),
        overview=overview,
    )
