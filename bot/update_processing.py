"""Concurrent update processing that keeps each user's own updates in order.

Different users are served in parallel (up to `max_concurrent_updates`), but two updates from
the same user never run at the same time: a double tap or a quick reply after a button press
is handled after the first one finished, so "already saved" is said instead of racing two
writes of the same check-in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        # Awaited after each update was handled: the app hands the outbox rows the handler
        # wrote (an alert, a relayed message) to the dispatcher before the update counts as done.
        self.after_update: Callable[[], Awaitable[None]] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        finally:
            if self.after_update is not None:
                await self.after_update()

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._waiting[user.id] = self._waiting.get(user.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[user.id] -= 1
            if self._waiting[user.id] == 0:
                # Forget idle users so memory stays flat however many clients there are.
                del self._waiting[user.id]
                del self._locks[user.id]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
