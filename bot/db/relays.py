"""`message_relay` rows: which client a relayed message (and so a reply to it) belongs to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import MessageRelay

TO_CLIENT = "to_client"
TO_THERAPIST = "to_therapist"


async def is_relayed_to_client(
    session: AsyncSession, *, client_id: int, chat_id: int, message_id: int
) -> bool:
    """Whether message `message_id` in the client's chat is one the bot relayed to them."""
    found = await session.execute(
        select(MessageRelay.id).where(
            MessageRelay.chat_id == chat_id,
            MessageRelay.message_id == message_id,
            MessageRelay.direction == TO_CLIENT,
            MessageRelay.client_id == client_id,
        )
    )
    return found.scalar_one_or_none() is not None


async def client_of_relayed_reply(
    session: AsyncSession, *, chat_id: int, message_id: int
) -> int | None:
    """The client whose reply the bot relayed as message `message_id` in the therapist's chat."""
    found = await session.execute(
        select(MessageRelay.client_id).where(
            MessageRelay.chat_id == chat_id,
            MessageRelay.message_id == message_id,
            MessageRelay.direction == TO_THERAPIST,
        )
    )
    return found.scalar_one_or_none()
