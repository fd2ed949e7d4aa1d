"""Fixtures shared by the scheduler's reliability tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from tests.conftest import TEST_TOKEN
from tests.support.botapi_double import BotApiDouble


@pytest.fixture
async def telegram_bot(botapi: BotApiDouble) -> AsyncIterator[Bot]:
    """python-telegram-bot's real Bot, talking to the Bot API double over HTTP."""
    async with Bot(TEST_TOKEN, base_url=botapi.base_url) as bot:
        yield bot


async def no_wait(seconds: float) -> None:
    """Stands in for asyncio.sleep where a test moves the clock itself."""
    return
