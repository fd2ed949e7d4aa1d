"""Messages between the therapist and a client, relayed by the bot.

The therapist presses "Message client" (`open_relay_to_client`), types the message, and the bot
queues it in the outbox (`take_relay_to_client`, then `queue_relayed`). The client's answer comes
back when it is a Telegram reply to a relayed message, or simply their next text message while
the relay is open (`route_client_reply`). The therapist can answer a relayed reply the same way
(`route_therapist_reply`). `message_relay` rows tie each relayed message to its client, so a
reply always reaches the right person; the text itself is kept only until it is sent.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox, relays
from bot.db import pending as pending_inputs
from bot.db.clients import live_client, owned_client
from bot.db.engine import Database
from bot.db.models import Client, ClientStatus, Therapist
from bot.domain.recipients import Audience
from bot.domain.schedule_times import outside_quiet_hours_from
from bot.services import audit
from bot.services.kinds import RELAY_TO_CLIENT, RELAY_TO_THERAPIST
from bot.services.pending import PendingKind

# How long the therapist's "type your message" and the client's "your next text is a reply"
# stay open.
THERAPIST_TTL = timedelta(hours=1)
CLIENT_TTL = timedelta(hours=24)


class Direction(enum.StrEnum):
    TO_CLIENT = relays.TO_CLIENT
    TO_THERAPIST = relays.TO_THERAPIST


@dataclass(frozen=True)
class RelayTarget:
    """Where a relayed message goes and how it is labelled."""

    client_id: int
    client_name: str
    client_telegram_id: int
    therapist_telegram_id: int
    therapist_name: str


async def _target(session: AsyncSession, client: Client) -> RelayTarget | None:
    therapist = await session.get(Therapist, client.therapist_id)
    if therapist is None:
        return None
    return RelayTarget(
        client_id=client.id,
        client_name=client.display_name,
        client_telegram_id=client.telegram_id,
        therapist_telegram_id=therapist.telegram_id,
        therapist_name=therapist.practice_name or therapist.display_name,
    )


async def open_relay_to_client(
    db: Database, *, therapist_telegram_id: int, client_id: int, now: datetime
) -> RelayTarget | None:
    """The therapist's next text goes to this client; None unless it is their active client."""
    async with db.sessions.begin() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None or client.status in (ClientStatus.BLOCKED, ClientStatus.DELETED):
            return None
        await pending_inputs.put_pending(
            session,
            telegram_id=therapist_telegram_id,
            kind=PendingKind.RELAY_TO_CLIENT,
            payload={"client_id": client.id},
            expires_at=now + THERAPIST_TTL,
        )
        return await _target(session, client)


async def take_relay_to_client(
    db: Database, *, therapist_telegram_id: int, now: datetime
) -> RelayTarget | None:
    """If the therapist was asked to type a message, close that and say to whom it goes."""
    async with db.sessions.begin() as session:
        pending = await pending_inputs.pending_row(session, therapist_telegram_id)
        if pending is None or pending.kind != PendingKind.RELAY_TO_CLIENT:
            return None
        await session.delete(pending)
        if pending.expires_at <= now:
            return None
        client = await owned_client(
            session,
            therapist_telegram_id=therapist_telegram_id,
            client_id=int(pending.payload.get("client_id", 0)),
        )
        if client is None:
            return None
        return await _target(session, client)


async def cancel_relay(db: Database, *, telegram_id: int) -> bool:
    async with db.sessions.begin() as session:
        relays = {PendingKind.RELAY_TO_CLIENT, PendingKind.RELAY_REPLY}
        return await pending_inputs.clear_pending(session, telegram_id, relays) is not None


async def queue_relayed(
    db: Database,
    *,
    target: RelayTarget,
    direction: Direction,
    parts: Sequence[str],
    now: datetime,
) -> time | None:
    """Queue the message in the outbox (sent by the dispatcher, who checks at send time that
    the recipient may still receive it) and open the client's reply, in one transaction.

    Returns the client's local time their quiet hours end when a message to them has to wait
    for it (the outbox holds it until then), else None.

    The typed text waits in the outbox row only until it is sent; once sent, the row keeps
    no text and a `message_relay` row ties the delivered message to the client, so a reply to
    it is routed back.
    """
    async with db.sessions.begin() as session:
        for part in parts:
            # In order (one dispatcher queue); each part is routed back if replied to.
            await outbox.enqueue(
                session,
                kind=RELAY_TO_CLIENT if direction is Direction.TO_CLIENT else RELAY_TO_THERAPIST,
                chat_id=(
                    target.client_telegram_id
                    if direction is Direction.TO_CLIENT
                    else target.therapist_telegram_id
                ),
                audience=(
                    Audience.CLIENT if direction is Direction.TO_CLIENT else Audience.THERAPIST
                ),
                client_id=target.client_id,
                # Who to tell if it cannot be delivered (the therapist, about their message).
                payload={
                    "text": part,
                    "client_name": target.client_name,
                    "sender": (
                        target.therapist_telegram_id
                        if direction is Direction.TO_CLIENT
                        else target.client_telegram_id
                    ),
                },
                now=now,
            )
        if direction is Direction.TO_CLIENT:
            await audit.record_access(
                session,
                actor_telegram_id=target.therapist_telegram_id,
                action=audit.MESSAGE_CLIENT,
                client_ids=[target.client_id],
                now=now,
            )
            # Only when the client is not in the middle of something else (a pain note, a
            # time they are typing): their flow keeps their next text; a reply still works.
            awaited = await pending_inputs.awaited_kind(session, target.client_telegram_id, now)
            if awaited is None or awaited == PendingKind.RELAY_REPLY:
                await pending_inputs.put_pending(
                    session,
                    telegram_id=target.client_telegram_id,
                    kind=PendingKind.RELAY_REPLY,
                    payload={"client_id": target.client_id},
                    expires_at=now + CLIENT_TTL,
                )
            client = await session.get(Client, target.client_id)
            if client is not None:
                until = outside_quiet_hours_from(
                    now, client.timezone, client.quiet_start, client.quiet_end
                )
                if until > now:
                    return until.astimezone(ZoneInfo(client.timezone)).time()
    return None


async def route_client_reply(
    db: Database, *, client_telegram_id: int, reply_to_message_id: int | None, now: datetime
) -> RelayTarget | None:
    """The therapist this client's message should go to, if it answers a relayed message."""
    async with db.sessions.begin() as session:
        client = await live_client(session, client_telegram_id)
        if client is None:
            return None
        if reply_to_message_id is not None and await relays.is_relayed_to_client(
            session, client_id=client.id, chat_id=client_telegram_id, message_id=reply_to_message_id
        ):
            return await _target(session, client)
        pending = await pending_inputs.pending_row(session, client_telegram_id)
        if pending is None or pending.kind != PendingKind.RELAY_REPLY:
            return None
        await session.delete(pending)
        if pending.expires_at <= now:
            return None
        return await _target(session, client)


async def route_therapist_reply(
    db: Database, *, therapist_telegram_id: int, reply_to_message_id: int, now: datetime
) -> RelayTarget | None:
    """The client a therapist's Telegram reply answers (a relayed client message), if any."""
    async with db.sessions() as session:
        client_id = await relays.client_of_relayed_reply(
            session, chat_id=therapist_telegram_id, message_id=reply_to_message_id
        )
        if client_id is None:
            return None
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None or client.status in (ClientStatus.BLOCKED, ClientStatus.DELETED):
            return None
        return await _target(session, client)
