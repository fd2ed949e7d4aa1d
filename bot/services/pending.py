"""/cancel: end whatever typed input the bot is waiting for from this user.

Every flow that reads the user's next text keeps it in `PendingInput` (a message to a client,
a pain note, a custom reminder time, a prescription draft, a relay reply): one row per user,
so cancelling is deleting that row. The next text is then read as fresh input.
"""

from __future__ import annotations

from sqlalchemy import delete

from bot.db.engine import Database
from bot.db.models import PendingInput


async def cancel_pending_input(db: Database, *, telegram_id: int) -> str | None:
    """Forget what the bot was waiting for from `telegram_id`; the kind cancelled, or None."""
    async with db.sessions.begin() as session:
        result = await session.execute(
            delete(PendingInput)
            .where(PendingInput.telegram_id == telegram_id)
            .returning(PendingInput.kind)
        )
        return result.scalar_one_or_none()
