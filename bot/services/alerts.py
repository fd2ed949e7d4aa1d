"""Trend alerts for the therapist: judge days, apply the episode rule, store, list, ack.

The rules are pure functions in `bot.domain.alerts`; this module decides *when* each day is
judged and feeds the rules the history they declare they need (`HISTORY_DAYS`):

* a check-in is judged when it is made (`judge_checkin`, called by the check-in service in the
  check-in's own transaction): worsening leg/back pain and severe leg pain for that day;
* a day the client has finished is judged by the day-end pass (`judge_finished_days`, every
  quarter hour, for the clients whose local midnight just passed): silence, and adherence once
  their week is over. A periodic pass never judges a day still in progress.

Every candidate goes through `should_raise`, the one-alert-per-episode rule, and the ones it
lets through are stored. Red flags are raised by `bot.services.red_flags`, at once; they are
listed and acknowledged here like the others.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db import alerts as alert_rows
from bot.db import outbox, reports
from bot.db.clients import clients_of, owned_client
from bot.db.engine import Database
from bot.db.models import Alert
from bot.domain.adherence import Outcome, SlotOutcome, week_start_of, weekly_adherence
from bot.domain.alerts import (
    DEFAULT_SENSITIVITY,
    HISTORY_DAYS,
    INACTIVITY_MIN_DAYS,
    AlertCandidate,
    AlertKind,
    PreviousAlert,
    Sensitivity,
    inactivity_alert_for,
    low_adherence_alert_for,
    pain_trend_alerts,
    should_raise,
)
from bot.domain.pain import DailyPain
from bot.domain.recipients import Audience
from bot.domain.schedule_times import (
    DAY_END_PASS_INTERVAL,
    day_end_pass_slot,
    days_finished_between,
    end_of_local_day,
)
from bot.services import audit
from bot.services.kinds import TREND_ALERT

# The pain history the rules need, ending on the judged day (bot.domain.alerts.HISTORY_DAYS).
JUDGING_PAIN_DAYS = HISTORY_DAYS
# The ledger's name for the day-end pass: one claim per slot across every instance.
DAY_END_JOB = "day_end_alerts"
# How far back the day-end pass makes up days a missed pass (the bot down) did not judge:
# longer outages are the operator's to notice; silence keeps growing and is judged anyway.
DAY_END_CATCH_UP = timedelta(days=3)


@dataclass(frozen=True)
class AlertNotice:
    """One alert as the therapist is told about it."""

    alert_id: int
    client_id: int
    client_name: str
    therapist_telegram_id: int
    kind: AlertKind
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
class _Raising:
    """Who is told of a client's alerts."""

    client_id: int
    name: str
    therapist_telegram_id: int


async def _raise(
    session: AsyncSession, found: Mapping[int, Sequence[AlertCandidate]], *, now: datetime
) -> list[AlertNotice]:
    """Every candidate through the episode rule; the ones it lets through are stored.

    Reads the episode ledger only for clients with a candidate: most judgements find none.
    """
    wanted = {client_id: c for client_id, c in found.items() if c}
    if not wanted:
        return []
    clients = alert_rows.clients_among(wanted)
    latest = await reports.latest_alerts_by_kind(session, clients=clients)
    people = {
        r.id: _Raising(client_id=r.id, name=r.display_name, therapist_telegram_id=r.telegram_id)
        for r in await alert_rows.names_and_therapists(session, clients=clients)
    }
    raised: list[tuple[_Raising, Alert, AlertKind]] = []
    for client_id, candidates in wanted.items():
        for candidate in candidates:
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
            raised.append((people[client_id], alert, candidate.kind))
    return await _store_and_queue(session, raised, now=now)


