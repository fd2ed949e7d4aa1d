"""Hand a departed therapist's clients to another therapist (`python -m bot clients reassign`).

The recipient rule (bot.domain.recipients) stops a therapist removed from THERAPIST_IDS from
receiving anything about their former clients at once; this moves those clients on, so their
alerts, summaries and messages reach someone again. Each client still reachable is told who now
sees their data (an outbox message, sent by the running bot), each move is audited, and
messages still queued for the old therapist about these clients go to the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import outbox
from bot.db.clients import client_contacts, move_clients
from bot.db.engine import Database
from bot.db.models import ClientStatus
from bot.db.therapists import therapist_by_telegram_id
from bot.domain.recipients import Audience
from bot.services import audit
from bot.services.identity import therapist_row
from bot.services.kinds import DATA_REASSIGNED

REASSIGN = "reassign_client"


@dataclass(frozen=True)
class Reassigned:
    moved: int  # clients now with the new therapist
    told: int  # of them, how many are queued a message saying so
    requeued: int  # queued messages about them re-addressed to the new therapist


async def reassign_clients(
    db: Database,
    *,
    from_telegram_id: int,
    to_telegram_id: int,
    timezone: str,
    practice: str,
    now: datetime,
) -> Reassigned | None:
    """Move every client of `from_telegram_id` to `to_telegram_id`; None if the first has none
    (or is unknown). The clients are told the new therapist's name (or `practice`, before the
    new therapist has used the bot)."""
    async with db.sessions.begin() as session:
        old = await therapist_by_telegram_id(session, from_telegram_id)
        if old is None:
            return None
        new = await therapist_row(
            session, telegram_id=to_telegram_id, display_name="", timezone=timezone, now=now
        )
        clients = await client_contacts(session, therapist_id=old.id)
        if not clients:
            return None
        ids = [c.id for c in clients]
        await move_clients(session, client_ids=ids, therapist_id=new.id)
        requeued = await outbox.readdress_queued(
            session, client_ids=ids, from_chat=from_telegram_id, to_chat=to_telegram_id
        )
        name = new.display_name or new.practice_name or practice
        told = 0
        for client in clients:
            if client.status is ClientStatus.BLOCKED:
                continue  # they blocked the bot: a message would only bounce
            await outbox.enqueue(
                session,
                kind=DATA_REASSIGNED,
                chat_id=client.telegram_id,
                audience=Audience.CLIENT,
                client_id=client.id,
                payload={"therapist_name": name},
                now=now,
            )
            told += 1
        await audit.record_access(
            session,
            actor_telegram_id=to_telegram_id,
            action=REASSIGN,
            client_ids=ids,
            now=now,
            detail=f"from:{from_telegram_id}",
        )
        return Reassigned(
            moved=len(ids),
            told=told,
            requeued=requeued,
        )
