"""Does a button's record belong to the person pressing it (or to their client)?"""

from __future__ import annotations

from collections.abc import Sequence

from bot.db import ownership
from bot.db.engine import Database
from bot.services.identity import Identity, Role


async def owns_records(db: Database, *, who: Identity, records: Sequence[tuple[str, int]]) -> bool:
    """A client owns records about themselves; a therapist those about their live clients;
    a stranger nothing. No records: nothing to own, so True."""
    if not records:
        return True
    # Look-ups only, one statement per record: no transaction, no lock (`Database.read`).
    async with db.read() as connection:
        if who.role is Role.THERAPIST:
            return await ownership.records_of_therapist(
                connection, therapist_telegram_id=who.telegram_id, records=records
            )
        if who.role is Role.CLIENT and who.client_id is not None:
            return await ownership.records_of_client(
                connection, client_id=who.client_id, records=records
            )
    return False
