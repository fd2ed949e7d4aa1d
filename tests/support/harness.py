"""Run a real PTB ``Application`` against a :class:`BotApiDouble`, polling over loopback.

``running_application`` goes through the same lifecycle as ``Application.run_polling`` —
initialize, ``post_init``, start polling, start; then stop the updater, stop, ``post_stop``,
shutdown, ``post_shutdown`` — but inside the test's event loop and with polling settings that
make teardown take milliseconds rather than a long-poll timeout.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    ContextTypes,
    ExtBot,
    JobQueue,
)

from tests.support.botapi_double import BotApiDouble, BotApiTimeoutError

_LOG = logging.getLogger(__name__)

AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
DefaultApplicationBuilder: TypeAlias = ApplicationBuilder[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]

TEST_TOKEN = "123456:TEST-TOKEN"


class HandlerErrorsError(AssertionError):
    """Handlers raised while the application ran; the first one is the ``__cause__``."""


def application_builder(
    double: BotApiDouble, *, token: str = TEST_TOKEN
) -> DefaultApplicationBuilder:
    """``Application.builder()`` with the token and both base URLs pointed at ``double``."""
    return (
        Application.builder()
        .token(token)
        .base_url(double.base_url)
        .base_file_url(double.file_base_url)
    )


@dataclass
class RunningApplication:
    """What ``running_application`` yields: the live application and what it went through."""

    application: AnyApplication
    double: BotApiDouble
    handler_errors: list[BaseException] = field(default_factory=list)
    polling_errors: list[TelegramError] = field(default_factory=list)

    @property
    def bot(self) -> Bot:
        return self.application.bot  # type: ignore[no-any-return]

    async def settle(self, quiet: float = 0.05, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until PTB took every injected update, its handlers finished, then quiet.

        Precise rather than time-based: an update is on PTB's update queue once a later
        getUpdates confirmed it, and the queue's ``join()`` returns when the handlers are done.
        The short ``quiet`` period (no Bot API call, none in flight) only catches work that
        handlers left running in the background.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while unconfirmed := self.double.unconfirmed_update_ids():
            if loop.time() >= deadline:
                raise BotApiTimeoutError(
                    f"updates {unconfirmed} were not fetched and confirmed within {timeout}s "
                    "- is the bot polling?\n" + self.double.report()
                )
            await asyncio.sleep(0.005)
        try:
            await asyncio.wait_for(
                self.application.update_queue.join(), max(0.0, deadline - loop.time())
            )
        except TimeoutError as error:
            raise BotApiTimeoutError(
                f"handlers were still busy after {timeout}s.\n" + self.double.report()
            ) from error
        await self.double.settle(quiet, max(deadline - loop.time(), 2 * quiet))

    def take_handler_errors(self) -> list[BaseException]:
        """Hand over (and forget) the handler errors so far, for tests that expect one."""
        taken = list(self.handler_errors)
        self.handler_errors.clear()
        self.double.handler_errors.clear()
        return taken

    async def _record_handler_error(
        self, update: object, context: CallbackContext[Any, Any, Any, Any]
    ) -> None:
        if context.error is not None:
            self.handler_errors.append(context.error)
            self.double.handler_errors.append(context.error)

    def _record_polling_error(self, error: TelegramError) -> None:
        _LOG.warning("getUpdates failed: %s", error)
        self.polling_errors.append(error)


@asynccontextmanager
async def running_application(
    application: AnyApplication,
    double: BotApiDouble,
    *,
    raise_handler_errors: bool = True,
    stop_timeout: float = 10.0,
) -> AsyncIterator[RunningApplication]:
    """Run ``application`` polling ``double`` for the duration of the ``async with`` block.

    Exceptions raised by handlers are collected (alongside any error handlers the application
    has) and, with ``raise_handler_errors``, fail the test as :class:`HandlerErrorsError` when
    the block exits — pass ``False`` in tests that exercise the bot's own error handling.
    """
    bot_url = str(application.bot.base_url)
    if not bot_url.startswith(double.base_url):
        # Never let a misconfigured test reach api.telegram.org.
        raise ValueError(
            f"the application talks to {bot_url!r}, not to the double at {double.base_url!r}; "
            "build it with .base_url(double.base_url).base_file_url(double.file_base_url)"
        )
    updater = application.updater
    if updater is None:
        raise ValueError("the application has no Updater; build it without .updater(None)")

    running = RunningApplication(application, double)
    application.add_error_handler(running._record_handler_error)
    try:
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)
            try:
                await updater.start_polling(
                    poll_interval=0.0,
                    timeout=dtm.timedelta(seconds=double.max_long_poll),
                    drop_pending_updates=False,
                    error_callback=running._record_polling_error,
                )
                await application.start()
                yield running
            finally:
                # Stopping the updater cancels the in-flight long poll, so this is quick.
                async with asyncio.timeout(stop_timeout):
                    if updater.running:
                        await updater.stop()
                    if application.running:
                        await application.stop()
                        if application.post_stop is not None:
                            await application.post_stop(application)
        finally:
            async with asyncio.timeout(stop_timeout):
                await application.shutdown()
                if application.post_shutdown is not None:
                    await application.post_shutdown(application)
    finally:
        application.remove_error_handler(running._record_handler_error)
    if raise_handler_errors and running.handler_errors:
        listed = "\n".join(f"  {type(e).__name__}: {e}" for e in running.handler_errors)
        raise HandlerErrorsError(f"handlers raised:\n{listed}") from running.handler_errors[0]
