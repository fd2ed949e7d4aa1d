"""Generic pytest fixtures for handler tests; load with ``pytest_plugins`` in a conftest.

They know nothing of the project's modules: the project's application factory is wired in
by the conftest that uses them.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from tests.support.botapi_double import BotApiDouble
from tests.support.telegram_payloads import TgUser


@pytest_asyncio.fixture
async def botapi() -> AsyncIterator[BotApiDouble]:
    """A started Bot API double on 127.0.0.1, stopped after the test."""
    async with BotApiDouble() as double:
        yield double


@pytest.fixture
def make_user() -> Callable[..., TgUser]:
    """A factory of distinct Telegram users: ``make_user("Alice")``, ``make_user(id=42)``."""
    ids = itertools.count(100_001)

    def make(
        first_name: str = "Alex",
        *,
        id: int | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> TgUser:
        return TgUser(
            id=next(ids) if id is None else id,
            first_name=first_name,
            username=username,
            language_code=language_code,
        )

    return make
