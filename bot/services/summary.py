"""The therapist's weekly summary: gathers each client's week, set-based, for bot.domain.summary.

Built with a constant number of queries whatever the number of clients (DESIGN.md performance
target: 200 clients in ≤ 3 s): every query below is set-based over the therapist's clients.
The service only turns rows into `ClientWeek`s; who needs attention and in which order the
therapist reads the rows are the pure rules of `bot.domain.summary`.

"The week" is the last complete Monday–Sunday week (local dates, in the therapist's zone): on
the Monday 08:00 push, last Monday … yesterday; asked for on a Wednesday, still that week —
adherence is a per-week figure (DESIGN.md), the same one /clients shows as "last week".
"The previous week" is the week before. Who needs attention, and in which order, is
`bot.domain.triage` over the same facts /clients ranks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db import reports
from bot.db.clients import clients_of_therapist
from bot.db.engine import Database
from bot.db.outcomes import totals_recorded
from bot.db.therapists import therapist_by_telegram_id
from bot.domain.adherence import week_start_of, weekly_adherence
from bot.domain.alerts import DEFAULT_SENSITIVITY, Sensitivity
from bot.domain.pain import WEEK_MIN_ENTRIES, DailyPain, Region, rolling_mean
from bot.domain.summary import ClientWeek, SummaryRow, summary_rows
from bot.domain.triage import triage
from bot.services.audit import VIEW_SUMMARY, record_access
from bot.services.caseload import CaseloadClient, gather_caseload

__all__ = ["SummaryOverview", "WeeklySummary", "build_weekly_summary"]

SBI_INSTRUMENT = "SBI"
WEEK_DAYS = 7


@dataclass(frozen=True)
class SummaryOverview:
    week_start: date
    week_end: date  # inclusive
    clients: int
    needing_attention: int
    # Not needing attention otherwise, but nothing prescribed yet (the flagged ones say so in
    # their own lines).
    awaiting_prescription: int
    mean_adherence_pct: float | None
    alerts_this_week: int
    # Every alert not acknowledged yet, whenever it was raised (what /alerts lists).
    open_alerts: int


@dataclass(frozen=True)
class WeeklySummary:
    therapist_telegram_id: int
    generated_at: datetime
    timezone: str
    # In `bot.domain.triage` order: those needing attention first.
    rows: tuple[SummaryRow, ...]
    overview: SummaryOverview

    @property
    def needing_attention(self) -> tuple[SummaryRow, ...]:
        return tuple(row for row in self.rows if row.needs_attention)


@dataclass(frozen=True)
class _Window:
    week_start: date
    week_end: date  # inclusive
    start_utc: datetime
    end_utc: datetime  # exclusive
    previous_start_utc: datetime


def _window(now: datetime, zone_name: str) -> _Window:
    """The last complete Monday–Sunday week in the therapist's zone."""
    zone = ZoneInfo(zone_name)
    week_start = week_start_of(now.astimezone(zone).date()) - timedelta(weeks=1)
    week_end = week_start + timedelta(days=WEEK_DAYS - 1)

    def utc(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(now.tzinfo)

    return _Window(
        week_start=week_start,
        week_end=week_end,
        start_utc=utc(week_start),
        end_utc=utc(week_end + timedelta(days=1)),
        previous_start_utc=utc(week_start - timedelta(days=WEEK_DAYS)),
    )


@dataclass
class _Extras:
    """What only the summary needs besides the caseload, keyed by client id."""

    # (recorded_at, total), this week and last week.
    sbi: dict[int, tuple[list[tuple[datetime, int]], list[tuple[datetime, int]]]]
    skips: dict[int, list[tuple[str, int]]]


async def build_weekly_summary(
    db: Database,
    *,
    therapist_telegram_id: int,
    now: datetime,
    default_timezone: str = "UTC",
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
) -> WeeklySummary:
    """The summary for the last complete week before `now`, for this therapist."""
    async with db.sessions.begin() as session:
        therapist = await therapist_by_telegram_id(session, therapist_telegram_id)
        zone_name = therapist.timezone if therapist is not None else default_timezone
        window = _window(now, zone_name)
        if therapist is None:
            empty = _Extras({}, {})
            return _assemble(therapist_telegram_id, now, zone_name, window, [], empty, sensitivity)
        mine = clients_of_therapist(therapist.id)
        caseload = await gather_caseload(session, clients=mine, now=now)
        sbi_rows = await totals_recorded(
            session,
            clients=mine,
            instrument=SBI_INSTRUMENT,
            since=window.previous_start_utc,
            until=window.end_utc,
        )
        skipped = await reports.skip_reasons(
            session, clients=mine, start=window.start_utc, end=window.end_utc
        )
        # The summary shows each client's health data to the therapist: audit it (one INSERT).
        await record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=VIEW_SUMMARY,
            client_ids=[c.client_id for c in caseload],
            now=now,
        )
    extras = _Extras({}, defaultdict(list))
    for client_id, recorded_at, total in sbi_rows:
        this_sbi, last_sbi = extras.sbi.setdefault(client_id, ([], []))
        (this_sbi if recorded_at >= window.start_utc else last_sbi).append((recorded_at, total))
    for client_id, reason, count in skipped:
        extras.skips[client_id].append((reason, count))
    return _assemble(therapist_telegram_id, now, zone_name, window, caseload, extras, sensitivity)


