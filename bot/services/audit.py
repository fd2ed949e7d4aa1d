"""The audit trail of therapist access (DESIGN.md: "audit of therapist access").

Rows hold ids and an action name only — never health data or names — so they can outlive a
client's erasure. `record_access` joins the caller's transaction: the view and its audit line
are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.audit import add_audit_rows

VIEW_CLIENT = "view_client"
VIEW_CLIENT_LIST = "view_client_list"
VIEW_SUMMARY = "view_summary"
VIEW_ALERTS = "view_alerts"
VIEW_CHART = "view_chart"
VIEW_NOTES = "view_notes"
CHANGE_TIMES = "change_times"
EXPORT_CLIENT = "export_client"
EXPORT_ALL = "export_all"
MESSAGE_CLIENT = "message_client"
PRESCRIBE = "prescribe"
PAUSE_CLIENT = "pause_client"


async def record_access(
    session: AsyncSession,
    *,
    actor_telegram_id: int,
    action: str,
    client_ids: Iterable[int | None],
    now: datetime,
    detail: str = "",
) -> None:
    """One audit row per client whose data the actor saw (None: no particular client)."""
    rows = [
        {
            "actor_telegram_id": actor_telegram_id,
            "action": action,
            "subject_client_id": client_id,
            "detail": detail[:200],
            "at": now,
        }
        for client_id in client_ids
    ]
    await add_audit_rows(session, rows)
