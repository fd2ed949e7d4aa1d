"""The therapist's export: a zip of spreadsheets, one per kind of record, for all their
clients (/export) or one (the card's Export button).

Sheets (CSV, one row per record, a client per row so each filters by client):

* `check-ins.csv` — date, leg and back pain 0-10, note, whether it was filled in late;
* `adherence-by-week.csv` — each week's adherence % (done = 1, partly = ½, of reminders sent;
  bot.domain.adherence) with the counts behind it;
* `exercise-answers.csv` — every reminder: date, time, the answer and why it was skipped;
* `exercise-responses.csv` — per exercise of each reminder: the answer, how the leg was after;
* `questionnaires.csv` — the weekly SBI, dated the day it was filled in, with the week it
  covers, its four items and total;
* `alerts.csv` — raised and acknowledged (the therapist's time), kind, severity, details.

Dates are the client's own calendar days (as the client lived them) and times are local, to
the minute; no JSON in any cell. Every text cell is neutralised against CSV injection
(bot.services.spreadsheets). File names carry the client's name in safe characters. Every
export writes one audit row per client included (DESIGN.md: "audit of therapist access").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.db import exercise_responses, exports, reports
from bot.db.clients import clients_of, one_client, owned_client
from bot.db.engine import Database
from bot.db.reports import ClientIds
from bot.db.therapists import therapist_by_telegram_id
from bot.domain.adherence import Outcome, SlotOutcome, week_start_of, weekly_adherence
from bot.domain.pain import entered_late
from bot.domain.sbi import SBI_KEYS
from bot.services import audit
from bot.services.spreadsheets import Sheet, csv_sheet, safe_file_stem, zipped

SBI_HEADERS = {
    "leg_pain": "Leg pain (0-6)",
    "numbness_tingling": "Numbness or tingling (0-6)",
    "weakness": "Weakness (0-6)",
    "sitting_pain": "Pain when sitting (0-6)",
}
ANSWERS = {None: "no answer", "missed": "not sent (bot offline)"}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    clients: int
    sheets: tuple[str, ...] = ()


def _day(value: date) -> str:
    return value.isoformat()


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _details(evidence: dict[str, Any]) -> str:
    """Alert evidence as words ("baseline: 4.4; rise points: 2.6"), never JSON."""
    parts = []
    for key, value in sorted(evidence.items()):
        if isinstance(value, float):
            shown = f"{value:.1f}"
        elif isinstance(value, list | tuple):
            shown = ", ".join(str(v).replace("_", " ") for v in value)
        elif isinstance(value, dict):
            shown = ", ".join(f"{k} {v}" for k, v in sorted(value.items()))
        else:
            shown = str(value)
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return "; ".join(parts)


async def _export(
    db: Database,
    *,
    therapist_telegram_id: int,
    clients: ClientIds,
    now: datetime,
    action: str,
) -> tuple[list[tuple[int, str]], list[Sheet]]:
    async with db.sessions.begin() as session:
        people = await exports.people(session, clients=clients)
        therapist = await therapist_by_telegram_id(session, therapist_telegram_id)
        therapist_zone = None if therapist is None else therapist.timezone
        pains = await exports.pain_entries(session, clients=clients)
        answers = await exports.reminder_answers(session, clients=clients, until=now)
        sbi = await exports.questionnaires(session, clients=clients)
        alerts = await reports.alerts_of(session, clients=clients)
        responses = await exercise_responses.responses_of(session, clients=clients)
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=action,
            client_ids=[p.id for p in people],
            now=now,
        )

    names = {p.id: p.display_name for p in people}
    zones = {p.id: ZoneInfo(p.timezone) for p in people}
    order = {p.id: index for index, p in enumerate(people)}
    mine = ZoneInfo(therapist_zone or "UTC")

    def by_client(rows: list[Any]) -> list[Any]:
        return sorted((r for r in rows if r.client_id in order), key=lambda r: order[r.client_id])

    check_ins = csv_sheet(
        "check-ins.csv",
        ["Client", "Date", "Leg pain (0-10)", "Back pain (0-10)", "Note", "Filled in late"],
        (
            [
                names[p.client_id],
                _day(p.day),
                p.leg,
                p.back,
                p.note or "",
                _yes_no(entered_late(p.day, p.created_at.astimezone(zones[p.client_id]).date())),
            ]
            for p in by_client(pains)
        ),
    )

    weekly: dict[int, list[SlotOutcome]] = defaultdict(list)
    counts: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for answer in answers:
        if answer.answer == "missed":
            continue  # never sent: not a slot the client could answer
        day = answer.slot.astimezone(zones[answer.client_id]).date()
        outcome = Outcome(answer.answer) if answer.answer is not None else None
        weekly[answer.client_id].append(SlotOutcome(day=day, outcome=outcome))
        counts[(answer.client_id, week_start_of(day))][answer.answer or "none"] += 1
    adherence_rows = []
    for person in people:
        slots = weekly.get(person.id, [])
        weeks = sorted({week_start_of(s.day) for s in slots})
        for week, pct in weekly_adherence(slots, weeks).items():
            tally = counts[(person.id, week)]
            adherence_rows.append(
                [
                    person.display_name,
                    _day(week),
                    "" if pct is None else round(pct),
                    sum(tally.values()),
                    tally["done"],
                    tally["partly"],
                    tally["skipped"],
                    tally["none"],
                ]
            )
    adherence = csv_sheet(
        "adherence-by-week.csv",
        [
            "Client",
            "Week starting",
            "Adherence %",
            "Reminders",
            "Done",
            "Partly",
            "Skipped",
            "No answer",
        ],
        adherence_rows,
    )

    exercise_answers = csv_sheet(
        "exercise-answers.csv",
        ["Client", "Date", "Time", "Answer", "Reason skipped"],
        (
            [
                names[a.client_id],
                _day(a.slot.astimezone(zones[a.client_id]).date()),
                a.slot.astimezone(zones[a.client_id]).strftime("%H:%M"),
                ANSWERS.get(a.answer, a.answer or ""),
                a.skip_reason or "",
            ]
            for a in by_client(answers)
        ),
    )

    exercise_sheet = csv_sheet(
        "exercise-responses.csv",
        ["Client", "Date", "Time", "Exercise", "Answer", "Reason skipped", "Leg afterwards"],
        (
            [
                names[r.client_id],
                _day(r.slot.astimezone(zones[r.client_id]).date()),
                r.slot.astimezone(zones[r.client_id]).strftime("%H:%M"),
                r.exercise_slug,
                r.outcome.value if r.outcome is not None else "no answer",
                r.skip_reason or "",
                r.leg_response.value if r.leg_response is not None else "",
            ]
            for r in sorted(
                (r for r in responses if r.client_id in order),
                key=lambda r: (order[r.client_id], r.slot, r.exercise_slug),
            )
        ),
    )

    questionnaire_sheet = csv_sheet(
        "questionnaires.csv",
        [
            "Client",
            "Filled in on",
            "Week starting",
            *(SBI_HEADERS.get(k, k) for k in SBI_KEYS),
            "Total (0-24)",
        ],
        (
            [
                names[q.client_id],
                _day(q.recorded_at.astimezone(zones[q.client_id]).date()),
                _day(q.week_start),
                *(q.items.get(k, "") for k in SBI_KEYS),
                q.total,
            ]
            for q in by_client(sbi)
        ),
    )

    alert_sheet = csv_sheet(
        "alerts.csv",
        [
            "Client",
            f"Raised ({mine.key})",
            "Alert",
            "Severity",
            "Details",
            f"Acknowledged ({mine.key})",
        ],
        (
            [
                names[a.client_id],
                _local(a.created_at, mine),
                a.kind.replace("_", " "),
                a.severity,
                _details(dict(a.evidence)),
                _local(a.acknowledged_at, mine),
            ]
            for a in sorted(
                (a for a in alerts if a.client_id in order),
                key=lambda a: (order[a.client_id], a.created_at),
            )
        ),
    )
    sheets = [
        check_ins,
        adherence,
        exercise_answers,
        exercise_sheet,
        questionnaire_sheet,
        alert_sheet,
    ]
    return [(p.id, p.display_name) for p in people], sheets


def _file(stem: str, sheets: list[Sheet], people: int, now: datetime) -> ExportFile:
    folder = f"{stem}-{now.date().isoformat()}"
    return ExportFile(
        filename=f"{folder}.zip",
        content=zipped(sheets, folder=folder, now=now),
        clients=people,
        sheets=tuple(s.filename for s in sheets),
    )


async def export_all_clients(
    db: Database, *, therapist_telegram_id: int, now: datetime
) -> ExportFile:
    people, sheets = await _export(
        db,
        therapist_telegram_id=therapist_telegram_id,
        clients=clients_of(therapist_telegram_id),
        now=now,
        action=audit.EXPORT_ALL,
    )
    return _file("clients", sheets, len(people), now)


async def export_one_client(
    db: Database, *, therapist_telegram_id: int, client_id: int, now: datetime
) -> ExportFile | None:
    async with db.sessions() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
    if client is None:
        return None
    _, sheets = await _export(
        db,
        therapist_telegram_id=therapist_telegram_id,
        clients=one_client(client.id),
        now=now,
        action=audit.EXPORT_CLIENT,
    )
    stem = safe_file_stem(client.display_name, fallback=f"client-{client.id}")
    return _file(stem, sheets, 1, now)
