"""The therapist's CSV export: adherence by week, pain entries, SBI and alerts per client.

One long table (a `record` column says which kind each row is) so it opens in any spreadsheet
and filters by client or kind; ready to attach to a GP letter. Every export writes one audit
row per client included (DESIGN.md: "audit of therapist access").
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from bot.db import exercise_responses, reports
from bot.db.engine import Database
from bot.db.models import Client, OutcomeMeasure
from bot.domain.adherence import Outcome, SlotOutcome, week_start_of, weekly_adherence
from bot.services import audit
from bot.services.clients import clients_of, owned_client
from bot.services.exercise_response import therapist_export_records

COLUMNS = (
    "client_id",
    "client",
    "record",
    "date",
    "leg_pain",
    "back_pain",
    "note",
    "sbi_total",
    "sbi_items",
    "adherence_pct",
    "slots_prescribed",
    "alert",
    "alert_severity",
    "alert_evidence",
    "acknowledged_at",
    "exercise",
    "outcome",
    "skip_reason",
    "leg_response",
)
EPOCH = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    clients: int


async def _export(
    db: Database,
    *,
    therapist_telegram_id: int,
    clients: Select[Any],
    now: datetime,
    action: str,
) -> tuple[list[tuple[int, str]], bytes]:
    async with db.sessions.begin() as session:
        people = (
            await session.execute(
                select(Client.id, Client.display_name, Client.timezone)
                .where(Client.id.in_(clients))
                .order_by(Client.display_name, Client.id)
            )
        ).all()
        pains = await reports.pain_rows(session, clients=clients, since=date(2000, 1, 1))
        slots = await reports.slot_outcomes(session, clients=clients, start=EPOCH, end=now)
        sbi = (
            await session.execute(
                select(
                    OutcomeMeasure.client_id,
                    OutcomeMeasure.period_start,
                    OutcomeMeasure.total,
                    OutcomeMeasure.items,
                )
                .where(OutcomeMeasure.client_id.in_(clients))
                .order_by(OutcomeMeasure.period_start)
            )
        ).all()
        alerts = await reports.alerts_of(session, clients=clients)
        responses = await exercise_responses.responses_of(session, clients=clients)
        await audit.record_access(
            session,
            actor_telegram_id=therapist_telegram_id,
            action=action,
            client_ids=[p.id for p in people],
            now=now,
        )

    zones = {p.id: ZoneInfo(p.timezone) for p in people}
    by_client_slots: dict[int, list[SlotOutcome]] = defaultdict(list)
    counts: dict[tuple[int, date], int] = defaultdict(int)
    for slot in slots:
        day = slot.slot.astimezone(zones[slot.client_id]).date()
        outcome = Outcome(slot.outcome) if slot.outcome is not None else None
        by_client_slots[slot.client_id].append(SlotOutcome(day=day, outcome=outcome))
        counts[(slot.client_id, week_start_of(day))] += 1

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for person in people:
        base = {"client_id": person.id, "client": person.display_name}
        client_slots = by_client_slots.get(person.id, [])
        weeks = sorted({week_start_of(s.day) for s in client_slots})
        for week, pct in weekly_adherence(client_slots, weeks).items():
            writer.writerow(
                {
                    **base,
                    "record": "adherence_week",
                    "date": week.isoformat(),
                    "adherence_pct": "" if pct is None else f"{pct:.0f}",
                    "slots_prescribed": counts[(person.id, week)],
                }
            )
        for pain in (p for p in pains if p.client_id == person.id):
            writer.writerow(
                {
                    **base,
                    "record": "pain",
                    "date": pain.day.isoformat(),
                    "leg_pain": pain.leg,
                    "back_pain": pain.back,
                    "note": pain.note or "",
                }
            )
        for client_id, period, total, items in sbi:
            if client_id == person.id:
                writer.writerow(
                    {
                        **base,
                        "record": "sbi",
                        "date": period.isoformat(),
                        "sbi_total": total,
                        "sbi_items": json.dumps(items, sort_keys=True),
                    }
                )
        for alert in reversed([a for a in alerts if a.client_id == person.id]):
            writer.writerow(
                {
                    **base,
                    "record": "alert",
                    "date": alert.created_at.astimezone(zones[person.id]).date().isoformat(),
                    "alert": alert.kind,
                    "alert_severity": alert.severity,
                    "alert_evidence": json.dumps(alert.evidence, sort_keys=True),
                    "acknowledged_at": (
                        alert.acknowledged_at.isoformat() if alert.acknowledged_at else ""
                    ),
                }
            )
        own = [r for r in responses if r.client_id == person.id]
        for record in therapist_export_records(own, zone=zones[person.id]):
            writer.writerow({**base, **record})
    # UTF-8 with BOM: Excel then reads names and "×" correctly.
    return [(p.id, p.display_name) for p in people], buffer.getvalue().encode("utf-8-sig")


async def export_all_clients(
    db: Database, *, therapist_telegram_id: int, now: datetime
) -> ExportFile:
    people, content = await _export(
        db,
        therapist_telegram_id=therapist_telegram_id,
        clients=clients_of(therapist_telegram_id),
        now=now,
        action=audit.EXPORT_ALL,
    )
    return ExportFile(
        filename=f"clients-{now.date().isoformat()}.csv", content=content, clients=len(people)
    )


async def export_one_client(
    db: Database, *, therapist_telegram_id: int, client_id: int, now: datetime
) -> ExportFile | None:
    async with db.sessions() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
    if client is None:
        return None
    _, content = await _export(
        db,
        therapist_telegram_id=therapist_telegram_id,
        clients=select(Client.id).where(Client.id == client.id),
        now=now,
        action=audit.EXPORT_CLIENT,
    )
    return ExportFile(
        filename=f"client-{client.id}-{now.date().isoformat()}.csv", content=content, clients=1
    )
