"""Audit rows: who saw, exported, changed or erased what (ids and action names only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Audit


async def add_audit_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """A single multi-row INSERT, so auditing a view of 200 clients is one statement."""
    if rows:
        await session.execute(insert(Audit), list(rows))
