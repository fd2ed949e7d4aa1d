"""The therapist's view of their clients: the list, finding one by name, the client card.

Every function takes the therapist's Telegram id and only ever returns that therapist's own
clients (callback data is never trusted: a client id from a button is re-checked here). Each
view of a client's data writes an audit row in the same transaction (DESIGN.md privacy).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db import outbox, reports
from bot.db.clients import client_names_of, clients_of, one_client, owned_client
from bot.db.engine import Database
from bot.db.models import Client, ClientStatus
from bot.db.prescriptions import active_prescriptions
from bot.domain.adherence import adherence_pct, settled_slots, week_start_of, weekly_adherence
from bot.domain.alerts import DEFAULT_SENSITIVITY, TEST_SPAN_DAYS, Sensitivity
from bot.domain.pain import Region, comparison_with_last_week, usual_level
from bot.domain.recipients import Audience
from bot.domain.triage import ClientFacts, Need, Triage, triage
from bot.services import audit
from bot.services.caseload import CaseloadClient, gather_caseload
from bot.services.identity import therapist_row
from bot.services.kinds import PAUSED_BY_THERAPIST, PLAIN_TEXT, RESUMED_BY_THERAPIST
from bot.services.schedules import (
    MAX_REMINDER_TIMES,
    checkin_time,
    ensure_therapist_summary_schedule,
    pause_client_schedules,
    reminder_times,
    resume_client_schedules,
    set_checkin_time,
    set_reminder_times,
)

__all__ = ["MAX_REMINDER_TIMES"]  # re-exported for the card's times keyboard

CARD_WEEKS = 4
CARD_PAIN_DAYS = 28
CARD_NOTES = 5
CARD_ALERTS = 5
NOTES_PAGE = 10
# rapidfuzz WRatio: below this a name is not a plausible match for what the therapist typed.
NAME_MATCH_CUTOFF = 70.0
# A best match this far ahead of the next is taken without asking.
NAME_MATCH_MARGIN = 10.0


@dataclass(frozen=True)
class ClientLine:
    """One client in /clients: their place in the triage and the figures beside their name."""

    client_id: int
    name: str
    status: str
    triage: Triage
    joined: date
    last_checkin: date | None
    # Adherence (`bot.domain.adherence`) of this week so far (finished days and answered slots)
    # and of last week, the week the summary reports: the same figure in both views.
    adherence_this_week: float | None
    adherence_last_week: float | None
    latest_leg: int | None
    leg_arrow: str | None
    open_alerts: int

    @property
    def needs_attention(self) -> bool:
        return self.triage.needs_attention

    @property
    def awaiting_prescription(self) -> bool:
        return Need.AWAITING_PRESCRIPTION in self.triage.needs

    @property
    def checked_in_today(self) -> bool:
        return self.triage.checked_in_today


@dataclass(frozen=True)
class ClientList:
    """/clients: every client in triage order, with the counts its heading shows."""

    lines: tuple[ClientLine, ...]

    @property
    def needing_attention(self) -> int:
        return sum(1 for line in self.lines if line.needs_attention)

    @property
    def awaiting_prescription(self) -> int:
        return sum(
            1 for line in self.lines if line.awaiting_prescription and not line.needs_attention
        )

    @property
    def not_checked_in_today(self) -> int:
        return sum(
            1 for line in self.lines if line.status == "active" and not line.checked_in_today
        )


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
class WeekAdherence:
    week_start: date
    pct: float | None
    # This week: only finished days and answered slots count yet (`adherence.settled_slots`).
    so_far: bool


@dataclass(frozen=True)
class ClientCard:
    client_id: int
    name: str
    status: str
    timezone: str
    # The client's own date now.
    today: date
    triage: Triage
    prescriptions: tuple[PrescriptionLine, ...]
    # Weeks since the client joined, at most `CARD_WEEKS`, oldest first.
    weekly_adherence: tuple[WeekAdherence, ...]
    pain: tuple[PainPoint, ...]
    # The client's usual leg pain (`pain.usual_level`, as the alert rules see it), for the chart.
    leg_baseline: float | None
    notes: tuple[tuple[date, str], ...]
    notes_total: int
    alerts: tuple[reports.AlertRow, ...]
    open_alerts: int
    last_checkin: date | None
    # Skip reasons ("pain", "time", …) over the card's weeks, most frequent first.
    skip_reasons: tuple[tuple[str, int], ...]
    reminder_times: tuple[time, ...]
    checkin_time: time | None


@dataclass(frozen=True)
class NotesPage:
    client_id: int
    name: str
    notes: tuple[tuple[date, str], ...]
    page: int
    pages: int
    total: int


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
    """The therapist's row (in `timezone`, THERAPIST_TIMEZONE) and their Monday summary
    schedule, made on first contact and kept in that zone."""
    async with db.sessions.begin() as session:
        therapist = await therapist_row(
            session, telegram_id=telegram_id, display_name=display_name, timezone=timezone, now=now
        )
        # THERAPIST_TIMEZONE is the therapist's zone: a changed setting moves their times and
        # their Monday 08:00 summary with it.
        if therapist.timezone != timezone:
            therapist.timezone = timezone
        await ensure_therapist_summary_schedule(
            session, therapist_id=therapist.id, tz=therapist.timezone, now=now
        )
        return therapist.id


def _local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def _this_week_so_far(facts: ClientFacts) -> float | None:
    monday = week_start_of(facts.today)
    return adherence_pct(
        s.outcome for s in settled_slots(facts.slots, facts.today) if s.day >= monday
    )


def _client_line(client: CaseloadClient, placed: Triage) -> ClientLine:
    facts = client.facts
    comparison = comparison_with_last_week(facts.pain, facts.today)
    recent = [p for p in facts.pain if (facts.today - p.day).days < CARD_PAIN_DAYS]
    return ClientLine(
        client_id=facts.client_id,
        name=facts.name,
        status=facts.status,
        triage=placed,
        joined=facts.enrolled_on,
        last_checkin=facts.last_checkin,
        adherence_this_week=_this_week_so_far(facts),
        adherence_last_week=placed.adherence_last_week,
        latest_leg=recent[-1].leg if recent else None,
        leg_arrow=comparison.leg.arrow if comparison else None,
        open_alerts=sum(1 for a in client.alerts if a.acknowledged_at is None),
    )


async def list_clients(
    db: Database,
    *,
    therapist_telegram_id: int,
    now: datetime,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
) -> ClientList:
    """Every client, ranked by `bot.domain.triage` (the same order as the weekly summary);
    `sensitivity` is ALERT_SENSITIVITY, so "worsening" means what the alerts mean."""
    async with db.sessions.begin() as session:
        caseload = await gather_caseload(
            session, clients=clients_of(therapist_telegram_id), now=now
        )
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=audit.VIEW_CLIENT_LIST,
            client_ids=[c.client_id for c in caseload],
            now=now,
        )
    by_id = {c.client_id: c for c in caseload}
    ranked = triage((c.facts for c in caseload), sensitivity)
    return ClientList(lines=tuple(_client_line(by_id[t.client_id], t) for t in ranked))


async def find_clients(
    db: Database, *, therapist_telegram_id: int, query: str
) -> tuple[tuple[int, str], ...]:
    """The therapist's clients whose name matches `query`, best first; one when it is clear."""
    async with db.sessions() as session:
        names = await client_names_of(session, therapist_telegram_id)
    wanted = query.strip()
    if not wanted:
        return ()
    exact = [(cid, name) for cid, name in names.items() if name.casefold() == wanted.casefold()]
    if len(exact) == 1:
        return tuple(exact)
    # Imported here: rapidfuzz serves only this search, and a bot that is never asked to
    # find a client by name need not hold it in memory.
    from rapidfuzz import fuzz, process, utils

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


