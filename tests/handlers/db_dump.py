"""Every row of every table, to compare the whole database before and after."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Base

Dump = dict[str, list[tuple[object, ...]]]
# The record of update ids already taken (no user, no content): it grows with every update,
# so "nothing changed" comparisons leave it out.
BOOKKEEPING_TABLES = ("processed_update",)


async def table_dump(db: Database, *, leave_out: tuple[str, ...] = ()) -> Dump:
    """All rows of every table (but `leave_out`), sorted so two dumps compare by content."""
    dump: Dump = {}
    async with db.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in leave_out:
                continue
            rows = (await session.execute(select(table))).all()
            dump[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return dump
