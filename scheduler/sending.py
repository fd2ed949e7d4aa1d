"""What the engine needs of a messenger: send a text or a chart, and what can go wrong.

The dispatcher and the red-flag fallback send through a `Sender` and handle these errors,
never a Telegram library's: the engine runs (and the burst benchmark measures it) without
python-telegram-bot loaded. The bot's adapter (`bot.telegram_sender.TelegramSender`) maps
Telegram's answers onto them.

Every error carries `reason`, the short name recorded in the ledger's `last_error` and logged
as `error_type` (Telegram's own error class name, e.g. `TimedOut`, so the ledger reads as it
always has).
"""

from __future__ import annotations

from typing import Protocol

from bot.keyboards import Keyboard

__all__ = [
    "ChatBlockedError",
    "RequestRejectedError",
    "RetryLaterError",
    "SendError",
    "Sender",
    "UnreachableError",
]


class SendError(Exception):
    """The message was not sent, for a reason none of the kinds below covers."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLaterError(SendError):
    """Flood control (Telegram's 429): send again after `seconds`."""

    def __init__(self, seconds: float, reason: str = "RetryAfter") -> None:
        super().__init__(reason)
        self.seconds = seconds


class ChatBlockedError(SendError):
    """The chat refuses the bot (Telegram's 403: the user blocked it, or never started it)."""


class RequestRejectedError(SendError):
    """The request itself is wrong (Telegram's 400): sending it again would fail again."""


class UnreachableError(SendError):
    """The messenger could not be reached or failed on its side (network error, timeout,
    5xx): worth another try later."""


class Sender(Protocol):
    """Sends one message to a chat and returns the messenger's id for it; raises the errors
    above when it was not sent."""

    async def send_text(self, chat_id: int, text: str, keyboard: Keyboard | None = None) -> int:
        """A text message, with `keyboard` under it when given."""
        ...

    async def send_photo(
        self, chat_id: int, png: bytes, caption: str, keyboard: Keyboard | None = None
    ) -> int:
        """A PNG image with `caption` (and `keyboard`) under it."""
        ...
