"""Every row of every table, to compare the whole database before and after."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

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


async def restore_dump(db: Database, dump: Dump) -> None:
    """Put every table (but the bookkeeping ones) back to `dump`: rows deleted, then re-inserted
    with their ids. Sequences are left alone, so new rows still get ids never used before."""
    tables = [table for table in Base.metadata.sorted_tables if table.name in dump]
    async with db.sessions.begin() as session:
        for table in reversed(tables):
            await session.execute(delete(table))
        for table in tables:
            if rows := dump[table.name]:
                columns = table.c.keys()
                await session.execute(
                    insert(table), [dict(zip(columns, row, strict=True)) for row in rows]
                )