async def _store_and_queue(
    session: AsyncSession, raised: list[tuple[_Raising, Alert, AlertKind]], *, now: datetime
) -> list[AlertNotice]:
    """Store each raised alert and queue its notice to the therapist, in the caller's
    transaction: the alert and the message about it exist together or not at all.

    An alert of an episode the client already has open refreshes that open row (the schema
    holds each open episode once per client and kind), so a pass run twice never stores two.
    """
    notices: list[AlertNotice] = []
    for who, alert, kind in raised:
        values = {
            "client_id": alert.client_id,
            "kind": alert.kind,
            "severity": alert.severity,
            "episode_key": alert.episode_key,
            "evidence": alert.evidence,
            "created_at": alert.created_at,
        }
        notice = AlertNotice(
            alert_id=await alert_rows.store_open_alert(session, values),
            client_id=who.client_id,
            client_name=who.name,
            therapist_telegram_id=who.therapist_telegram_id,
            kind=kind,
            severity=alert.severity,
            evidence=dict(alert.evidence),
            created_at=alert.created_at,
        )
        await outbox.enqueue(
            session,
            kind=TREND_ALERT,
            chat_id=notice.therapist_telegram_id,
            audience=Audience.THERAPIST,
            client_id=notice.client_id,
            payload={
                "alert_id": notice.alert_id,
                "client_id": notice.client_id,
                "client_name": notice.client_name,
                "therapist_telegram_id": notice.therapist_telegram_id,
                "kind": notice.kind.value,
                "severity": notice.severity,
                "evidence": notice.evidence,
                "created_at": notice.created_at.isoformat(),
            },
            now=now,
        )
        notices.append(notice)
    return notices


def pain_history_start(day: date) -> date:
    """The first day of pain history the rules read to judge `day` (`HISTORY_DAYS` of it)."""
    return day - timedelta(days=JUDGING_PAIN_DAYS - 1)


async def judge_checkin(
    transaction: AsyncSession | AsyncConnection,
    *,
    client_id: int,
    day: date,
    history: Sequence[DailyPain],
    now: datetime,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
) -> list[AlertNotice]:
    """Judge the day of a check-in, at the check-in, in the caller's transaction (a session,
    or the connection of a Core transaction: a session joins it only to raise an alert).

    `history` is the client's pain from `pain_history_start(day)` to `day`, the new entry
    included (the check-in service has just read it). Returns the alerts newly raised.
    """
    candidates = pain_trend_alerts(history, judged_day=day, sensitivity=sensitivity)
    if not candidates:
        return []
    if isinstance(transaction, AsyncSession):
        return await _raise(transaction, {client_id: candidates}, now=now)
    # Joins the connection's transaction: the caller commits (or rolls back) it.
    async with AsyncSession(bind=transaction, expire_on_commit=False) as session:
        notices = await _raise(session, {client_id: candidates}, now=now)
        await session.flush()
    return notices


@dataclass(frozen=True)
class _FinishedDay:
    client_id: int
    day: date
    """The client's latest finished day: silence is judged up to its end."""
    zone: ZoneInfo
    enrolled_on: date
    made_up: tuple[date, ...] = ()
    """Earlier finished days a missed pass did not judge (the bot was down at their end)."""

    @property
    def days(self) -> tuple[date, ...]:
        return (*self.made_up, self.day)

    @property
    def before_enrolment(self) -> date:
        """Stands in for the last active day of a client who has done nothing yet."""
        return self.enrolled_on - timedelta(days=1)


def _finished_day_candidates(
    client: _FinishedDay,
    checkin_days: Sequence[date],
    last_log: datetime | None,
    slots: Sequence[SlotOutcome],
) -> list[AlertCandidate]:
    found = [
        inactivity_alert_for(
            checkin_days,
            judged_day=client.day,
            enrolled_on=client.enrolled_on,
            last_exercise_log=last_log.astimezone(client.zone).date() if last_log else None,
        )
    ]
    for day in client.days:
        week = week_start_of(day)
        # The week is judged once it is over: after the client's Sunday.
        if day == week + timedelta(days=6) and client.enrolled_on <= week:
            found.append(low_adherence_alert_for(weekly_adherence(slots, [week])[week], week))
    return [c for c in found if c is not None]