def _card_weeks(facts: ClientFacts) -> tuple[WeekAdherence, ...]:
    """Adherence by week since the client joined (at most `CARD_WEEKS`); this week so far."""
    this_monday = week_start_of(facts.today)
    first = max(this_monday - timedelta(weeks=CARD_WEEKS - 1), week_start_of(facts.enrolled_on))
    weeks = [first + timedelta(weeks=i) for i in range((this_monday - first).days // 7 + 1)]
    by_week = weekly_adherence(settled_slots(facts.slots, facts.today), weeks)
    return tuple(
        WeekAdherence(week_start=week, pct=by_week[week], so_far=week == this_monday)
        for week in weeks
    )


async def client_card(
    db: Database,
    *,
    therapist_telegram_id: int,
    client_id: int,
    now: datetime,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
) -> ClientCard | None:
    """Everything the therapist sees about one client; None unless it is their client."""
    async with db.sessions.begin() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return None
        one = one_client(client.id)
        [gathered] = await gather_caseload(session, clients=one, now=now)
        prescriptions = await active_prescriptions(session, client_id=client.id, now=now)
        today = _local_today(now, client.timezone)
        first_week = week_start_of(today) - timedelta(weeks=CARD_WEEKS - 1)
        skipped = await reports.skip_reasons(
            session,
            clients=one,
            start=datetime.combine(first_week, time(0), tzinfo=ZoneInfo(client.timezone)),
            end=now,
        )
        reminders = await reminder_times(session, client_id=client.id)
        checkin = await checkin_time(session, client_id=client.id)
        _, notes_total = await reports.notes_of(session, client_id=client.id, offset=0, limit=0)
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=audit.VIEW_CLIENT,
            client_ids=[client.id],
            now=now,
        )
    facts = gathered.facts
    [placed] = triage([facts], sensitivity)
    since = today - timedelta(days=CARD_PAIN_DAYS - 1)
    # The usual level the alert rules judge today's days against (the 4 weeks before them).
    base = usual_level(
        facts.pain, region=Region.LEG, before=today - timedelta(days=TEST_SPAN_DAYS - 1)
    )
    return ClientCard(
        client_id=client.id,
        name=client.display_name,
        status=client.status.value,
        timezone=client.timezone,
        today=today,
        triage=placed,
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
        weekly_adherence=_card_weeks(facts),
        pain=tuple(
            PainPoint(day=p.day, leg=p.leg, back=p.back) for p in facts.pain if p.day >= since
        ),
        leg_baseline=base.level if base is not None else None,
        notes=gathered.pain_notes[:CARD_NOTES],
        notes_total=notes_total,
        alerts=gathered.alerts[:CARD_ALERTS],
        open_alerts=sum(1 for a in gathered.alerts if a.acknowledged_at is None),
        last_checkin=facts.last_checkin,
        skip_reasons=tuple(
            sorted(
                ((reason, count) for _, reason, count in skipped), key=lambda rc: (-rc[1], rc[0])
            )
        ),
        reminder_times=tuple(sorted(set(reminders))),
        checkin_time=checkin,
    )


async def client_notes(
    db: Database, *, therapist_telegram_id: int, client_id: int, page: int, now: datetime
) -> NotesPage | None:
    """One page (`NOTES_PAGE` notes, newest first) of every note the client wrote at check-in;
    None unless it is this therapist's client. Audited like the card."""
    async with db.sessions.begin() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return None
        _, total = await reports.notes_of(session, client_id=client.id, offset=0, limit=0)
        pages = max(1, -(-total // NOTES_PAGE))
        page = min(max(page, 0), pages - 1)
        rows, _ = await reports.notes_of(
            session, client_id=client.id, offset=page * NOTES_PAGE, limit=NOTES_PAGE
        )
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=audit.VIEW_NOTES,
            client_ids=[client.id],
            now=now,
        )
    return NotesPage(
        client_id=client.id,
        name=client.display_name,
        notes=tuple((row.day, row.note or "") for row in rows),
        page=page,
        pages=pages,
        total=total,
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
        if change is not PauseChange.UNCHANGED:
            await outbox.enqueue(
                session,
                kind=PAUSED_BY_THERAPIST if change is PauseChange.PAUSED else RESUMED_BY_THERAPIST,
                chat_id=client.telegram_id,
                audience=Audience.CLIENT,
                client_id=client.id,
                payload={},
                now=now,
            )
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


# Times a therapist can pick from the card (besides the client's own current ones).
REMINDER_TIME_CHOICES = tuple(
    time(h, m) for h, m in ((7, 0), (8, 0), (9, 0), (12, 0), (13, 0), (17, 0), (18, 0), (19, 0))
)
CHECKIN_TIME_CHOICES = tuple(time(h) for h in (18, 19, 20, 21, 22))


@dataclass(frozen=True)
class ClientTimes:
    """A client's reminder and check-in times (their local time), and the choices offered."""

    client_id: int
    name: str
    timezone: str
    reminder_times: tuple[time, ...]
    checkin_time: time
    reminder_choices: tuple[time, ...]
    checkin_choices: tuple[time, ...]

    def chosen(self, mask: int, checkin: int) -> tuple[tuple[time, ...], time]:
        """The reminder times and check-in time a draft stands for: bit i of `mask` ticks
        `reminder_choices[i]`, `checkin` indexes `checkin_choices` (the card's Times buttons
        carry both, so the draft needs no storage)."""
        chosen = tuple(t for i, t in enumerate(self.reminder_choices) if mask & (1 << i))
        index = min(max(checkin, 0), len(self.checkin_choices) - 1)
        return chosen, self.checkin_choices[index]

    def current(self) -> tuple[int, int]:
        """The mask and check-in index of the client's current times."""
        mask = sum(1 << i for i, t in enumerate(self.reminder_choices) if t in self.reminder_times)
        return mask, self.checkin_choices.index(self.checkin_time)


@dataclass(frozen=True)
class TimesChanged:
    times: ClientTimes
    client_telegram_id: int


def _times_of(client: Client, reminders: tuple[time, ...], checkin: time) -> ClientTimes:
    return ClientTimes(
        client_id=client.id,
        name=client.display_name,
        timezone=client.timezone,
        reminder_times=reminders,
        checkin_time=checkin,
        reminder_choices=tuple(sorted({*REMINDER_TIME_CHOICES, *reminders})),
        checkin_choices=tuple(sorted({*CHECKIN_TIME_CHOICES, checkin})),
    )


async def client_times(
    db: Database, *, therapist_telegram_id: int, client_id: int
) -> ClientTimes | None:
    """The client's current times and the choices the card offers; None unless theirs."""
    async with db.sessions() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return None
        reminders = await reminder_times(session, client_id=client.id)
        checkin = await checkin_time(session, client_id=client.id)
        return _times_of(client, tuple(reminders), checkin)


async def change_client_times(
    db: Database,
    *,
    therapist_telegram_id: int,
    client_id: int,
    reminders: tuple[time, ...],
    checkin: time,
    now: datetime,
    notice: Callable[[ClientTimes], str] | None = None,
) -> TimesChanged | None:
    """Set the client's reminder times (1–6) and check-in time from the therapist's card; the
    schedule follows at once, and the client's `notice` of it is queued in the outbox with the
    change. None unless it is this therapist's (live) client."""
    async with db.sessions.begin() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return None
        saved = await set_reminder_times(session, client_id=client.id, times=reminders, now=now)
        await set_checkin_time(session, client_id=client.id, at=checkin, now=now)
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=audit.CHANGE_TIMES,
            client_ids=[client.id],
            now=now,
        )
        changed = TimesChanged(
            times=_times_of(client, saved, checkin), client_telegram_id=client.telegram_id
        )
        if notice is not None:
            await outbox.enqueue(
                session,
                kind=PLAIN_TEXT,
                chat_id=client.telegram_id,
                audience=Audience.CLIENT,
                client_id=client.id,
                payload={"text": notice(changed.times)},
                now=now,
            )
        return changed
