"""Shared fixtures: real databases (a SQLite file, PostgreSQL when TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.engine import Database
from bot.db.migrate import upgrade_async

pytest_plugins = ["tests.support.fixtures"]

POSTGRES_ENV = "TEST_POSTGRES_URL"


def postgres_url_or_skip() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{POSTGRES_ENV} must be set in CI: PostgreSQL tests may not be skipped there")
    pytest.skip(f"{POSTGRES_ENV} is not set")


async def reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    url = postgres_url_or_skip()
    await reset_postgres(url)
    yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each test using this runs once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    url = postgres_url_or_skip()
    await reset_postgres(url)
    yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database, on both engines."""
    await upgrade_async(database_url)
    database = Database.connect(database_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def sqlite_db(sqlite_url: str) -> AsyncIterator[Database]:
    await upgrade_async(sqlite_url)
    database = Database.connect(sqlite_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Tests never read the developer's .env or inherit bot settings from the shell."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "THERAPIST_", "DATABASE_", "DEFAULT_TIMEZONE", "LOG_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
