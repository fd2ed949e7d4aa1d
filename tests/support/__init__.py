"""Test support: a Telegram Bot API double on loopback and a harness to run the real bot."""

from tests.support.botapi_double import BotApiDouble, BotApiTimeoutError, RecordedCall
from tests.support.harness import (
    HandlerErrorsError,
    RunningApplication,
    application_builder,
    running_application,
)
from tests.support.telegram_payloads import TgUser, UploadedFile

__all__ = [
    "BotApiDouble",
    "BotApiTimeoutError",
    "HandlerErrorsError",
    "RecordedCall",
    "RunningApplication",
    "TgUser",
    "UploadedFile",
    "application_builder",
    "running_application",
]