def _week_means(
    pains: tuple[DailyPain, ...], week_end: date, region: Region
) -> tuple[float | None, float | None]:
    """Mean pain this week and last week; None for a week with fewer than 2 check-ins
    (`pain.WEEK_MIN_ENTRIES`: one day does not stand for a week)."""

    def mean(last_day: date) -> float | None:
        return rolling_mean(pains, last_day, WEEK_DAYS, region=region, min_entries=WEEK_MIN_ENTRIES)

    return mean(week_end), mean(week_end - timedelta(days=WEEK_DAYS))


def _latest(scores: list[tuple[datetime, int]]) -> int | None:
    return max(scores)[1] if scores else None


def _client_week(client: CaseloadClient, window: _Window, extras: _Extras) -> ClientWeek:
    facts = client.facts
    leg_now, leg_before = _week_means(facts.pain, window.week_end, Region.LEG)
    back_now, back_before = _week_means(facts.pain, window.week_end, Region.BACK)
    previous = window.week_start - timedelta(weeks=1)
    adherence = weekly_adherence(facts.slots, [window.week_start, previous])
    this_sbi, last_sbi = extras.sbi.get(client.client_id, ([], []))
    raised = sorted(
        (a for a in client.alerts if window.start_utc <= a.created_at < window.end_utc),
        key=lambda a: a.created_at,
    )
    skips = sorted(extras.skips.get(client.client_id, []), key=lambda rc: (-rc[1], rc[0]))
    return ClientWeek(
        client_id=client.client_id,
        name=facts.name,
        status=facts.status,
        adherence_this_week=adherence[window.week_start],
        adherence_last_week=adherence[previous],
        leg_pain_this_week=leg_now,
        leg_pain_last_week=leg_before,
        back_pain_this_week=back_now,
        back_pain_last_week=back_before,
        sbi_this_week=_latest(this_sbi),
        sbi_last_week=_latest(last_sbi),
        alert_kinds=tuple(a.kind for a in raised),
        skip_reasons=tuple(skips),
    )


def _assemble(
    therapist_telegram_id: int,
    now: datetime,
    zone_name: str,
    window: _Window,
    caseload: list[CaseloadClient],
    extras: _Extras,
    sensitivity: Sensitivity,
) -> WeeklySummary:
    weeks = [_client_week(client, window, extras) for client in caseload]
    rows = summary_rows(weeks, triage((client.facts for client in caseload), sensitivity))
    adherences = [r.adherence_pct for r in rows if r.adherence_pct is not None]
    overview = SummaryOverview(
        week_start=window.week_start,
        week_end=window.week_end,
        clients=len(rows),
        needing_attention=sum(1 for r in rows if r.needs_attention),
        awaiting_prescription=sum(
            1 for r in rows if r.awaiting_prescription and not r.needs_attention
        ),
        mean_adherence_pct=sum(adherences) / len(adherences) if adherences else None,
        alerts_this_week=sum(r.alerts_count for r in rows),
        open_alerts=sum(
            1 for client in caseload for a in client.alerts if a.acknowledged_at is None
        ),
    )
    return WeeklySummary(
        therapist_telegram_id=therapist_telegram_id,
        generated_at=now,
        timezone=zone_name,
        rows=rows,
        overview=overview,
    )
