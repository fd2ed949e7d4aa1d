"""Shared fixtures: real databases (a SQLite file, PostgreSQL when TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import BotApplication, build_application
from bot.config import Settings
from bot.content import ExerciseLibrary, load_library
from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication, running_application
from tests.support.telegram_payloads import TgUser

pytest_plugins = ["tests.support.fixtures"]

# CI replays the same generated examples on every run (hypothesis' derandomize), so a landing
# is never refused for an input no one has seen; a local `make test` explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

POSTGRES_ENV = "TEST_POSTGRES_URL"
REPO_ROOT = Path(__file__).resolve().parents[1]
CONTENT_DIR = REPO_ROOT / "content" / "exercises"
TEST_TOKEN = "123456:TEST-TOKEN"
THERAPIST_ID = 900_001
# A Monday morning in London, clear of any DST change.
DEFAULT_NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


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
async def postgres_url() -> str:
    url = postgres_url_or_skip()
    await reset_postgres(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each test using this runs once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    url = postgres_url_or_skip()
    await reset_postgres(url)
    yield url


class MigratedTemplates:
    """One database migrated to head per test session, copied for each test that needs one.

    Running every migration costs far more than copying its result, so a test's database is a
    copy of a template migrated once: a file copy (SQLite's backup API) or PostgreSQL's
    `CREATE DATABASE … TEMPLATE`. The migrations themselves are still exercised on both engines
    by the stairway test, which migrates an empty database step by step.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._sqlite_template: Path | None = None
        self._postgres_template: str | None = None

    async def sqlite(self, url: str) -> None:
        if self._sqlite_template is None:
            template = self._directory / "template.db"
            await upgrade_async(f"sqlite+aiosqlite:///{template}")
            self._sqlite_template = template
        target = make_url(url).database
        assert target is not None
        source = sqlite3.connect(self._sqlite_template)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()

    async def postgres(self, url: str) -> None:
        target = make_url(url)
        template = f"{target.database}_template"
        admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            if self._postgres_template is None:
                async with admin.connect() as connection:
                    await connection.execute(text(f'DROP DATABASE IF EXISTS "{template}"'))
                    await connection.execute(text(f'CREATE DATABASE "{template}"'))
                await upgrade_async(target.set(database=template).render_as_string(False))
                self._postgres_template = template
            async with admin.connect() as connection:
                await connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
                )
                await connection.execute(
                    text(f'CREATE DATABASE "{target.database}" TEMPLATE "{template}"')
                )
        finally:
            await admin.dispose()

    async def copy_to(self, url: str) -> None:
        if url.startswith("sqlite"):
            await self.sqlite(url)
        else:
            await self.postgres(url)


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> MigratedTemplates:
    return MigratedTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
async def db(database_url: str, migrated_templates: MigratedTemplates) -> AsyncIterator[Database]:
    """A migrated database, on both engines."""
    await migrated_templates.copy_to(database_url)
    database = Database.connect(database_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def sqlite_db(
    sqlite_url: str, migrated_templates: MigratedTemplates
) -> AsyncIterator[Database]:
    await migrated_templates.copy_to(sqlite_url)
    database = Database.connect(sqlite_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's .env or inherit bot settings from the shell."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "THERAPIST_", "DATABASE_", "DEFAULT_TIMEZONE", "LOG_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@dataclass
class FrozenClock:
    """The bot's clock in tests: set or advance it explicitly; it never moves by itself."""

    current: datetime = DEFAULT_NOW

    def __call__(self) -> datetime:
        return self.current

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("aware datetimes only")
        self.current = when

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@pytest.fixture(scope="session")
def library() -> ExerciseLibrary:
    return load_library(CONTENT_DIR)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def therapist() -> TgUser:
    return TgUser(id=THERAPIST_ID, first_name="Terry", username="terry_physio")


def make_settings(double: BotApiDouble, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": TEST_TOKEN,
        "telegram_api_base_url": double.base_url,
        "telegram_file_base_url": double.file_base_url,
        "therapist_ids": frozenset({THERAPIST_ID}),
        "database_url": database_url,
        "content_dir": CONTENT_DIR,
        "practice_name": "Back in Balance Clinic",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def settings(botapi: BotApiDouble, database_url: str) -> Settings:
    return make_settings(botapi, database_url)


@pytest.fixture
def application(
    settings: Settings, db: Database, library: ExerciseLibrary, clock: FrozenClock
) -> BotApplication:
    """The real Application, wired as `python -m bot run` wires it, aimed at the double.

    The periodic scheduler tick is off so a test's frozen clock decides what is sent; scheduler
    tests drive passes explicitly (`tick --at` style).
    """
    return build_application(
        settings, db=db, library=library, clock=clock, scheduler_tick_job=False
    )


@pytest.fixture
async def bot(
    application: BotApplication, botapi: BotApiDouble
) -> AsyncIterator[RunningApplication]:
    """The bot running (long polling over loopback) for the duration of the test."""
    async with running_application(application, botapi) as running:
        yield running


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many PostgreSQL tests ran, so a CI log shows they were not skipped."""

    def count(outcome: str) -> int:
        reports = terminalreporter.stats.get(outcome, [])
        return sum(1 for report in reports if "postgres" in getattr(report, "keywords", {}))

    terminalreporter.write_line(
        f"PostgreSQL tests: {count('passed')} passed, {count('failed')} failed, "
        f"{count('skipped')} skipped"
    )
