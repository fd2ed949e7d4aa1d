"""What the bot is waiting for a user to type: every kind, read once per message, and /cancel.

Every flow that reads the user's next text keeps it in `PendingInput` (a message to a client,
a pain note, a custom reminder time, a prescription draft, a relay reply): one row per user,
written through `bot.db.pending.put_pending`, so cancelling is deleting that row. The typed-text
router reads the kind once (`awaited_input`) and hands the text to the flow that owns it.
"""

from __future__ import annotations

import enum

from bot.db import pending
from bot.db.engine import Database


class PendingKind(enum.StrEnum):
    """Stored in `pending_input.kind`; each belongs to one flow."""

    TIME_ZONE = "time_zone"  # client settings / onboarding: a typed place
    REMINDER_TIMES = "reminder_times"  # client settings / onboarding: the reminder-time draft
    CHECKIN_TIME = "checkin_time"  # client settings: a typed check-in time
    PAIN_NOTE = "pain_note"  # check-in: the day's note, right after the scores
    RELAY_TO_CLIENT = "relay_to_client"  # therapist: their next text goes to a client
    RELAY_REPLY = "relay_reply"  # client: their next text answers their therapist
    PRESCRIPTION_DRAFT = "prescribe"  # therapist: a prescription being put together (buttons)


SETTINGS_KINDS = frozenset(
    {PendingKind.TIME_ZONE, PendingKind.REMINDER_TIMES, PendingKind.CHECKIN_TIME}
)


async def awaited_input(db: Database, *, telegram_id: int) -> PendingKind | None:
    """Which flow `telegram_id`'s next text belongs to (None: none). An expired wait is still
    named: its flow knows it is over, tells no one, and deletes it."""
    async with db.read() as connection:  # one statement, no transaction, no lock
        kind = await pending.stored_kind(connection, telegram_id)
    try:
        return None if kind is None else PendingKind(kind)
    except ValueError:
        return None  # a kind no flow reads any more: the text is fresh input


async def cancel_pending_input(db: Database, *, telegram_id: int) -> str | None:
    """Forget what the bot was waiting for from `telegram_id`; the kind cancelled, or None."""
    async with db.sessions.begin() as session:
        return await pending.clear_pending(session, telegram_id)
