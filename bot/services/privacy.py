"""The client's rights over their data (UK GDPR): a copy of everything, and erasure.

Export gathers every row that names the client into one JSON document (complete, for another
program), and the health records a person wants to read as three spreadsheets: check-ins,
exercise reminders and their answers, weekly questionnaires — dated on the client's own
calendar, one row per record, every text cell neutralised against CSV injection
(bot.services.spreadsheets). Erasure deletes the client
row; the schema's ON DELETE CASCADE removes their prescriptions, schedules (and deliveries),
exercise logs and per-exercise responses, pain entries, questionnaires, red-flag events,
alerts and relayed messages.
The invites that named them and every pending input about them (their own, a therapist's
unfinished prescription draft or message to them) go too. The audit trail stays, with a keyed
hash in place of their ids (`audit_pseudonym`). `purge_expired` removes, daily, what has
outlived its use: unused invites past expiry and expired pending inputs (docs/privacy.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import exports, outbox, retention
from bot.db.clients import live_client, one_client
from bot.db.engine import Database
from bot.db.models import Audit, Client
from bot.db.therapists import therapist_telegram_id
from bot.domain.pain import entered_late
from bot.domain.recipients import Audience
from bot.domain.sbi import SBI_KEYS
from bot.services import schedules
from bot.services.exercise_response import client_export_section
from bot.services.kinds import CLIENT_LEFT
from bot.services.spreadsheets import Sheet, csv_sheet

AUDIT_EXPORT = "client_export"
AUDIT_DELETE = "client_erased"
EXPORT_FORMAT_VERSION = 1


@dataclass(frozen=True)
class ClientExport:
    client_id: int
    json_bytes: bytes
    # Check-ins, exercises, questionnaires: one readable spreadsheet each.
    sheets: tuple[Sheet, ...]
    rows: int


@dataclass(frozen=True)
class ErasedClient:
    client_id: int
    client_name: str
    therapist_telegram_id: int | None


@dataclass(frozen=True)
class Purged:
    invites: int
    pending_inputs: int


def audit_pseudonym(telegram_id: int, key: bytes) -> str:
    """The erased client's stand-in in the audit trail: HMAC-SHA256 of their Telegram id under
    a key kept outside the database (128 bits shown). A plain hash would not do: Telegram ids
    are ~10^10 numbers, so a copy of the database could reverse one by trying them all."""
    digest = hmac.new(key, f"telegram:{telegram_id}".encode(), hashlib.sha256).hexdigest()
    return f"p1:{digest[:32]}"


SBI_COLUMNS = {
    "leg_pain": "Leg pain (0-6)",
    "numbness_tingling": "Numbness or tingling (0-6)",
    "weakness": "Weakness (0-6)",
    "sitting_pain": "Pain when sitting (0-6)",
}
REMINDER_ANSWERS = {None: "no answer", "missed": "not sent (bot offline)"}


async def _readable_sheets(
    session: AsyncSession, client: Client, now: datetime
) -> tuple[Sheet, ...]:
    zone = ZoneInfo(client.timezone)
    mine = one_client(client.id)
    pains = await exports.pain_entries(session, clients=mine)
    answers = await exports.reminder_answers(session, clients=mine, until=now)
    sbi = await exports.questionnaires(session, clients=mine)
    check_ins = csv_sheet(
        "my-check-ins.csv",
        ["Date", "Leg pain (0-10)", "Back pain (0-10)", "Note", "Filled in late"],
        (
            [
                p.day.isoformat(),
                p.leg,
                p.back,
                p.note or "",
                "yes" if entered_late(p.day, p.created_at.astimezone(zone).date()) else "no",
            ]
            for p in pains
        ),
    )
    exercises = csv_sheet(
        "my-exercises.csv",
        ["Date", "Time", "Answer", "Reason skipped"],
        (
            [
                a.slot.astimezone(zone).date().isoformat(),
                a.slot.astimezone(zone).strftime("%H:%M"),
                REMINDER_ANSWERS.get(a.answer, a.answer or ""),
                a.skip_reason or "",
            ]
            for a in answers
        ),
    )
    questionnaires = csv_sheet(
        "my-weekly-questionnaires.csv",
        [
            "Filled in on",
            "Week starting",
            *(SBI_COLUMNS.get(k, k) for k in SBI_KEYS),
            "Total (0-24)",
        ],
        (
            [
                q.recorded_at.astimezone(zone).date().isoformat(),
                q.week_start.isoformat(),
                *(q.items.get(k, "") for k in SBI_KEYS),
                q.total,
            ]
            for q in sbi
        ),
    )
    return check_ins, exercises, questionnaires


def _count(sections: dict[str, Any]) -> int:
    return sum(len(v) if isinstance(v, list) else 1 for v in sections.values())


async def export_client_data(
    db: Database, *, telegram_id: int, now: datetime
) -> ClientExport | None:
    """Everything stored about the client, and an audit line saying it was exported."""
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None:
            return None
        sections = await exports.client_record(
            session,
            client=client,
            telegram_id=telegram_id,
            exercise_responses=await client_export_section(session, client_id=client.id),
        )
        document = {
            "format_version": EXPORT_FORMAT_VERSION,
            "exported_at": now.isoformat(),
            **sections,
        }
        session.add(
            Audit(
                actor_telegram_id=telegram_id,
                action=AUDIT_EXPORT,
                subject_client_id=client.id,
                detail="",
                at=now,
            )
        )
        return ClientExport(
            client_id=client.id,
            json_bytes=json.dumps(document, indent=2, ensure_ascii=False).encode(),
            sheets=await _readable_sheets(session, client, now),
            rows=_count(sections),
        )


async def erase_client(
    db: Database, *, telegram_id: int, client_id: int, now: datetime, pseudonym_key: bytes
) -> ErasedClient | None:
    """Delete the client and all their data; None unless `client_id` is the presser's own.

    What stays is the audit trail, with `audit_pseudonym` in place of their ids."""
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id)
        if client is None or client.id != client_id:
            return None
        erased = ErasedClient(
            client_id=client.id,
            client_name=client.display_name,
            therapist_telegram_id=await therapist_telegram_id(session, client.therapist_id),
        )
        pseudonym = audit_pseudonym(telegram_id, pseudonym_key)
        await schedules.stop_client_schedules(session, client_id=client.id, now=now)
        await retention.delete_client(session, client, telegram_id)
        await retention.pseudonymise_audit(
            session, telegram_id=telegram_id, client_id=client.id, pseudonym=pseudonym
        )
        if erased.therapist_telegram_id is not None:
            # About no stored client any more: any therapist still in THERAPIST_IDS may get it.
            await outbox.enqueue(
                session,
                kind=CLIENT_LEFT,
                chat_id=erased.therapist_telegram_id,
                audience=Audience.STAFF,
                payload={"client_name": erased.client_name},
                now=now,
            )
        session.add(
            Audit(
                actor_pseudonym=pseudonym,
                action=AUDIT_DELETE,
                subject_pseudonym=pseudonym,
                detail="",
                at=now,
            )
        )
        return erased


async def purge_expired(db: Database, *, now: datetime) -> Purged:
    """Remove what has outlived its use and still names people: unused invites past their
    expiry and pending inputs past theirs. Run daily (`bot.handlers.privacy.purge_job`)."""
    async with db.sessions.begin() as session:
        return Purged(
            invites=await retention.delete_expired_invites(session, now=now),
            pending_inputs=await retention.delete_expired_pending_inputs(session, now=now),
        )
