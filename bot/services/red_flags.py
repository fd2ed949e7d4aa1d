"""The urgent path for cauda equina red flags: record the event and the alert, say who to tell.

DESIGN.md "Clinical rules": any yes on the screen, or a red flag mentioned in anything the client
types, means emergency advice for the client at once and an urgent alert to the therapist —
never waiting for a trend, never deduplicated by the 72 h episode rule, never behind a setting.
The emergency advice is sent by the handler *before* this service runs, so a database problem
can never delay it. The only deduplication here is of the very same report arriving twice (a
double tap on one button, the same message redelivered): `report_key` names that report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.db.clients import live_client
from bot.db.engine import Database
from bot.db.models import Alert, PendingInput, RedFlagEvent, Therapist
from bot.domain.alerts import AlertKind
from bot.domain.red_flags import RED_FLAG_QUESTIONS

SOURCES = frozenset({"onboarding", "weekly", "symptoms", "free_text", "note"})
# Red flags outrank every other alert kind; `severity` only compares within a kind.
RED_FLAG_SEVERITY = 3


@dataclass(frozen=True)
class UrgentAlert:
    """What the handler needs to tell every therapist about one red-flag report."""

    alert_id: int
    client_id: int
    client_name: str
    source: str
    # Screen answers in screen order, (sign, yes?); empty for free text.
    answers: tuple[tuple[str, bool], ...]
    # Signs the client's words mention (free text / notes); empty for the screen.
    mentioned: tuple[str, ...]
    # Telegram ids: the client's therapist and every configured therapist, each once.
    therapist_chat_ids: tuple[int, ...]
    # False when this very report was already recorded (a double tap): nobody is re-alerted.
    is_new: bool
    # The client was asked to type something (a note, a time…): that handler should still
    # take the text after the urgent path.
    awaiting_input: bool = False


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
    *,
    telegram_id: int,
    source: str,
    report_key: str,
    therapist_ids: Iterable[int],
    now: datetime,
    answers: tuple[tuple[str, bool], ...] = (),
    mentioned: tuple[str, ...] = (),
) -> UrgentAlert | None:
    """Store the RedFlagEvent and its Alert in one transaction; None if not a client.

    `report_key` (≤ 64 chars) identifies the report, e.g. the chat and message it came from:
    the same key twice returns the first alert with `is_new=False` and stores nothing.
    """
    _check(source, answers, mentioned)
    key = report_key[:64]
    positive = [sign for sign, yes in answers if yes] + [
        sign for sign in mentioned if sign not in {s for s, _ in answers}
    ]
    async with db.sessions.begin() as session:
        client = await live_client(session, telegram_id, lock=True)
        if client is None:
            return None
        own_therapist = (
            await session.execute(
                select(Therapist.telegram_id).where(Therapist.id == client.therapist_id)
            )
        ).scalar_one_or_none()
        chats = sorted({*therapist_ids, *([own_therapist] if own_therapist else [])})
        existing = (
            await session.execute(
                select(Alert.id).where(
                    Alert.client_id == client.id,
                    Alert.kind == AlertKind.RED_FLAG.value,
                    Alert.episode_key == key,
                )
            )
        ).scalar_one_or_none()
        if existing is None:
            evidence: dict[str, object] = {"source": source, "signs": positive}
            session.add(
                RedFlagEvent(
                    client_id=client.id,
                    source=source,
                    flags={
                        "signs": positive,
                        "answers": dict(answers),
                    },
                    created_at=now,
                )
            )
            alert = Alert(
                client_id=client.id,
                kind=AlertKind.RED_FLAG.value,
                severity=RED_FLAG_SEVERITY,
                episode_key=key,
                evidence=evidence,
                created_at=now,
            )
            session.add(alert)
            await session.flush()
            alert_id = alert.id
        else:
            alert_id = existing
        pending = await session.get(PendingInput, telegram_id)
        return UrgentAlert(
            alert_id=alert_id,
            client_id=client.id,
            client_name=client.display_name,
            source=source,
            answers=answers,
            mentioned=mentioned,
            therapist_chat_ids=tuple(chats),
            is_new=existing is None,
            awaiting_input=pending is not None and pending.expires_at > now,
        )
