"""The urgent path for cauda equina red flags: record the event and the alert, say who to tell.

DESIGN.md "Clinical rules": any yes on the screen, or a red flag mentioned in anything the client
types, means emergency advice for the client at once and an urgent alert to the therapist —
never waiting for a trend, never deduplicated by the 72 h episode rule, never behind a setting.
The emergency advice is sent by the handler *before* this service runs, so a database problem
can never delay it; it is recorded here, with the event. The therapist's urgent alert is an
outbox row written in the same transaction (urgent: sent before anything else queued), one per
recipient the rule allows (`bot.domain.recipients`: the client's own therapist while in
THERAPIST_IDS, plus RED_FLAG_ALSO_NOTIFY). If that transaction cannot commit, the handler
sends the alert directly (`fallback_recipients`) and the report is recorded later with
`sent_directly`, so the ledger still tells the whole story.

The only deduplication here is of the very same report arriving twice (a double tap on one
button, the same message redelivered): `report_key` names that report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db import pending as pending_inputs
from bot.db.clients import live_client
from bot.db.engine import Database
from bot.db.models import Alert, RedFlagEvent
from bot.db.red_flags import red_flag_alert_id
from bot.db.therapists import therapist_telegram_id
from bot.domain.alerts import AlertKind, RedFlagEvidence
from bot.domain.recipients import Audience, recipients
from bot.domain.red_flags import RED_FLAG_QUESTIONS
from bot.services.kinds import EMERGENCY_ADVICE, RED_FLAG_ALERT

SOURCES = frozenset({"onboarding", "weekly", "symptoms", "free_text", "note"})
# Red flags outrank every other alert kind; `severity` only compares within a kind.
RED_FLAG_SEVERITY = 3


class ReportNotStoredError(Exception):
    """The red-flag report could not be written (the database is locked or unreachable)."""


@dataclass(frozen=True)
class UrgentAlert:
    """What the handler needs to know about one red-flag report once it is recorded."""

    alert_id: int
    client_id: int
    client_name: str
    source: str
    # Screen answers in screen order, (sign, yes?); empty for free text.
    answers: tuple[tuple[str, bool], ...]
    # Signs the client's words mention (free text / notes); empty for the screen.
    mentioned: tuple[str, ...]
    # Telegram ids the urgent alert goes to (the recipient rule), each once.
    therapist_chat_ids: tuple[int, ...]
    # False when this very report was already recorded (a double tap): nobody is re-alerted.
    is_new: bool
    # The client was asked to type something (a note, a time…): that handler should still
    # take the text after the urgent path.
    awaiting_input: bool = False


@dataclass(frozen=True)
class RedFlagReport:
    """One report as the handler saw it: enough to record it now or after an outage."""

    telegram_id: int
    source: str
    report_key: str
    reported_at: datetime
    answers: tuple[tuple[str, bool], ...] = ()
    mentioned: tuple[str, ...] = ()
    # The emergency advice already sent to the client (None: it could not be delivered).
    advice_message_id: int | None = None


def _check(source: str, answers: tuple[tuple[str, bool], ...], mentioned: tuple[str, ...]) -> None:
    if source not in SOURCES:
        raise ValueError(f"unknown red-flag source {source!r}")
    unknown = {sign for sign, _ in answers} | set(mentioned)
    unknown -= set(RED_FLAG_QUESTIONS)
    if unknown:
        raise ValueError(f"unknown red-flag sign(s): {sorted(unknown)}")
    if not any(yes for _, yes in answers) and not mentioned:
        raise ValueError("a red-flag report needs at least one positive sign")


async def record_red_flag(
    db: Database,
    report: RedFlagReport,
    *,
    therapist_ids: Iterable[int],
    also_notify: Iterable[int] = (),
    now: datetime,
    sent_directly: Mapping[int, int | None] | None = None,
) -> UrgentAlert | None:
    """Store the event, its alert, the advice and the urgent alerts in one transaction.

    None if the sender is not a live client. The same `report_key` twice returns the first
    alert with `is_new=False` and stores nothing. `sent_directly` (chat → Telegram message
    id) names alerts the handler already sent itself while the database was down: they are
    recorded as sent (and audited) instead of queued.
    """
    _check(report.source, report.answers, report.mentioned)
    try:
        return await _record(
            db,
            report,
            therapist_ids=therapist_ids,
            also_notify=also_notify,
            now=now,
            sent_directly=sent_directly,
        )
    except SQLAlchemyError as exc:
        raise ReportNotStoredError(type(exc).__name__) from exc


async def _record(
    db: Database,
    report: RedFlagReport,
    *,
    therapist_ids: Iterable[int],
    also_notify: Iterable[int],
    now: datetime,
    sent_directly: Mapping[int, int | None] | None,
) -> UrgentAlert | None:
    key = report.report_key[:64]
    answers, mentioned = report.answers, report.mentioned
    positive = [sign for sign, yes in answers if yes] + [
        sign for sign in mentioned if sign not in {s for s, _ in answers}
    ]
    async with db.sessions.begin() as session:
        client = await live_client(session, report.telegram_id, lock=True)
        if client is None:
            return None
        own_therapist = await therapist_telegram_id(session, client.therapist_id)
        chats = recipients(
            Audience.RED_FLAG,
            client_chat=client.telegram_id,
            own_therapist_chat=own_therapist,
            therapist_ids=therapist_ids,
            also_notify=also_notify,
        )
        existing = await red_flag_alert_id(session, client_id=client.id, episode_key=key)
        if existing is None:
            session.add(
                RedFlagEvent(
                    client_id=client.id,
                    source=report.source,
                    flags={"signs": positive, "answers": dict(answers)},
                    created_at=report.reported_at,
                )
            )
            alert = Alert(
                client_id=client.id,
                kind=AlertKind.RED_FLAG.value,
                severity=RED_FLAG_SEVERITY,
                episode_key=key,
                evidence=RedFlagEvidence(signs=tuple(positive), source=report.source).as_json(),
                created_at=report.reported_at,
            )
            session.add(alert)
            await session.flush()
            alert_id = alert.id
            if report.advice_message_id is not None:
                await outbox.record_sent_directly(
                    session,
                    kind=EMERGENCY_ADVICE,
                    chat_id=client.telegram_id,
                    audience=Audience.CLIENT,
                    client_id=client.id,
                    now=now,
                    sent_at=report.reported_at,
                    telegram_message_id=report.advice_message_id,
                    dedupe_key=f"advice:{alert_id}",
                )
            await _alert_recipients(
                session,
                chats=sorted({*chats, *(sent_directly or {})}),
                sent_directly=sent_directly or {},
                alert_id=alert_id,
                client_id=client.id,
                client_name=client.display_name,
                report=report,
                now=now,
            )
        else:
            alert_id = existing
        awaited = await pending_inputs.awaited_kind(session, report.telegram_id, now)
        return UrgentAlert(
            alert_id=alert_id,
            client_id=client.id,
            client_name=client.display_name,
            source=report.source,
            answers=answers,
            mentioned=mentioned,
            therapist_chat_ids=chats,
            is_new=existing is None,
            awaiting_input=awaited is not None,
        )


async def _alert_recipients(
    session: AsyncSession,
    *,
    chats: list[int],
    sent_directly: Mapping[int, int | None],
    alert_id: int,
    client_id: int,
    client_name: str,
    report: RedFlagReport,
    now: datetime,
) -> None:
    payload = {
        "alert_id": alert_id,
        "client_id": client_id,
        "client_name": client_name,
        "source": report.source,
        "answers": [[sign, yes] for sign, yes in report.answers],
        "mentioned": list(report.mentioned),
    }
    for chat in chats:
        dedupe = f"rf:{alert_id}:{chat}"
        if chat in sent_directly:
            await outbox.record_sent_directly(
                session,
                kind=RED_FLAG_ALERT,
                chat_id=chat,
                audience=Audience.RED_FLAG,
                client_id=client_id,
                now=now,
                sent_at=report.reported_at,
                telegram_message_id=sent_directly[chat],
                dedupe_key=dedupe,
                disclosed=True,
            )
            continue
        await outbox.enqueue(
            session,
            kind=RED_FLAG_ALERT,
            chat_id=chat,
            audience=Audience.RED_FLAG,
            client_id=client_id,
            payload=payload,
            now=now,
            urgent=True,
            dedupe_key=dedupe,
        )


@dataclass(frozen=True)
class FallbackRecipients:
    """Who to alert directly when the report cannot be written, and the client's name."""

    client_name: str | None
    chats: tuple[int, ...]


async def fallback_recipients(
    db: Database,
    *,
    telegram_id: int,
    therapist_ids: Iterable[int],
    also_notify: Iterable[int] = (),
) -> FallbackRecipients:
    """The red-flag recipients when the report could not be written.

    A read usually still works when writing does not (SQLite's write lock held by another
    writer): then it is the same rule as always. If the database cannot even be read, the
    alert must still reach a human: RED_FLAG_ALSO_NOTIFY when set, otherwise every id in
    THERAPIST_IDS (with one therapist, the usual case, that is the client's own).
    """
    try:
        async with db.sessions() as session:
            client = await live_client(session, telegram_id)
            if client is not None:
                own = await therapist_telegram_id(session, client.therapist_id)
                chats = recipients(
                    Audience.RED_FLAG,
                    client_chat=telegram_id,
                    own_therapist_chat=own,
                    therapist_ids=therapist_ids,
                    also_notify=also_notify,
                )
                return FallbackRecipients(client.display_name, chats)
            return FallbackRecipients(None, ())
    except SQLAlchemyError:
        chats = tuple(sorted(set(also_notify) or set(therapist_ids)))
        return FallbackRecipients(None, chats)
