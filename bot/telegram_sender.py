"""The scheduling engine's sender over python-telegram-bot's `Bot`.

The engine (`scheduler.sending`) speaks of texts, PNG charts, our `Keyboard`s and five kinds
of failure; this adapter builds Telegram's request objects and maps Telegram's errors onto
those kinds, so the engine's retry rules read the same whatever carries the message:

- `RetryAfter` (429) → `RetryLaterError` with Telegram's seconds (an int, or a timedelta
  when PTB_TIMEDELTA is set, its future default);
- `Forbidden` (403) → `ChatBlockedError`;
- `BadRequest` (400) → `RequestRejectedError` (python-telegram-bot files it under
  `NetworkError`; it is not one: the same request fails again);
- every other `NetworkError`, `TimedOut` included, and 5xx answers → `UnreachableError`;
- any other `TelegramError` → `SendError`.

Each keeps Telegram's error class name as its `reason`. Anything that is not a Telegram
error (a bug) passes through unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.keyboards import Keyboard
from bot.telegram_markup import to_markup
from scheduler.sending import (
    ChatBlockedError,
    RequestRejectedError,
    RetryLaterError,
    SendError,
    UnreachableError,
)

__all__ = ["CHART_FILENAME", "TelegramSender"]

CHART_FILENAME = "chart.png"


def _retry_after_seconds(retry_after: int | float | timedelta) -> float:
    # PTB gives an int today and a timedelta when PTB_TIMEDELTA is set (its future default).
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


@asynccontextmanager
async def _as_send_errors() -> AsyncIterator[None]:
    """Telegram's errors, raised as the engine's (see the module's docstring)."""
    try:
        yield
    except RetryAfter as exc:
        raise RetryLaterError(_retry_after_seconds(exc.retry_after), type(exc).__name__) from exc
    except Forbidden as exc:
        raise ChatBlockedError(type(exc).__name__) from exc
    except BadRequest as exc:  # before NetworkError: PTB derives it from NetworkError
        raise RequestRejectedError(type(exc).__name__) from exc
    except NetworkError as exc:
        raise UnreachableError(type(exc).__name__) from exc
    except TelegramError as exc:
        raise SendError(type(exc).__name__) from exc


class TelegramSender:
    """`scheduler.sending.Sender` for a python-telegram-bot `Bot` (the app's, with its rate
    limiter and connection pool)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(self, chat_id: int, text: str, keyboard: Keyboard | None = None) -> int:
        async with _as_send_errors():
            message = await self.bot.send_message(
                chat_id=chat_id, text=text, reply_markup=to_markup(keyboard)
            )
        return message.message_id

    async def send_photo(
        self, chat_id: int, png: bytes, caption: str, keyboard: Keyboard | None = None
    ) -> int:
        async with _as_send_errors():
            message = await self.bot.send_photo(
                chat_id=chat_id,
                photo=InputFile(png, filename=CHART_FILENAME),
                caption=caption,
                reply_markup=to_markup(keyboard),
            )
        return message.message_id
