"""Rows that must not outlive their purpose: what erasure and the daily purge remove.

`pending_input` rows (a draft, "type your message", a note being typed) and unused invites
name people; they are only needed for a short while. These statements find and remove them,
and turn an erased client's audit lines into pseudonymous ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Alert,
    Audit,
    Client,
    Delivery,
    ExerciseLog,
    ExerciseResponse,
    ForwardedQuestion,
    Invite,
    MessageRelay,
    OutboxMessage,
    OutcomeMeasure,
    PainEntry,
    PendingInput,
    Prescription,
    RedFlagEvent,
    Schedule,
)


async def delete_pending_inputs_naming(
    session: AsyncSession, *, client_id: int, telegram_id: int
) -> int:
    """The client's own pending input and anyone else's that is about them (a therapist's
    unfinished prescription draft or message to them): payloads carry `client_id`."""
    result = await session.execute(
        delete(PendingInput).where(
            or_(
                PendingInput.telegram_id == telegram_id,
                PendingInput.payload["client_id"].as_integer() == client_id,
            )
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def delete_invites_of(
    session: AsyncSession, *, client_id: int, therapist_id: int, names: Iterable[str]
) -> int:
    """The invite the client used, and the therapist's unused invites in the same name (a
    second link sent to the same person) — the invite rows are what carry their name."""
    wanted = {" ".join(name.split()).casefold() for name in names}
    unused = await session.execute(
        select(Invite.id, Invite.client_name).where(
            Invite.therapist_id == therapist_id, Invite.used_at.is_(None)
        )
    )
    # Compared in Python: SQLite's lower() folds ASCII only, and names are often not ASCII.
    ids = [row.id for row in unused if " ".join(row.client_name.split()).casefold() in wanted]
    result = await session.execute(
        delete(Invite).where(or_(Invite.client_id == client_id, Invite.id.in_(ids)))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def pseudonymise_audit(
    session: AsyncSession, *, telegram_id: int, client_id: int, pseudonym: str
) -> None:
    """The erased client's audit lines keep `pseudonym` instead of their Telegram id (as
    actor) and client id (as subject; ids can be reused by the next client on SQLite)."""
    await session.execute(
        update(Audit)
        .where(Audit.actor_telegram_id == telegram_id)
        .values(actor_telegram_id=None, actor_pseudonym=pseudonym)
    )
    await session.execute(
        update(Audit)
        .where(Audit.subject_client_id == client_id)
        .values(subject_client_id=None, subject_pseudonym=pseudonym)
    )


async def delete_expired_invites(session: AsyncSession, *, now: datetime) -> int:
    """Invites never used and past their expiry: nobody can use them, yet they carry a name."""
    result = await session.execute(
        delete(Invite).where(Invite.used_at.is_(None), Invite.expires_at <= now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def delete_expired_pending_inputs(session: AsyncSession, *, now: datetime) -> int:
    """Pending inputs past their expiry are ignored when read; this removes them."""
    result = await session.execute(delete(PendingInput).where(PendingInput.expires_at <= now))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def delete_client(session: AsyncSession, client: Client, telegram_id: int) -> None:
    """The client row and every row about them, invites and pending inputs that name them
    included (the audit trail is pseudonymised separately: `pseudonymise_audit`)."""
    # Explicit deletes as well as the cascades: SQLite only cascades with foreign_keys=ON, and
    # an erasure must not depend on a connection setting.
    schedule_ids = select(Schedule.id).where(Schedule.client_id == client.id)
    statements: Iterable[Any] = (
        delete(ExerciseResponse).where(ExerciseResponse.client_id == client.id),
        delete(Delivery).where(Delivery.schedule_id.in_(schedule_ids)),
        delete(ExerciseLog).where(ExerciseLog.client_id == client.id),
        delete(Schedule).where(Schedule.client_id == client.id),
        delete(PainEntry).where(PainEntry.client_id == client.id),
        delete(OutcomeMeasure).where(OutcomeMeasure.client_id == client.id),
        delete(RedFlagEvent).where(RedFlagEvent.client_id == client.id),
        delete(Alert).where(Alert.client_id == client.id),
        delete(MessageRelay).where(MessageRelay.client_id == client.id),
        delete(ForwardedQuestion).where(ForwardedQuestion.client_id == client.id),
        # Queued messages about them (and the ledger of sent ones) go with them.
        delete(OutboxMessage).where(OutboxMessage.client_id == client.id),
        delete(Prescription).where(Prescription.client_id == client.id),
    )
    for statement in statements:
        await session.execute(statement)
    # Invite rows carry the name the therapist typed for this person.
    used_name = await session.scalar(
        select(Invite.client_name).where(Invite.client_id == client.id)
    )
    await delete_invites_of(
        session,
        client_id=client.id,
        therapist_id=client.therapist_id,
        names=[client.display_name, *([used_name] if used_name else [])],
    )
    await delete_pending_inputs_naming(session, client_id=client.id, telegram_id=telegram_id)
    await session.execute(delete(Client).where(Client.id == client.id))
