"""Every migration upgrades and downgrades cleanly, one step at a time, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from bot.db.engine import Database
from bot.db.migrate import downgrade_async, revisions, upgrade_async
from bot.db.models import Base


async def _tables(url: str) -> set[str]:
    database = Database.connect(url)
    try:
        async with database.engine.connect() as connection:
            names = await connection.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await database.dispose()
    return set(names) - {"alembic_version"}


async def test_stairway_upgrades_and_downgrades_every_revision(database_url: str) -> None:
    steps = revisions(database_url)
    assert steps, "there must be at least one migration"
    previous = "base"
    for revision in steps:
        await upgrade_async(database_url, revision)
        await downgrade_async(database_url, previous)
        await upgrade_async(database_url, revision)
        previous = revision
    assert await _tables(database_url) == set(Base.metadata.tables)


async def test_downgrade_to_base_leaves_no_tables(database_url: str) -> None:
    await upgrade_async(database_url)
    await downgrade_async(database_url, "base")
    assert await _tables(database_url) == set()


@pytest.mark.parametrize("table", ["schedule"])
async def test_next_fire_at_is_indexed(database_url: str, table: str) -> None:
    await upgrade_async(database_url)
    database = Database.connect(database_url)
    try:
        async with database.engine.connect() as connection:
            indexes = await connection.run_sync(lambda c: inspect(c).get_indexes(table))
    finally:
        await database.dispose()
    assert any(ix["column_names"] == ["next_fire_at"] for ix in indexes)