async def _judge_finished_days(
    session: AsyncSession, finished: Sequence[_FinishedDay], *, now: datetime
) -> list[AlertNotice]:
    """Silence and adherence for days the clients have finished (set-based over them).

    The pain rules need nothing here: a day with a check-in was judged at the check-in, and a
    day without one has no pain to judge (`pain_trend_alerts`). Silence is judged up to the
    latest finished day (it only grows: judging the earlier ones too would raise the same
    episode twice at once); every finished week among the days has its adherence judged.
    """
    by_id = {c.client_id: c for c in finished}
    clients = alert_rows.clients_among(by_id)
    last_checkin = await reports.last_checkin_days(session, clients=clients)
    last_log = await reports.last_exercise_logs(session, clients=clients)
    # Silence shorter than the rule's minimum is never an alert, whatever the cadence: only
    # the quiet clients' check-in days are read.
    quiet = [
        c.client_id
        for c in finished
        if (c.day - max(last_checkin.get(c.client_id, c.before_enrolment), c.before_enrolment)).days
        >= INACTIVITY_MIN_DAYS
    ]
    days: dict[int, list[date]] = defaultdict(list)
    if quiet:
        since = min(pain_history_start(by_id[i].day) for i in quiet)
        for row in await reports.pain_rows(
            session, clients=alert_rows.clients_among(quiet), since=since
        ):
            days[row.client_id].append(row.day)
    weeks_over = [c for c in finished if any(d.weekday() == 6 for d in c.days)]
    slots: dict[int, list[SlotOutcome]] = defaultdict(list)
    if weeks_over:
        start = min(end_of_local_day(c.days[0], c.zone) for c in weeks_over) - timedelta(days=8)
        for slot in await reports.slot_outcomes(
            session,
            clients=alert_rows.clients_among([c.client_id for c in weeks_over]),
            start=start,
            end=now,
        ):
            client = by_id[slot.client_id]
            outcome = Outcome(slot.outcome) if slot.outcome is not None else None
            slots[slot.client_id].append(
                SlotOutcome(day=slot.slot.astimezone(client.zone).date(), outcome=outcome)
            )
    found: dict[int, list[AlertCandidate]] = {}
    for client in finished:
        history = days.get(client.client_id, [])
        last = last_checkin.get(client.client_id)
        found[client.client_id] = _finished_day_candidates(
            client,
            # The latest check-in ever stands for an older silence (bot.domain.alerts).
            [*history, *([last] if last is not None else [])],
            last_log.get(client.client_id),
            slots.get(client.client_id, []),
        )
    return await _raise(session, found, now=now)


async def judge_finished_days(db: Database, *, now: datetime) -> list[AlertNotice]:
    """The day-end pass: every active client whose local day ended since the previous pass
    has that day judged (silence; a finished week's adherence), after it is over.

    Runs every `DAY_END_PASS_INTERVAL`; `now` is rounded down to its slot, so a pass that
    fires late judges the same clients. Passes missed while the bot was down are made up by
    the next one: it judges every local day that ended since the last pass that ran, up to
    `DAY_END_CATCH_UP` back; the episode rule keeps a day judged twice from alerting twice.
    """
    slot = day_end_pass_slot(now)
    async with db.sessions.begin() as session:
        # Every instance's job fires: the slot is claimed in the ledger, in this transaction,
        # so exactly one of them judges it (a pass that fails releases the claim with it).
        if not await outbox.claim_job_slot(session, job=DAY_END_JOB, slot=slot, now=now):
            return []
        previous = await outbox.latest_job_slot(session, job=DAY_END_JOB, before=slot)
        since = max(
            previous if previous is not None else slot - DAY_END_PASS_INTERVAL,
            slot - DAY_END_CATCH_UP,
        )
        zones = await reports.active_client_zones(session)
        ended = {z: days for z in zones if (days := days_finished_between(since, slot, z))}
        if not ended:
            return []
        rows = await alert_rows.active_clients_in_zones(session, ended)
        finished: list[_FinishedDay] = []
        for r in rows:
            enrolled_on = r.created_at.astimezone(ZoneInfo(r.timezone)).date()
            # Days before enrolment (enrolled after the day ended): nothing to judge.
            days = [d for d in ended[r.timezone] if d >= enrolled_on]
            if days:
                finished.append(
                    _FinishedDay(
                        client_id=r.id,
                        day=days[-1],
                        zone=ZoneInfo(r.timezone),
                        enrolled_on=enrolled_on,
                        made_up=tuple(days[:-1]),
                    )
                )
        return await _judge_finished_days(session, finished, now=now)


def _notice(row: reports.AlertRow, name: str, therapist_telegram_id: int) -> AlertNotice:
    return AlertNotice(
        alert_id=row.id,
        client_id=row.client_id,
        client_name=name,
        therapist_telegram_id=therapist_telegram_id,
        kind=AlertKind(row.kind),
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
        names = await alert_rows.client_names(session, clients=mine)
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=audit.VIEW_ALERTS,
            client_ids=sorted({row.client_id for row in rows}),
            now=now,
        )
    notices = [_notice(row, names.get(row.client_id, ""), therapist_telegram_id) for row in rows]
    notices.sort(key=lambda n: n.kind is not AlertKind.RED_FLAG)
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
